"""Vendor the dashboard's JavaScript dependencies into ``src/rasd/web/static/vendor/``.

Run once by a maintainer (the result is committed; nothing is built when the server runs)::

    python tools/vendor_web.py

It runs ``npm install`` of the pinned packages below in a temporary directory, copies Leaflet's
minified dist files (``leaflet.js``, ``leaflet.css``, marker images) and licence, the dist files
and licences of leaflet.markercluster (marker clusters), uPlot (the time axis), swagger-ui-dist
and Redoc's standalone bundle (the API docs at ``/docs`` and ``/redoc``), and turns
world-atlas's ``countries-50m`` TopoJSON into a small GeoJSON of the countries of the region
(Middle East and North Africa, :data:`REGION` bounding box) with coordinates rounded to 0.01°,
using topojson-client under Node. That GeoJSON is the offline base layer of the map (no online
tiles). ``vendor/README.md`` records the versions and licences. Needs ``npm`` and ``node``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "rasd" / "web" / "static" / "vendor"

PACKAGES = {
    "leaflet": "1.9.4",
    "leaflet.markercluster": "1.5.3",
    "uplot": "1.6.32",
    "swagger-ui-dist": "5.35.0",
    "redoc": "2.5.4",
    "world-atlas": "2.0.2",
    "topojson-client": "3.1.0",
}
"""npm packages and their pinned versions."""

REGION = (-20.0, 5.0, 65.0, 45.0)
"""minlon, minlat, maxlon, maxlat: countries whose outline touches this box are kept."""

_CONVERT_JS = r"""
const fs = require("fs");
const topojson = require("topojson-client");
const [src, out, minlon, minlat, maxlon, maxlat] = process.argv.slice(2);
const topo = JSON.parse(fs.readFileSync(src, "utf8"));
const all = topojson.feature(topo, topo.objects.countries).features;
const r = (x) => Math.round(x * 100) / 100;
function walk(coords, f) { if (typeof coords[0] === "number") f(coords); else coords.forEach((c) => walk(c, f)); }
function round(coords) {
  if (typeof coords[0] === "number") return [r(coords[0]), r(coords[1])];
  const out = coords.map(round);
  // drop consecutive duplicates created by rounding in rings
  if (typeof out[0][0] === "number") {
    return out.filter((p, i) => i === 0 || p[0] !== out[i - 1][0] || p[1] !== out[i - 1][1]);
  }
  return out;
}
const keep = all.filter((f) => {
  if (!f.geometry) return false;
  let hit = false;
  walk(f.geometry.coordinates, ([x, y]) => {
    if (x >= +minlon && x <= +maxlon && y >= +minlat && y <= +maxlat) hit = true;
  });
  return hit;
}).map((f) => ({
  type: "Feature",
  id: f.id,
  properties: { name: f.properties.name },
  geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) },
}));
fs.writeFileSync(out, JSON.stringify({ type: "FeatureCollection", features: keep }));
console.log(`${keep.length} countries`);
"""


def _run(cmd: list[str], cwd: Path) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def _copy(package: Path, folder: str, files: list[str]) -> None:
    """Copy ``files`` (paths inside the npm ``package``) flat into ``VENDOR/folder``."""
    (VENDOR / folder).mkdir(parents=True, exist_ok=True)
    for f in files:
        src = package / f
        if not src.exists() and src.name.startswith("LICEN"):  # licence file names vary
            src = next(package.glob("LICEN[CS]E*"))
        shutil.copy2(src, VENDOR / folder / Path(f).name)


def main() -> int:
    """Install the packages in a temporary directory and copy the files into ``VENDOR``."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        print("vendor_web: npm and node are needed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="rasd-vendor-") as tmp:
        work = Path(tmp)
        (work / "package.json").write_text('{"name": "rasd-vendor", "private": true}\n', encoding="utf-8")
        specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
        _run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", *specs], work)
        nm = work / "node_modules"
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        (VENDOR / "leaflet" / "images").mkdir(parents=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copy2(nm / "leaflet" / "dist" / name, VENDOR / "leaflet" / name)
        for img in (nm / "leaflet" / "dist" / "images").glob("*.png"):
            shutil.copy2(img, VENDOR / "leaflet" / "images" / img.name)
        shutil.copy2(nm / "leaflet" / "LICENSE", VENDOR / "leaflet" / "LICENSE")
        _copy(nm / "leaflet.markercluster", "markercluster", ["dist/leaflet.markercluster.js", "dist/MarkerCluster.css",
              "dist/MarkerCluster.Default.css", "MIT-LICENCE.txt"])  # fmt: skip
        _copy(nm / "uplot", "uplot", ["dist/uPlot.iife.min.js", "dist/uPlot.min.css", "LICENSE"])
        _copy(nm / "swagger-ui-dist", "swagger-ui", ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png",
              "LICENSE"])  # fmt: skip
        _copy(nm / "redoc", "redoc", ["bundles/redoc.standalone.js", "LICENSE"])
        shutil.copy2(nm / "world-atlas" / "LICENSE", VENDOR / "LICENSE.world-atlas")
        shutil.copy2(nm / "topojson-client" / "LICENSE", VENDOR / "LICENSE.topojson-client")
        script = work / "convert.js"
        script.write_text(_CONVERT_JS, encoding="utf-8")
        src = nm / "world-atlas" / "countries-50m.json"
        out = VENDOR / "region-countries.geojson"
        _run(["node", str(script), str(src), str(out), *map(str, REGION)], work)
        meta = {n: json.loads((nm / n / "package.json").read_text(encoding="utf-8")) for n in PACKAGES}
    rows = "\n".join(f"| {n} | {meta[n]['version']} | {meta[n].get('license', '?')} |" for n in PACKAGES)
    (VENDOR / "README.md").write_text(
        f"""# Vendored dashboard dependencies

Generated by `python tools/vendor_web.py` (npm install in a temporary directory, then copied
here); do not edit by hand. Nothing here is fetched or built when `rasd serve` runs.

| npm package | version | licence |
| --- | --- | --- |
{rows}

- `leaflet/` — `leaflet.js`, `leaflet.css`, marker images and `LICENSE` from `leaflet/dist`.
- `markercluster/` — leaflet.markercluster's `dist` script and styles and its MIT licence (`MIT-LICENCE.txt`).
- `uplot/` — uPlot's `uPlot.iife.min.js`, `uPlot.min.css` and MIT `LICENSE` (the timeline's time axis).
- `swagger-ui/` — swagger-ui-dist's `swagger-ui-bundle.js`, `swagger-ui.css`, favicon and Apache-2.0
  `LICENSE`, served for `/docs` (started by `../docs.js`, no inline script).
- `redoc/` — Redoc's `redoc.standalone.js` and MIT `LICENSE`, served for `/redoc`.
- `region-countries.geojson` — the countries of world-atlas `countries-50m.json` (Natural Earth
  1:50m admin-0, public domain; packaging ISC, `LICENSE.world-atlas`) whose outline touches
  lon {REGION[0]}..{REGION[2]}, lat {REGION[1]}..{REGION[3]}, converted to GeoJSON with
  topojson-client (`LICENSE.topojson-client`, used at vendoring time only) and rounded to 0.01°.
  Country outlines are Natural Earth's and imply no position on any border.
""",
        encoding="utf-8",
    )
    print(f"vendored into {VENDOR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
