"use strict";
// The map of Ibero-America: the Americas with the Iberian Peninsula in an inset, each member
// country shaded by the people who benefited (Natural Earth 1:50m via world-atlas, ISO numeric ids).
(function (D) {
  const MEMBERS = {
    AD: "020", AR: "032", BO: "068", BR: "076", CL: "152", CO: "170", CR: "188", CU: "192", DO: "214", EC: "218", ES: "724",
    GT: "320", HN: "340", MX: "484", NI: "558", PA: "591", PE: "604", PT: "620", PY: "600", SV: "222", UY: "858", VE: "862"
  };
  const IBERIAN = [MEMBERS.AD, MEMBERS.ES, MEMBERS.PT];
  const SHADES = ["#f2d7df", "#dc9bb0", "#c0607f", "#962b52", "#5e0f2f"];
  // What each panel must show (its projection is fitted to these points) and where it is centred.
  const AMERICAS = { rotate: [76, 10], points: [[-117.1, 32.6], [-86.8, 21.6], [-68.3, 19.7], [-34.8, -7.2], [-53.4, -33.7], [-67.3, -55.9], [-75.6, -52.4], [-92, -1]] };
  const IBERIA = { rotate: [3, -40], points: [[-9.5, 43.8], [3.3, 42.4], [4.3, 39.9], [-9.0, 37.0], [-5.6, 36.0]] };

  function panel(svg, features, spec, box, className, fitWidth) {
    const [[x0, y0], [x1, y1]] = box;
    const projection = d3.geoAzimuthalEqualArea().rotate(spec.rotate)
      .fitExtent([[x0 + 6, y0 + 6], [(fitWidth || x1) - 6, y1 - 6]], { type: "MultiPoint", coordinates: spec.points })
      .clipExtent(box);
    const path = d3.geoPath(projection);
    const g = svg.append("g").attr("class", className);
    g.append("rect").attr("class", "ocean").attr("x", x0).attr("y", y0).attr("width", x1 - x0).attr("height", y1 - y0);
    const drawn = g.append("g");
    features.forEach((feature) => {
      const d = path(feature);
      if (d) drawn.append("path").attr("d", d).attr("data-id", feature.id || "");
    });
    return { g, drawn, path, box };
  }

  // Draws the map into `container`; `cells` maps ISO alpha-2 codes to the API's cells of people.
  function draw(container, topology, cells, fmt, t, countryName) {
    const width = Math.max(280, container.clientWidth);
    const height = Math.round(width * 1.12);
    const svg = d3.select(container).append("svg")
      .attr("viewBox", `0 0 ${width} ${height}`).attr("width", width).attr("height", height)
      .attr("class", "chart-svg map").attr("aria-hidden", "true").attr("focusable", "false").attr("id", "map");
    const hatched = D.charts.hatch(svg, "hatch-map");
    const features = topojson.feature(topology, topology.objects.countries).features;
    const codeOf = Object.fromEntries(Object.entries(MEMBERS).map(([code, id]) => [id, code]));
    const shown = [...cells.values()].filter((c) => c.state === "shown").map((c) => Number(c.value));
    const shade = d3.scaleQuantize().domain([0, Math.max(5, ...shown)]).nice().range(SHADES);

    // Iberia in the South Atlantic, where the Americas leave the map empty.
    const inset = [[Math.round(width * 0.62), Math.round(height * 0.74)], [width, height]];
    const panels = [
      // Spain's and Portugal's islands would stray into the Atlantic of the Americas: they are drawn in the inset only.
      panel(svg, features.filter((f) => !IBERIAN.includes(f.id)), AMERICAS, [[0, 0], [width, height]], "americas", Math.round(width * 0.84)),
      panel(svg, features, IBERIA, inset, "iberia")
    ];
    panels[1].g.select(".ocean").attr("class", "ocean inset");
    panels.forEach(({ drawn, path, box }) => {
      drawn.selectAll("path").each(function () {
        const node = d3.select(this);
        const code = codeOf[node.attr("data-id")];
        if (!code) {
          node.attr("class", "land");
          return;
        }
        const c = cells.get(code);
        node.attr("data-country", code).attr("class", c ? `member ${c.state}` : "member none");
        if (c) {
          node.attr("data-state", c.state).attr("data-value", c.value === null ? "" : String(c.value)).attr("data-exact", String(Boolean(c.exact)))
            .attr("data-source", c.source).attr("data-key", c.key).attr("data-field", c.field)
            .attr("fill", c.state === "shown" ? shade(Number(c.value)) : hatched);
        }
        const value = c ? (c.state === "shown" ? fmt.shown({ kind: "count" }, c) : fmt.mark(c.state).short) : t.legend.none;
        node.append("title").text(`${countryName(code)}: ${value}`);
      });
      // Labels where a country is big enough to hold one.
      drawn.selectAll("path[data-state]").each(function () {
        const node = d3.select(this);
        const bbox = this.getBBox();
        if (bbox.width * bbox.height < 900) return;
        const c = cells.get(node.attr("data-country"));
        const feature = features.find((f) => f.id === node.attr("data-id"));
        const [x, y] = labelPoint(feature, path);
        const [[x0, y0], [x1, y1]] = box;
        if (!(x > x0 + 12 && x < x1 - 12 && y > y0 + 8 && y < y1 - 8)) return;
        const label = drawn.append("text").attr("class", "map-label").attr("x", x).attr("y", y).attr("dy", "0.35em").attr("text-anchor", "middle")
          .text(c.state === "shown" ? fmt.shown({ kind: "count" }, c) : fmt.mark(c.state).short);
        D.charts.markCell(label, c);
      });
    });
    const hidden = [...cells.values()].some(D.charts.isHidden);
    legend(container, shade, shown.length > 0, hidden, fmt, t);
    return [...cells.keys()].filter((code) => !(code in MEMBERS));
  }

  // The centroid of a country's largest polygon (so that France's or Chile's islands do not pull it).
  function labelPoint(feature, path) {
    if (feature.geometry.type !== "MultiPolygon") return path.centroid(feature);
    const largest = feature.geometry.coordinates
      .map((coordinates) => ({ type: "Polygon", coordinates }))
      .reduce((a, b) => (path.area(b) > path.area(a) ? b : a));
    return path.centroid(largest);
  }

  // The legend below the map: the classes of people, hidden cells (if the API hides any), the members without figures.
  function legend(container, shade, any, hidden, fmt, t) {
    const list = document.createElement("ul");
    list.className = "legend map-legend";
    // Whole numbers of people per class; no class when nothing is shown.
    const cuts = shade.thresholds().map(Math.ceil);
    const top = Math.floor(shade.domain()[1]);
    const entries = any ? shade.range().map((colour, i) => {
      const low = i === 0 ? 1 : cuts[i - 1];
      const high = i === cuts.length ? top : cuts[i] - 1;
      return { colour, low, high, label: low === high ? fmt.number.format(low) : `${fmt.number.format(low)}–${fmt.number.format(high)}` };
    }).filter((entry) => entry.low <= entry.high) : [];
    if (hidden) entries.push({ className: "shade-hidden", label: t.legend.hidden });
    entries.push({ className: "shade-none", label: t.legend.none });
    // Colours set through the CSSOM, which the page's Content-Security-Policy allows (style attributes it does not).
    const title = document.createElement("li");
    title.className = "legend-title";
    title.textContent = t.legend.people;
    list.appendChild(title);
    entries.forEach((entry) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = `swatch ${entry.className || ""}`;
      if (entry.colour) swatch.style.background = entry.colour;
      item.append(swatch, entry.label);
      list.appendChild(item);
    });
    container.appendChild(list);
  }

  D.map = { draw, MEMBERS };
})(window.Dashboard);
