// Prepares data/basemap/natural-earth-middle-east.geojson from Natural Earth admin-0 countries, as
// redistributed (TopoJSON) by the npm package world-atlas 2.0.2. Run once, offline afterwards:
//
//   mkdir -p /tmp/basemap-prep && cd /tmp/basemap-prep
//   npm install world-atlas@2.0.2 topojson-client@3.1.0
//   NODE_PATH=$PWD/node_modules node /path/to/repo/data/basemap/prepare.js > /path/to/repo/data/basemap/natural-earth-middle-east.geojson
//
// Output: one GeoJSON FeatureCollection with four features, each with `properties.layer`:
//   land / lines at 1:50m for the countries listed in DETAIL (the region and its neighbours), and
//   land / lines at 1:110m for the rest of the world (context when zoomed out, e.g. talks held in
//   Washington). "lines" is the topological mesh of the countries: every border and coastline,
//   each drawn once. Coordinates are rounded (3 decimals ~ 100 m at 1:50m, 2 at 1:110m) and repeated
//   points dropped, to keep the file small: it travels inside every map figure.
const topojson = require("topojson-client");
const fine = require("world-atlas/countries-50m.json");
const coarse = require("world-atlas/countries-110m.json");

// Drawn at 1:50m: the region's countries (tensions/data/taxonomy.py) and the neighbours seen around them in
// the Middle East view. Names as Natural Earth spells them.
const DETAIL = new Set([
  "Iraq", "Syria", "Jordan", "Lebanon", "Israel", "Palestine", "Yemen", "Iran", "Qatar", "Bahrain", "Kuwait",
  "United Arab Emirates", "Oman", "Saudi Arabia", "Egypt", "Turkey", "Cyprus", "N. Cyprus",
  "Sudan", "Eritrea", "Djibouti", "Ethiopia", "Somalia", "Somaliland", "Libya", "Greece",
  "Georgia", "Armenia", "Azerbaijan", "Turkmenistan", "Afghanistan", "Pakistan",
]);

function rounded(coordinates, digits) {
  const f = 10 ** digits;
  const round = (c) => {
    if (typeof c[0] === "number") return [Math.round(c[0] * f) / f, Math.round(c[1] * f) / f];
    const out = [];
    for (const child of c.map(round)) {
      const last = out[out.length - 1];
      if (typeof child[0] === "number" && last && last[0] === child[0] && last[1] === child[1]) continue;
      out.push(child);
    }
    return out;
  };
  return round(coordinates);
}

function layers(topology, keep, digits, resolution) {
  const geometries = topology.objects.countries.geometries.filter((g) => keep(g));
  const collection = { type: "GeometryCollection", geometries };
  const land = topojson.merge(topology, geometries);
  const lines = topojson.mesh(topology, collection);
  const dropEmpty = (polys) => polys.filter((p) => p[0].length >= 4);
  return [
    {
      type: "Feature",
      properties: { layer: "land", resolution },
      geometry: { type: "MultiPolygon", coordinates: dropEmpty(rounded(land.coordinates, digits)) },
    },
    {
      type: "Feature",
      properties: { layer: "lines", resolution },
      geometry: {
        type: "MultiLineString",
        coordinates: rounded(lines.coordinates, digits).filter((l) => l.length >= 2),
      },
    },
  ];
}

const fineNames = new Set(fine.objects.countries.geometries.map((g) => g.properties.name));
const missing = [...DETAIL].filter((name) => !fineNames.has(name));
if (missing.length) throw new Error(`not in Natural Earth: ${missing.join(", ")}`);
const output = {
  type: "FeatureCollection",
  properties: {
    source: "Natural Earth admin-0 countries v4.1.0 (public domain), via world-atlas 2.0.2",
    detail_countries: [...DETAIL].sort(),
  },
  features: [
    ...layers(fine, (g) => DETAIL.has(g.properties.name), 3, "50m"),
    ...layers(coarse, (g) => !DETAIL.has(g.properties.name), 2, "110m"),
  ],
};
process.stdout.write(JSON.stringify(output));
