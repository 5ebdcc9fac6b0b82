"use strict";
// The dashboard: reads the public figures API and draws the program's story. Every number on the
// page is a cell of an API answer (data-source, data-key, data-field) or worked out from such cells
// (data-derived); hidden cells are shown as the API marks them.
(function (D) {
  const C = D.charts;
  const lang = D.TEXTS[document.body.dataset.lang] ? document.body.dataset.lang : "es";
  const t = D.TEXTS[lang];
  const fmt = C.formatter(lang, t);
  const fill = C.fill;
  let regions = null;
  try { regions = new Intl.DisplayNames([lang], { type: "region" }); } catch (e) { regions = null; }
  const countryName = (code) => { try { return (regions && regions.of(code)) || code; } catch (e) { return code; } };
  const PROGRAMS = ["training_grants", "training_courses", "mini_courses", "conversatorios"];
  const KIND_OF_PROGRAM = ["training_courses", "mini_courses", "conversatorios"];

  async function get(path) {
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(path, { headers: { Accept: "application/json" } });
      if (response.status === 429 && attempt < 2) {
        const wait = Math.min(5, Number(response.headers.get("Retry-After")) || 1);
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        continue;
      }
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      return response.json();
    }
  }

  const SOURCES = {
    headline: `/figures/headline?lang=${lang}`,
    byCountry: `/figures/beneficiaries?by=country&lang=${lang}`,
    byYear: `/figures/beneficiaries?by=year&lang=${lang}`,
    byProgram: `/figures/beneficiaries?by=program&lang=${lang}`,
    byGender: `/figures/beneficiaries?by=gender&lang=${lang}`,
    byType: `/figures/beneficiaries?by=institution_type&lang=${lang}`,
    institutionsByCountry: "/figures/institutions?by=country",
    institutionsByType: "/figures/institutions?by=institution_type",
    grantsInstitutions: "/figures/institutions?program=training_grants",
    grantsByCall: `/figures/grants?by=call&lang=${lang}`,
    grantsByYear: `/figures/grants?by=year&lang=${lang}`,
    grantsByCountry: `/figures/grants?by=country&lang=${lang}`,
    coursesByProgram: `/figures/courses?by=program&lang=${lang}`,
    coursesByYear: `/figures/courses?by=year&lang=${lang}`,
    coursesByCountry: `/figures/courses?by=country&lang=${lang}`,
    freshness: "/freshness",
    map: document.body.dataset.map
  };

  // ------------------------------------------------------------------ datasets

  function column(id, kind, extra) {
    return { id, label: t.columns[id] || id, kind: kind || "count", ...extra };
  }

  // An amount of one currency; with no currency (nothing awarded yet, or every amount hidden) a plain figure.
  function money(field, currency) {
    return currency
      ? column(`${field}.${currency}`, "money", { label: `${t.columns[field]} (${currency})`, field, currency })
      : column(field, "count", { extract: () => "0" });
  }

  function currencies(rows, fields) {
    const found = new Set();
    rows.forEach((row) => fields.forEach((field) => Object.keys(row[field] || {}).forEach((c) => found.add(c))));
    return [...found].sort();
  }

  // The cell of one column for one API row (money: the amount of one currency of the row's amounts).
  function cellOf(row, col, source) {
    if (col.compute) return col.compute(row, source);
    if (col.extract) return C.cell(row, col.id, source, col.extract);
    if (col.kind === "money") {
      const c = C.cell(row, col.field, source, (amounts) => (col.currency in amounts ? amounts[col.currency] : "0"));
      return { ...c, field: col.id };
    }
    return C.cell(row, col.field || col.id, source);
  }

  function dataset(id, keyTitle, columns, rows) {
    return { id, title: t.charts[id], keyTitle, columns, rows };
  }

  function rowsOf(body, source, columns, labelOf, order) {
    const rows = body.rows.map((row) => ({
      key: String(row.key),
      label: labelOf(row),
      cells: Object.fromEntries(columns.map((col) => [col.id, cellOf(row, col, source)]))
    }));
    return order ? order(rows) : rows;
  }

  const byKey = (rows) => rows.slice().sort((a, b) => a.key.localeCompare(b.key));
  const byLabel = (rows) => rows.slice().sort((a, b) => a.label.localeCompare(b.label, lang));
  const inOrder = (keys) => (rows) => rows.slice().sort((a, b) => rank(keys, a.key) - rank(keys, b.key));
  const rank = (keys, key) => (keys.includes(key) ? keys.indexOf(key) : keys.length);
  // Largest first, hidden ones last in alphabetical order: the API's own order would give away their rank.
  const byValue = (field) => (rows) => rows.slice().sort((a, b) => {
    const x = a.cells[field], y = b.cells[field];
    if ((x.state === "shown") !== (y.state === "shown")) return x.state === "shown" ? -1 : 1;
    if (x.state === "shown" && Number(y.value) !== Number(x.value)) return Number(y.value) - Number(x.value);
    return a.label.localeCompare(b.label, lang);
  });

  const rate = (id, numerator, denominator) => column(id, "rate", {
    compute: (row, source) => ({
      ...C.derived([C.cell(row, numerator, source), C.cell(row, denominator, source)], (n, d) => n / d, `${numerator}/${denominator}`),
      source, key: String(row.key), field: id
    })
  });

  // ------------------------------------------------------------------ page parts

  function text(node, value) {
    node.textContent = value;
    return node;
  }

  function tile(id, label, c, column, note) {
    const holder = document.querySelector(`[data-tile="${id}"]`);
    text(holder.querySelector("dt"), label);
    const figure = holder.querySelector(".figure");
    if (c.complete === false && c.state === "shown") {
      C.writeCell(figure, { ...c, state: "shown" }, column, fmt);
      figure.textContent = fill(t.atLeast, { value: figure.textContent });
      figure.dataset.complete = "false";
    } else {
      C.writeCell(figure, c, column, fmt);
    }
    text(holder.querySelector(".note"), note || "");
  }

  // A total of published cells: "at least" the shown ones while some are hidden; withheld while that says nothing.
  function sumCell(rows, field, formula) {
    const total = C.sum(rows.map((row) => row.cells[field]));
    if (!total.complete && total.value === 0) return { value: null, state: "withheld", derived: formula };
    return { value: total.value, state: "shown", derived: formula, complete: total.complete };
  }

  function headline(h) {
    const node = document.getElementById("headline");
    if (h.beneficiaries === null || h.beneficiaries === undefined) {
      node.textContent = t.headlineSmall;
      return;
    }
    const countries = fmt.number.format(h.countries);
    const form = new Intl.PluralRules(lang).select(h.countries) === "one" ? "one" : "other";
    const parts = fill(t.headline[form], { people: "\u0000people\u0000", countries: "\u0000countries\u0000", institutions: "\u0000institutions\u0000" }).split("\u0000");
    const figures = {
      people: { value: h.beneficiaries, field: "beneficiaries" },
      countries: { value: h.countries, field: "countries", text: countries },
      institutions: { value: h.institutions, field: "institutions" }
    };
    node.replaceChildren(...parts.map((part) => {
      if (!(part in figures)) return document.createTextNode(part);
      const strong = document.createElement("strong");
      const f = figures[part];
      C.writeCell(strong, { value: f.value, state: "shown", source: SOURCES.headline, key: "", field: f.field }, column("x"), fmt);
      return strong;
    }));
  }

  function section(id) {
    return document.querySelector(`#${id} .grid`);
  }

  function chartOptions(extra) {
    return { fmt, t, lang, ...extra };
  }

  // ------------------------------------------------------------------ the sections

  function where(data, topology) {
    const people = column("people");
    const byCountry = dataset("byCountry", t.columns.country, [people],
      rowsOf(data.byCountry, SOURCES.byCountry, [people], (row) => countryName(row.key), byValue("people")));
    const grid = section("where");
    const cells = new Map(byCountry.rows.map((row) => [row.key, row.cells.people]));
    const outsideNote = document.createElement("p");
    outsideNote.className = "map-note";
    const mapSet = { ...byCountry, id: "map", title: t.charts.map };
    D.datasets.map = mapSet;
    C.figure(grid, mapSet, chartOptions({
      table: false,
      description: fill(t.describe.map, { top: C.describe(byCountry, "people", fmt, t) }),
      extra: outsideNote,
      draw: (plot) => {
        const outside = D.map.draw(plot, topology, cells, fmt, t, countryName);
        outsideNote.textContent = outside.length ? fill(t.outside, { list: outside.map(countryName).join(", ") }) : "";
      }
    }));
    const beside = document.createElement("div");
    beside.className = "stack";
    grid.appendChild(beside);
    add(beside, byCountry, [people], "people");
    const channels = [column("direct"), column("through_replication_only")];
    const institutions = dataset("institutionsByCountry", t.columns.country, [column("institutions"), ...channels],
      rowsOf(data.institutionsByCountry, SOURCES.institutionsByCountry, [column("institutions"), ...channels], (row) => countryName(row.key), byValue("institutions")));
    add(beside, institutions, channels, "institutions", { stacked: true });
    countryTable(data, byCountry);
  }

  function countryTable(data, byCountry) {
    const parts = [
      [data.institutionsByCountry, SOURCES.institutionsByCountry, [column("institutions")]],
      [data.grantsByCountry, SOURCES.grantsByCountry, [column("applications"), column("accepted")]],
      [data.coursesByCountry, SOURCES.coursesByCountry, [column("enrolments"), column("completion_rate", "rate")]]
    ];
    const columns = [column("people"), ...parts.flatMap(([, , cols]) => cols)];
    const rows = new Map(byCountry.rows.map((row) => [row.key, { ...row, cells: { ...row.cells } }]));
    parts.forEach(([body, source, cols]) => body.rows.forEach((apiRow) => {
      const row = rows.get(apiRow.key) || { key: apiRow.key, label: countryName(apiRow.key), cells: { people: { value: null, state: "missing" } } };
      cols.forEach((col) => { row.cells[col.id] = cellOf(apiRow, col, source); });
      rows.set(apiRow.key, row);
    }));
    const all = [...rows.values()];
    // A country absent from a table has none of its counts, and no rate.
    const none = (col) => (col.kind === "rate" ? { value: null, state: "missing", derived: "absent" } : { value: 0, state: "shown", derived: "absent" });
    all.forEach((row) => columns.forEach((col) => { row.cells[col.id] = row.cells[col.id] || none(col); }));
    const set = dataset("countryTable", t.columns.country, columns, byValue("people")(all));
    const card = document.createElement("figure");
    card.className = "card chart wide";
    card.id = "chart-countryTable";
    card.dataset.chart = "countryTable";
    const caption = document.createElement("figcaption");
    caption.appendChild(text(document.createElement("h3"), set.title));
    card.append(caption, C.table(set, fmt, set.keyTitle), C.actions(set, chartOptions({ table: false })));
    document.querySelector("#where .after").appendChild(card);
    D.datasets[set.id] = set;
  }

  function trends(data, institutionsByYear) {
    const grid = section("trends");
    const people = column("people");
    const peopleByYear = dataset("peopleByYear", t.columns.year, [people], rowsOf(data.byYear, SOURCES.byYear, [people], (row) => row.key, byKey));
    add(grid, peopleByYear, [people], "people", { trend: true });

    const courseColumns = [column("enrolments"), column("completed"), column("completion_rate", "rate"), column("certificates"), column("hours_certified")];
    const coursesByYear = dataset("coursesByYear", t.columns.year, courseColumns, rowsOf(data.coursesByYear, SOURCES.coursesByYear, courseColumns, (row) => row.key, byKey));
    add(grid, coursesByYear, courseColumns.slice(0, 2), "enrolments", { trend: true });

    const grantColumns = [column("applications"), column("awarded"), column("accepted"), column("reports")];
    const grantsByYear = dataset("grantsByYear", t.columns.year, grantColumns, rowsOf(data.grantsByYear, SOURCES.grantsByYear, grantColumns, (row) => row.key, byKey));
    add(grid, grantsByYear, grantColumns.slice(0, 3), "applications", { trend: true });

    const channels = [column("direct"), column("through_replication_only")];
    const institutionRows = institutionsByYear.map(([year, body]) => ({
      key: year,
      label: year,
      cells: Object.fromEntries(channels.map((col) => [col.id, C.cell({ ...body, key: "" }, col.id, `/figures/institutions?year=${year}`)]))
    }));
    const institutions = dataset("institutionsByYear", t.columns.year, channels, institutionRows);
    add(grid, institutions, channels, "direct", { trend: true, stacked: true });
  }

  // A chart card of columns (by year) or bars (anything else), with its description and table.
  function add(grid, set, series, field, how) {
    const options = how || {};
    D.datasets[set.id] = set;
    const several = series.length > 1 && !options.trend;
    return C.figure(grid, set, chartOptions({
      series,
      description: C.describe(set, field, fmt, t, several ? { series } : options),
      draw: (plot) => (options.trend
        ? C.columns(plot, set, fmt, { series, stacked: options.stacked })
        : C.hbars(plot, set, fmt, { series, max: options.max, stacked: options.stacked }))
    }));
  }

  function who(data) {
    const grid = section("who");
    const people = column("people");
    const label = (names) => (row) => names[row.key] || row.label || row.key;
    add(grid, dataset("byProgram", t.columns.program, [people], rowsOf(data.byProgram, SOURCES.byProgram, [people], label(t.programs), inOrder(PROGRAMS))), [people], "people");
    add(grid, dataset("byGender", t.columns.gender, [people], rowsOf(data.byGender, SOURCES.byGender, [people], label(t.genders), inOrder(["female", "male", "non_binary", "other", "not_given"]))), [people], "people");
    add(grid, dataset("byType", t.columns.type, [people], rowsOf(data.byType, SOURCES.byType, [people], label(t.types), byValue("people"))), [people], "people");
  }

  function grants(data) {
    const grid = section("grants");
    const rows = data.grantsByCall.rows;
    const codes = currencies(rows, ["amount_awarded", "amount_accepted"]);
    const columns = [
      "applications", "eligible", "ineligible", "withdrawn", "awarded", "waitlisted", "rejected", "accepted", "declined", "reports"
    ].map((id) => column(id));
    const all = [
      ...columns,
      rate("success_rate", "awarded", "applications"),
      rate("acceptance_rate", "accepted", "awarded"),
      ...(codes.length ? codes : [null]).flatMap((currency) => [money("amount_awarded", currency), money("amount_accepted", currency)])
    ];
    const calls = dataset("funnel", t.columns.call, all, rowsOf(data.grantsByCall, SOURCES.grantsByCall, all, (row) => row.label || row.key, byLabel));
    const stages = ["applications", "eligible", "awarded", "accepted", "reports"].map((id) => all.find((c) => c.id === id));
    add(grid, calls, stages, "applications");
    const amountColumns = all.filter((c) => c.id.startsWith("amount_"));
    const amounts = { ...calls, id: "amounts", title: t.charts.amounts, columns: amountColumns };
    const bars = amountColumns.map((c) => {
      const what = t.columns[c.id.startsWith("amount_awarded") ? "awarded" : "accepted"];
      return { ...c, label: what };
    });
    add(grid, amounts, bars, amountColumns[0].id);
    const reports = C.sum(calls.rows.map((row) => row.cells.reports));
    const note = document.getElementById("replication");
    const reached = C.cell({ ...data.grantsInstitutions, key: "" }, "through_replication_only", SOURCES.grantsInstitutions);
    note.replaceChildren(...fill(t.replication, { institutions: "\u0000i\u0000", reports: "\u0000r\u0000" }).split("\u0000").map((part) => {
      if (part === "i") { const s = document.createElement("strong"); C.writeCell(s, reached, column("institutions"), fmt); return s; }
      if (part === "r") { const s = document.createElement("strong"); s.textContent = reports.complete ? fmt.number.format(reports.value) : fill(t.atLeast, { value: fmt.number.format(reports.value) }); s.dataset.derived = "sum:reports"; s.dataset.value = String(reports.value); return s; }
      return document.createTextNode(part);
    }));
  }

  function courses(data) {
    const grid = section("courses");
    const columns = [
      column("enrolments"), column("waitlisted"), column("cancellations"), column("evaluated"), column("completed"),
      column("completion_rate", "rate"), column("certificates"), column("hours_certified")
    ];
    const kinds = dataset("coursesByKind", t.columns.kind, columns,
      rowsOf(data.coursesByProgram, SOURCES.coursesByProgram, columns, (row) => t.programs[row.key] || row.key, inOrder(KIND_OF_PROGRAM)));
    add(grid, kinds, ["enrolments", "completed", "certificates"].map((id) => columns.find((c) => c.id === id)), "enrolments");
    const completion = { ...kinds, id: "completion", title: t.charts.completion };
    add(grid, completion, [columns[5]], "completion_rate", { max: 1 });
    add(grid, { ...kinds, id: "hours", title: t.charts.hours }, [columns[7]], "hours_certified");
    return kinds;
  }

  function institutions(data) {
    const grid = section("institutions");
    const count = [column("institutions")];
    const h = { ...data.headline, key: "" };
    const channelRows = [["direct", "institutions_direct"], ["through_replication_only", "institutions_through_replication_only"]].map(([key, field]) => ({
      key, label: t.channels[key], cells: { institutions: C.cell(h, field, SOURCES.headline) }
    }));
    add(grid, dataset("channel", t.columns.channel, count, channelRows), count, "institutions");
    const channels = [column("direct"), column("through_replication_only")];
    const byType = dataset("institutionsByType", t.columns.type, [...count, ...channels],
      rowsOf(data.institutionsByType, SOURCES.institutionsByType, [...count, ...channels], (row) => t.types[row.key] || row.key, byValue("institutions")));
    add(grid, byType, channels, "institutions", { stacked: true });
  }

  function tiles(data, kinds, calls) {
    const h = { ...data.headline, key: "" };
    const count = column("x");
    tile("beneficiaries", t.tiles.beneficiaries, C.cell(h, "beneficiaries", SOURCES.headline), count, t.tiles.beneficiariesNote);
    tile("countries", t.tiles.countries, C.cell(h, "countries", SOURCES.headline), count, t.tiles.countriesNote);
    tile("institutions", t.tiles.institutions, C.cell(h, "institutions", SOURCES.headline), count,
      fill(t.tiles.institutionsNote, { direct: fmt.number.format(h.institutions_direct), replication: fmt.number.format(h.institutions_through_replication_only) }));
    tile("certificates", t.tiles.certificates, sumCell(kinds.rows, "certificates", "sum:certificates"), count, t.tiles.certificatesNote);
    tile("hours", t.tiles.hours, sumCell(kinds.rows, "hours_certified", "sum:hours_certified"), count, t.tiles.hoursNote);
    const grantees = data.byProgram.rows.find((row) => row.key === "training_grants");
    const accepted = calls.columns.filter((c) => c.field === "amount_accepted" && c.currency).map((col) => {
      const total = sumCell(calls.rows, col.id, `sum:${col.id}`);
      if (total.state !== "shown") return null;
      const written = fmt.value(col, total.value);
      return total.complete ? written : fill(t.atLeast, { value: written });
    }).filter(Boolean);
    tile("grantees", t.tiles.grantees, grantees ? C.cell(grantees, "people", SOURCES.byProgram) : { value: 0, state: "shown" }, count,
      accepted.length ? fill(t.tiles.granteesNote, { amount: accepted.join(" + ") }) : "");
  }

  function yearsOf(data) {
    const years = new Set([...data.byYear.rows, ...data.grantsByYear.rows, ...data.coursesByYear.rows].map((row) => String(row.key)));
    return [...years].filter((y) => /^\d{4}$/.test(y)).sort();
  }

  function freshness(data) {
    const node = document.getElementById("as-of");
    const time = data.freshness.last_event_time;
    if (!time) {
      node.textContent = t.noData;
      return;
    }
    const when = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" }).format(new Date(time));
    const stamp = document.createElement("time");
    stamp.dateTime = time;
    stamp.textContent = when;
    const [before, after] = fill(t.asOf, { time: "\u0000" }).split("\u0000");
    node.replaceChildren(document.createTextNode(before), stamp, document.createTextNode(after || ""));
  }

  function staticTexts() {
    document.title = t.title;
    document.querySelectorAll("[data-text]").forEach((node) => {
      const value = node.dataset.text.split(".").reduce((o, k) => (o ? o[k] : undefined), t);
      if (typeof value === "string") node.textContent = value;
    });
    document.querySelectorAll("nav.languages a").forEach((a) => {
      if (a.hreflang === lang) a.setAttribute("aria-current", "true");
    });
    document.getElementById("print").addEventListener("click", () => window.print());
  }

  async function load() {
    staticTexts();
    const names = Object.keys(SOURCES);
    const bodies = await Promise.all(names.map((name) => get(SOURCES[name])));
    const data = Object.fromEntries(names.map((name, i) => [name, bodies[i]]));
    const years = yearsOf(data);
    const institutionsByYear = await Promise.all(years.map(async (year) => [year, await get(`/figures/institutions?year=${year}`)]));
    headline(data.headline);
    text(document.getElementById("lede"), fill(t.lede, { years: years.length ? (years.length > 1 ? `${years[0]}–${years[years.length - 1]}` : years[0]) : "" }));
    freshness(data);
    where(data, data.map);
    trends(data, institutionsByYear);
    who(data);
    grants(data);
    const kinds = courses(data);
    institutions(data);
    tiles(data, kinds, D.datasets.funnel);
  }

  D.datasets = {};
  D.csvOf = (id) => C.csv(D.datasets[id]);
  load().then(
    () => { document.body.dataset.ready = "true"; },
    (error) => {
      document.getElementById("headline").textContent = t.error;
      document.body.dataset.ready = "error";
      console.error(error);
    }
  );
})(window.Dashboard);
