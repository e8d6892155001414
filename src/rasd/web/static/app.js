/* Rasd dashboard: vanilla JS over the REST API (/api/...), Leaflet map with an offline base layer.
 * Routes: "#/" (map, timeline, table; filters in the query string) and "#/event/<id>" (event page).
 * All text from the API is inserted as DOM text nodes (textContent), never parsed as HTML,
 * and Leaflet popups and tooltips are given DOM nodes, never strings (Leaflet would parse a string
 * as HTML). Links are made only of http(s) URLs (safeHref). Styles are set through the CSSOM, since
 * the server's Content-Security-Policy forbids inline style attributes and inline scripts. */
(function () {
  "use strict";

  const TYPE_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#2ca02c",
    "Riots": "#8c564b",
    "Strategic developments": "#1f77b4",
  };
  const TYPE_AR = {
    "Battles": "معارك",
    "Explosions/Remote violence": "انفجارات/عنف عن بعد",
    "Violence against civilians": "عنف ضد المدنيين",
    "Protests": "احتجاجات",
    "Riots": "أعمال شغب",
    "Strategic developments": "تطورات استراتيجية",
  };
  const FIELD_LABELS = {
    trigger: "الحدث · trigger",
    location: "الموقع · location",
    actor1: "الفاعل 1 · actor1",
    actor2: "الفاعل 2 · actor2",
  };
  const REVIEW_AR = { accepted: "مقبول", rejected: "مرفوض", corrected: "مصحَّح" };
  const API_KEYS = ["date_from", "date_to", "country", "event_type", "sub_event_type", "actor", "admin1", "q",
    "min_confidence", "review"];
  const FILTER_KEYS = [...API_KEYS, "by", "sort", "offset", "limit"];
  const FORM_FIELDS = { date_from: "#f-date-from", date_to: "#f-date-to", country: "#f-country", event_type: "#f-type",
    sub_event_type: "#f-sub", actor: "#f-actor", admin1: "#f-admin1", q: "#f-q", min_confidence: "#f-conf",
    review: "#f-review" };
  const MAP_LIMIT = 500;
  const TOKEN_KEY = "rasd.token";

  const $ = (sel, root) => (root || document).querySelector(sel);

  /** Create an element with attributes and children (strings become text nodes). `style` is an
   * object of CSSOM properties (an inline style attribute would be refused by the CSP). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k === "style") Object.assign(node.style, v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  const en = (text) => el("span", { class: "en", lang: "en", dir: "ltr" }, text);
  const typeLabel = (t) => (TYPE_AR[t] ? [TYPE_AR[t], " · ", en(t)] : [en(t || "—")]);
  const colour = (t) => TYPE_COLOURS[t] || "#555";

  /** `url` when it is an absolute http(s) URL, else null: never a link to javascript:, data:, ... */
  function safeHref(url) {
    if (typeof url !== "string" || !url) return null;
    let parsed;
    try { parsed = new URL(url); } catch (_) { return null; }
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  }

  async function api(path, options) {
    const resp = await fetch(path, options);
    let body = null;
    try { body = await resp.json(); } catch (_) { body = null; }
    if (!resp.ok) {
      const detail = body && body.detail;
      const msg = Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : detail || resp.statusText;
      const err = new Error(`${resp.status}: ${msg}`);
      err.status = resp.status;
      throw err;
    }
    return body;
  }

  // ------------------------------------------------------------------ filters in the URL

  function currentFilters() {
    const q = new URLSearchParams(location.search);
    const f = {};
    for (const k of FILTER_KEYS) if (q.get(k)) f[k] = q.get(k);
    return f;
  }
  function apiQuery(f, extra) {
    const q = new URLSearchParams();
    for (const k of API_KEYS) if (f[k]) q.set(k, f[k]);
    for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
    return q.toString();
  }
  function fillForm(f) {
    for (const [k, sel] of Object.entries(FORM_FIELDS)) $(sel).value = f[k] || "";
    $("#f-by").value = f.by || "week";
    $("#page-size").value = f.limit || "50";
  }
  /** The form's filters; the sort and page size are kept, the page goes back to the first. */
  function readForm() {
    const f = {};
    for (const [k, sel] of Object.entries(FORM_FIELDS)) { const v = $(sel).value.trim(); if (v) f[k] = v; }
    const by = $("#f-by").value;
    if (by && by !== "week") f.by = by;
    const cur = currentFilters();
    if (cur.sort) f.sort = cur.sort;
    if (cur.limit) f.limit = cur.limit;
    return f;
  }
  function pushFilters(f) {
    const q = new URLSearchParams(f).toString();
    history.pushState(null, "", (q ? "?" + q : location.pathname) + "#/");
    route();
  }

  // ------------------------------------------------------------------ map

  let map = null;
  let markerLayer = null;

  async function ensureMap() {
    if (map) return;
    map = L.map("map", { zoomControl: true, attributionControl: true, worldCopyJump: false, maxZoom: 12 }).setView([30, 35], 4);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth · Leaflet");
    try {
      const countries = await api("vendor/region-countries.geojson");
      L.geoJSON(countries, {
        style: { color: "#7d8796", weight: 1, fillColor: "#f3efe4", fillOpacity: 1 },
        interactive: false,
      }).addTo(map);
    } catch (e) {
      console.warn("base layer", e);
    }
    markerLayer = (L.markerClusterGroup ? L.markerClusterGroup({ maxClusterRadius: 40 }) : L.layerGroup()).addTo(map);
  }

  function popupContent(ev) {
    const actors = [ev.actor1_name, ev.actor2_name].filter(Boolean).join(" ← ");
    const where = [ev.location_name, ev.admin1, ev.country].filter(Boolean).join("، ");
    return el("div", { class: "popup", dir: "rtl", lang: "ar" },
      el("strong", {}, typeLabel(ev.event_type)),
      el("div", {}, en(ev.sub_event_type)),
      el("dl", {},
        el("dt", {}, "التاريخ · Date"), el("dd", {}, en(ev.date || "؟")),
        el("dt", {}, "الموقع · Location"), el("dd", {}, ev.location_text || "", ev.location_text ? " — " : "", en(where)),
        el("dt", {}, "الفاعلون · Actors"), el("dd", {}, en(actors || "—")),
        el("dt", {}, "القتلى · Fatalities"), el("dd", {}, ev.fatalities ?? "—")),
      el("a", { href: `#/event/${ev.id}`, class: "event-link" }, `صفحة الحدث · Event page #${ev.id}`));
  }

  function drawMarkers(items) {
    markerLayer.clearLayers();
    const pts = [];
    const markers = [];
    for (const ev of items) {
      if (ev.latitude === null || ev.longitude === null) continue;
      const m = L.circleMarker([ev.latitude, ev.longitude], {
        radius: 7 + Math.min(8, Math.sqrt(ev.fatalities || 0) * 2),
        color: "#222", weight: 1, fillColor: colour(ev.event_type), fillOpacity: 0.85,
        className: "rasd-marker",
      });
      m.bindPopup(() => popupContent(ev));
      // a DOM node, not a string: Leaflet inserts string content as HTML
      m.bindTooltip(el("span", { class: "marker-tip" }, `${ev.sub_event_type} — ${ev.location_name || ""} (${ev.date || "?"})`));
      m.on("add", () => {  // keyboard: shown markers are focusable and open their popup with Enter/Space
        const path = m.getElement && m.getElement();
        if (!path || path.dataset.eventId) return;
        path.setAttribute("tabindex", "0");
        path.setAttribute("role", "button");
        path.setAttribute("aria-label", `${ev.event_type}, ${ev.location_name || ""}, ${ev.date || ""}`);
        path.setAttribute("data-event-id", ev.id);
        path.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") { e.preventDefault(); m.openPopup(); }
        });
      });
      markers.push(m);
      pts.push([ev.latitude, ev.longitude]);
    }
    if (markerLayer.addLayers) markerLayer.addLayers(markers); else markers.forEach((m) => m.addTo(markerLayer));
    document.body.dataset.markers = String(markers.length);
    if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.25), { maxZoom: 7 });
  }

  function drawLegend(types) {
    const ul = $("#legend");
    ul.replaceChildren(...types.map((t) =>
      el("li", {}, el("span", { class: "swatch", style: { background: colour(t) } }), typeLabel(t))));
  }

  // ------------------------------------------------------------------ timeline (uPlot time axis)

  /** Seconds since the epoch of a bucket key: YYYY-MM-DD, YYYY-MM or ISO week YYYY-Www (its Monday). */
  function keyTime(key) {
    let m = key.match(/^(\d{4})-W(\d{2})$/);
    if (m) {
      const jan4 = Date.UTC(+m[1], 0, 4);
      const monday1 = jan4 - (((new Date(jan4).getUTCDay() + 6) % 7) * 86400000);
      return (monday1 + (+m[2] - 1) * 7 * 86400000) / 1000;
    }
    m = key.match(/^(\d{4})-(\d{2})(?:-(\d{2}))?$/);
    return m ? Date.UTC(+m[1], +m[2] - 1, m[3] ? +m[3] : 1) / 1000 : null;
  }

  let plot = null;
  function drawTimeline(buckets, by) {
    const box = $("#timeline");
    const dated = buckets.filter((b) => b.key !== null).map((b) => [keyTime(b.key), b.events, b.fatalities])
      .filter((r) => r[0] !== null).sort((a, b) => a[0] - b[0]);
    const undated = buckets.filter((b) => b.key === null).reduce((n, b) => n + b.events, 0);
    $("#undated").textContent = undated
      ? `${undated} حدثًا بلا تاريخ (خارج المحور) · ${undated} undated event(s), not on the time axis`
      : "";
    $("#undated").dataset.count = String(undated);
    if (plot) { plot.destroy(); plot = null; }
    box.replaceChildren();
    if (!dated.length) { box.append(el("p", {}, "لا أحداث مؤرخة · no dated events")); return; }
    box.setAttribute("aria-label", `عدد الأحداث لكل ${by} · events per ${by}: ${dated.length} buckets`);
    const width = Math.max(260, box.clientWidth || 500);
    const bars = uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined;
    plot = new uPlot({
      width, height: 220,
      scales: { x: { time: true } },
      axes: [{}, { label: "events" }],
      series: [
        { label: by },
        { label: "events", stroke: "#0b5cad", fill: "rgba(11,92,173,0.35)", paths: bars, points: { show: false } },
        { label: "fatalities", stroke: "#d62728", width: 1, points: { show: dated.length < 60 } },
      ],
    }, [dated.map((r) => r[0]), dated.map((r) => r[1]), dated.map((r) => r[2])], box);
  }

  // ------------------------------------------------------------------ table

  function drawTable(items) {
    const rows = items.map((ev) => el("tr", { "data-event-id": ev.id },
      el("td", {}, el("a", { href: `#/event/${ev.id}`, "aria-label": `event ${ev.id}` }, String(ev.id))),
      el("td", {}, en(ev.date || "؟")),
      el("td", {}, el("span", { class: "swatch", style: { background: colour(ev.event_type) } }),
        typeLabel(ev.event_type), el("br"), el("small", {}, en(ev.sub_event_type))),
      el("td", {}, ev.location_text || "", el("br"), el("small", {}, en([ev.location_name, ev.country].filter(Boolean).join(", ")))),
      el("td", {}, en([ev.actor1_name, ev.actor2_name].filter(Boolean).join(" / ") || "—")),
      el("td", {}, ev.fatalities ?? "—"),
      el("td", {}, ev.confidence.toFixed(2)),
      el("td", {}, ev.review_status ? `${REVIEW_AR[ev.review_status] || ""} · ${ev.review_status}` : "—")));
    $("#events-table tbody").replaceChildren(...rows);
  }

  function drawPager(page, f) {
    const limit = page.limit, offset = page.offset;
    const pages = Math.max(1, Math.ceil(page.total / limit));
    const current = Math.floor(offset / limit) + 1;
    $("#page-info").textContent = `صفحة ${current} من ${pages} · page ${current} of ${pages} (${page.total} events)`;
    $("#page-prev").disabled = offset <= 0;
    $("#page-next").disabled = offset + limit >= page.total;
    const sort = f.sort || "-date";
    for (const th of document.querySelectorAll("#events-table th[data-sort]")) {
      const k = th.dataset.sort;
      if (sort === k) th.setAttribute("aria-sort", "ascending");
      else if (sort === "-" + k) th.setAttribute("aria-sort", "descending");
      else th.removeAttribute("aria-sort");
    }
  }

  function drawExportLinks(f) {
    for (const fmt of ["csv", "geojson", "parquet"]) $(`#export-${fmt}`).href = `api/export?${apiQuery(f, { format: fmt })}`;
  }

  // ------------------------------------------------------------------ dashboard

  let optionsLoaded = false;
  async function loadOptions() {
    if (optionsLoaded) return;
    const [types, subs, countries] = await Promise.all(
      [api("api/aggregates?by=type"), api("api/aggregates?by=sub_type"), api("api/countries")]);
    const typeSel = $("#f-type");
    const allTypes = types.buckets.map((b) => b.key).filter(Boolean);
    for (const t of allTypes) typeSel.append(el("option", { value: t }, `${TYPE_AR[t] || ""} · ${t}`));
    const allSubs = subs.buckets.map((b) => b.key).filter(Boolean).sort();
    for (const t of allSubs) $("#f-sub").append(el("option", { value: t }, t));
    for (const c of countries) $("#f-country").append(el("option", { value: c.code }, `${c.name} (${c.events})`));
    drawLegend(allTypes);
    optionsLoaded = true;
  }

  async function showDashboard() {
    $("#event-view").hidden = true;
    $("#dashboard-view").hidden = false;
    document.title = "رصد · Rasd — لوحة الأحداث / Events dashboard";
    await ensureMap();
    map.invalidateSize();
    await loadOptions();
    const f = currentFilters();
    fillForm(f);
    const by = f.by || "week";
    const limit = Number(f.limit) || 50, offset = Number(f.offset) || 0, sort = f.sort || "-date";
    delete document.body.dataset.ready;
    const [page, onMap, agg] = await Promise.all([
      api("api/events?" + apiQuery(f, { limit, offset, sort })),
      api("api/events?" + apiQuery(f, { limit: MAP_LIMIT, sort: "-date" })),
      api("api/aggregates?" + apiQuery(f, { by })),
    ]);
    $("#summary").textContent = `${page.total} حدثًا · ${page.total} events` +
      (page.total > onMap.items.length ? ` (الخريطة: أحدث ${onMap.items.length} · map: latest ${onMap.items.length})` : "");
    drawMarkers(onMap.items);
    drawTimeline(agg.buckets, by);
    drawTable(page.items);
    drawPager(page, f);
    drawExportLinks(f);
    document.body.dataset.ready = "dashboard";
  }

  // ------------------------------------------------------------------ event page

  /** Find `needle` in `text`, preferring an occurrence inside an evidence span. */
  function locate(text, needle, evidence) {
    if (!needle) return null;
    let first = null;
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      const span = { start: i, end: i + needle.length };
      if (first === null) first = span;
      if (evidence.some((e) => e.start <= span.start && span.end <= e.end)) return span;
    }
    return first;
  }

  /** The article text with evidence spans in <mark> and the field spans labelled. */
  function highlighted(text, evidence, fields) {
    const cuts = new Set([0, text.length]);
    for (const s of evidence) { cuts.add(s.start); cuts.add(s.end); }
    for (const f of fields) { cuts.add(f.start); cuts.add(f.end); }
    const points = [...cuts].filter((c) => c >= 0 && c <= text.length).sort((a, b) => a - b);
    const out = el("div", { class: "article-text", dir: "rtl", lang: "ar", id: "article-text" });
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const piece = text.slice(a, b);
      const ev = evidence.findIndex((s) => s.start <= a && b <= s.end);
      const here = fields.filter((f) => f.start <= a && b <= f.end);
      let node = document.createTextNode(piece);
      if (here.length) {
        node = el("span", {
          class: "fld " + here.map((f) => "fld-" + f.name).join(" "),
          "data-field": here.map((f) => f.name).join(" "),
        }, node);
      }
      if (ev >= 0) node = el("mark", { class: "evidence", "data-span": ev, title: `evidence ${ev + 1}` }, node);
      out.append(node);
      for (const f of fields) if (f.end === b) out.append(el("sup", { class: "fld-tag", "data-for": f.name }, FIELD_LABELS[f.name]));
    }
    return out;
  }

  /** The article's source: a link only for an http(s) URL, any other URL as plain text. */
  function sourceLink(url) {
    if (!url) return null;
    const href = safeHref(url);
    if (href) return [" · ", el("a", { href, rel: "noopener noreferrer", id: "source-link" }, "المصدر · source")];
    return [" · ", el("span", { class: "unlinked-url", id: "source-unlinked", dir: "ltr" }, en(url))];
  }

  function facts(pairs) {
    return el("dl", { class: "facts" }, pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "—")]));
  }

  const CORRECTABLE = [
    ["event_type", "النوع · event type", "text"],
    ["sub_event_type", "النوع الفرعي · sub-event type", "text"],
    ["date", "التاريخ · date", "date"],
    ["location_name", "الموقع · location", "text"],
    ["country", "البلد · country (ISO2)", "text"],
    ["admin1", "المحافظة · admin1", "text"],
    ["actor1_name", "الفاعل 1 · actor 1", "text"],
    ["actor2_name", "الفاعل 2 · actor 2", "text"],
    ["fatalities", "القتلى · fatalities", "number"],
    ["injuries", "الجرحى · injuries", "number"],
    ["certainty", "اليقين · certainty", ["reported", "hedged"]],
    ["role", "الدور · role", ["main", "background"]],
  ];

  function reviewForm(ev, reload) {
    const msg = el("p", { class: "msg", role: "status", "aria-live": "polite", id: "review-msg" });
    const token = el("input", { type: "password", id: "r-token", autocomplete: "off",
      value: sessionStorage.getItem(TOKEN_KEY) || "" });
    const actionName = "r-action";
    const radio = (value, label) => el("label", {},
      el("input", { type: "radio", name: actionName, value, id: `r-action-${value}`, checked: value === "correct" }), " ", label);
    const inputs = {};
    const rows = CORRECTABLE.map(([name, label, kind]) => {
      const id = `r-${name}`;
      let input;
      if (Array.isArray(kind)) {
        input = el("select", { id, name }, kind.map((v) => el("option", { value: v, selected: ev[name] === v }, v)));
      } else {
        input = el("input", { id, name, type: kind, value: ev[name] ?? "", dir: kind === "text" ? "auto" : "ltr",
          min: kind === "number" ? 0 : null });
      }
      inputs[name] = input;
      return el("div", { class: "row" }, el("label", { for: id }, label), input);
    });
    const comment = el("textarea", { id: "r-comment", rows: 2 });
    const form = el("form", { class: "review", id: "review-form" },
      el("h2", {}, "المراجعة · Review"),
      el("div", { class: "row" }, el("label", { for: "r-token" }, "رمز الوصول · API token"), token),
      el("fieldset", {}, el("legend", {}, "الإجراء · Action"),
        radio("accept", "قبول · accept"), " ", radio("reject", "رفض · reject"), " ", radio("correct", "تصحيح · correct")),
      el("fieldset", { id: "r-fields" }, el("legend", {}, "تصحيح الحقول · Correct fields"), rows),
      el("div", { class: "row" }, el("label", { for: "r-comment" }, "تعليق · Comment"), comment),
      el("button", { type: "submit", id: "r-submit" }, "إرسال · Submit"),
      msg);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const tok = token.value.trim();
      if (!tok) { msg.className = "msg err"; msg.textContent = "أدخل الرمز · Enter the API token"; token.focus(); return; }
      sessionStorage.setItem(TOKEN_KEY, tok);
      const action = form.querySelector(`input[name=${actionName}]:checked`).value;
      const body = { action };
      if (comment.value.trim()) body.comment = comment.value.trim();
      if (action === "correct") {
        const fields = {};
        for (const [name, , kind] of CORRECTABLE) {
          const raw = inputs[name].value.trim();
          const old = ev[name] ?? "";
          if (raw === String(old)) continue;
          fields[name] = raw === "" ? null : kind === "number" ? Number(raw) : raw;
        }
        if (!Object.keys(fields).length) { msg.className = "msg err"; msg.textContent = "لا تغييرات · No changes"; return; }
        body.fields = fields;
      }
      try {
        const res = await api(`api/events/${ev.id}/review`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${tok}` },
          body: JSON.stringify(body),
        });
        await reload();
        const m = $("#review-msg");
        m.className = "msg ok";
        m.textContent = `تم الحفظ · Saved: ${res.status} (${res.changes.length} change(s))`;
      } catch (err) {
        msg.className = "msg err";
        msg.textContent = (err.status === 401 ? "رمز خاطئ · Wrong token — " : "خطأ · Error — ") + err.message;
      }
    });
    return form;
  }

  async function showEvent(id) {
    $("#dashboard-view").hidden = true;
    const view = $("#event-view");
    view.hidden = false;
    delete document.body.dataset.ready;
    const reload = () => showEvent(id);
    let d, art;
    try {
      d = await api(`api/events/${id}`);
      art = await api(`api/articles/${d.event.article_id}`);
    } catch (err) {
      view.replaceChildren(el("p", { class: "msg err" }, `تعذر تحميل الحدث · Cannot load event ${id}: ${err.message}`),
        el("a", { href: "#/" }, "رجوع · Back"));
      return;
    }
    const ev = d.event, rec = d.record;
    document.title = `#${ev.id} ${ev.sub_event_type} — رصد · Rasd`;
    const fields = [];
    if (rec.trigger) fields.push({ name: "trigger", ...rec.trigger });
    for (const [name, txt] of [["location", ev.location_text], ["actor1", ev.actor1_text], ["actor2", ev.actor2_text]]) {
      const span = locate(art.text, txt, d.evidence);
      if (span) fields.push({ name, ...span });
    }
    const others = d.other_reports.length
      ? el("ul", { id: "other-reports" }, d.other_reports.map((r) => el("li", {},
          el("a", { href: `#/event/${r.event_id}` }, `#${r.event_id}`), " — ", r.title || r.doc_id, " ",
          en(`(${r.outlet || "?"}, ${r.pub_date || "?"}; ${r.sub_event_type}; fatalities ${r.fatalities ?? "?"})`))))
      : el("p", {}, "لا تقارير أخرى · No other reports");
    const audit = d.audit.length
      ? el("ul", { class: "history", id: "review-history" }, d.audit.map((a) => el("li", {},
          en(`${a.at} `), el("strong", { class: "who" }, a.who), en(`: ${a.action}` +
          (a.field ? ` ${a.field}: ${JSON.stringify(a.old_value)} → ${JSON.stringify(a.new_value)}` : "")),
          a.comment ? el("q", { class: "comment", dir: "auto" }, a.comment) : null)))
      : el("p", {}, "لم يُراجَع بعد · Not reviewed yet");
    view.replaceChildren(
      el("p", {}, el("a", { href: "#/", id: "back-link" }, "→ رجوع إلى اللوحة · Back to the dashboard")),
      el("div", { class: "event-head" },
        el("h2", { id: "event-title", tabindex: "-1" }, `#${ev.id} · `, typeLabel(ev.event_type), " — ", en(ev.sub_event_type)),
        el("span", { class: "badge", id: "review-status" }, ev.review_status ? `${REVIEW_AR[ev.review_status]} · ${ev.review_status}` : "غير مُراجَع · unreviewed")),
      el("div", { class: "cols" },
        el("section", { class: "panel", "aria-labelledby": "article-title" },
          el("h3", { id: "article-title", dir: "rtl", lang: "ar" }, art.title || art.doc_id),
          el("p", {}, en(`${art.outlet || "?"} · ${art.pub_date || "?"} · ${art.doc_id}`),
            sourceLink(art.url)),
          el("p", { class: "legend" }, "المظلَّل: الأدلة · Highlighted: evidence; ",
            Object.entries(FIELD_LABELS).map(([k, v]) => el("span", { class: `fld fld-${k}` }, v)).flatMap((x) => [x, " "])),
          highlighted(art.text, d.evidence, fields)),
        el("section", { class: "panel", "aria-label": "تفاصيل · Details" },
          facts([
            ["التاريخ · Date", en(`${ev.date || "?"} (${ev.date_precision || "?"})`)],
            ["الموقع · Location", [ev.location_text || "", " — ", en([ev.location_name, ev.admin1, ev.country].filter(Boolean).join(", "))]],
            ["الفاعل 1 · Actor 1", [ev.actor1_text || "", " — ", en(ev.actor1_name || "—")]],
            ["الفاعل 2 · Actor 2", [ev.actor2_text || "", " — ", en(ev.actor2_name || "—")]],
            ["القتلى · Fatalities", ev.fatalities],
            ["الجرحى · Injuries", ev.injuries],
            ["المصادر · Sources", en(d.sources.join(", ") || "—")],
            ["اليقين · Certainty", en(ev.certainty)],
            ["الدور · Role", en(ev.role)],
            ["الثقة · Confidence", en(ev.confidence.toFixed(3))],
            ["ملاحظات · Notes", en(ev.notes)],
          ]),
          el("h3", {}, "تقارير أخرى للحدث نفسه · Other reports of this event"),
          d.fused_event ? el("p", {}, en(`fused #${d.fused_event.id}: ${d.fused_event.n_reports} report(s)`)) : null,
          others,
          el("h3", {}, "سجل المراجعة · Review history"),
          audit,
          reviewForm(ev, reload))));
    document.body.dataset.ready = "event";
  }

  // ------------------------------------------------------------------ routing

  async function route() {
    const m = location.hash.match(/^#\/event\/(\d+)/);
    try {
      if (m) await showEvent(Number(m[1]));
      else await showDashboard();
    } catch (err) {
      console.error(err);
      $("#summary").textContent = `خطأ · Error: ${err && err.message ? err.message : String(err)}`;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("#filters").addEventListener("submit", (e) => { e.preventDefault(); pushFilters(readForm()); });
    $("#f-reset").addEventListener("click", () => pushFilters({}));
    for (const id of ["#f-type", "#f-sub", "#f-country", "#f-review", "#f-by"]) {
      $(id).addEventListener("change", () => pushFilters(readForm()));
    }
    const goTo = (changes) => {
      const f = { ...currentFilters(), ...changes };
      for (const [k, v] of Object.entries(changes)) if (v === null || v === "" || v === 0) delete f[k];
      pushFilters(f);
    };
    $("#page-prev").addEventListener("click", () => {
      const f = currentFilters(), limit = Number(f.limit) || 50;
      goTo({ offset: Math.max(0, (Number(f.offset) || 0) - limit) });
    });
    $("#page-next").addEventListener("click", () => {
      const f = currentFilters(), limit = Number(f.limit) || 50;
      goTo({ offset: (Number(f.offset) || 0) + limit });
    });
    $("#page-size").addEventListener("change", () => goTo({ limit: $("#page-size").value === "50" ? null : $("#page-size").value, offset: null }));
    for (const th of document.querySelectorAll("#events-table th[data-sort]")) {
      th.querySelector("button").addEventListener("click", () => {
        const k = th.dataset.sort, cur = currentFilters().sort || "-date";
        const next = cur === "-" + k ? k : "-" + k;
        goTo({ sort: next === "-date" ? null : next, offset: null });
      });
    }
    // a link to "#/..." fires both popstate and hashchange: route once per URL change
    let last = null;
    const onNav = () => { if (location.href !== last) { last = location.href; route(); } };
    window.addEventListener("hashchange", onNav);
    window.addEventListener("popstate", onNav);
    last = location.href;
    route();
  });
})();
