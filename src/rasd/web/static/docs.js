/* Starts the vendored Swagger UI on the app's OpenAPI schema (a file, not an inline script, for CSP). */
window.addEventListener("load", function () {
  "use strict";
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
