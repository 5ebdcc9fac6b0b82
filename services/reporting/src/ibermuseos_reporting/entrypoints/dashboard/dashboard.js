"use strict";
// The dashboard: reads the figures API and draws the program's story. Every number on the page is a
// cell of an API answer (data-source, data-key, data-field) or worked out from such cells
// (data-derived); exact cells (data-exact) and hidden ones are shown as the API marks them.
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

  // A focal point or coordinator opens the page with "#token=<their token>": it is kept for this tab
  // only (sessionStorage), taken out of the address (so a copied link never carries it), sent to the
  // API, which answers with what that token may see exactly. "#token=" goes back to the public view.
  const TOKEN = "ibermuseos-dashboard-token";
  function signedIn() {
    try {
      const given = /^#token=(.*)$/.exec(location.hash);
      if (given) {
        if (given[1]) sessionStorage.setItem(TOKEN, decodeURIComponent(given[1]));
        else sessionStorage.removeItem(TOKEN);
        history.replaceState(null, "", location.pathname + location.search);
      }
      return sessionStorage.getItem(TOKEN);
    } catch (e) {
      return null;
    }
  }
  const token = signedIn();

  async function get(path) {
    const headers = { Accept: "application/json" };
    if (token && path.startsWith("/figures/")) headers.Authorization = `Bearer ${token}`;
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(path, { headers });
      if (response.status === 401 && token) {
        // An expired or unknown token: the public view instead.
        sessionStorage.removeItem(TOKEN);
        location.reload();
        return new Promise(() => {});
      }
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

  function dataset(id, keyTitle, columns, rows, protection) {
    return { id, title: t.charts[id], keyTitle, columns, rows, protection };
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

  // A sentence of the texts with figures in it: each {name} of the template becomes the node parts[name]() makes.
  function sentence(node, template, parts) {
    const marked = fill(template, Object.fromEntries(Object.keys(parts).map((name) => [name, `\u0000${name}\u0000`])));
    node.replaceChildren(...marked.split("\u0000").map((piece, i) => (i % 2 ? parts[piece]() : document.createTextNode(piece))));
    return node;
  }

  // A figure in a sentence: the cell as the page writes it ("at least" while some of a total is hidden).
  function figureOf(c, col, tag) {
    const node = document.createElement(tag || "strong");
    C.writeCell(node, c, col || column("x"), fmt);
    if (c.complete === false && c.state === "shown") {
      node.replaceChildren(fill(t.atLeast, { value: node.textContent }));
      node.dataset.complete = "false";
    }
    return node;
  }

  function tile(id, label, c, note, parts) {
    const holder = document.querySelector(`[data-tile="${id}"]`);
    text(holder.querySelector("dt"), label);
    const figure = holder.querySelector(".figure");
    const written = figureOf(c, column("x"), "span");
    written.classList.add("figure");
    figure.replaceWith(written);
    sentence(holder.querySelector(".note"), note || "", parts || {});
  }

  // A total of a table's cells: "at least" the shown ones while some are hidden; withheld while that says nothing.
  // A sum of no rows is as exact as the answer that has none (the public's are protected even when empty).
  function sumCell(rows, field, source, answer, col) {
    const total = C.sum(rows.map((row) => row.cells[field]));
    const exact = rows.length ? total.exact : Boolean(answer && answer.exact);
    const named = { source, key: "", field: col ? col.id : field, derived: "sum", exact };
    if (!total.complete && total.value === 0) return { ...named, value: null, state: "withheld" };
    return { ...named, value: total.value, state: "shown", complete: total.complete };
  }

  function headline(h) {
    const node = document.getElementById("headline");
    if (h.beneficiaries === null || h.beneficiaries === undefined) {
      node.textContent = t.headlineSmall;
      return;
    }
    // Each count says its own noun in the singular or the plural, and the verb agrees with its own subject.
    const forms = new Intl.PluralRules(lang);
    const said = (phrases, count) => phrases[forms.select(count) === "one" ? "one" : "other"];
    const figure = (field) => () => figureOf(C.cell({ ...h, key: "" }, field, SOURCES.headline));
    const phrase = (template, parts) => () => sentence(document.createElement("span"), template, parts);
    const T = t.headline;
    sentence(node, T.join, {
      people: phrase(said(T.people, h.beneficiaries), {
        people: figure("beneficiaries"),
        countries: phrase(said(T.countries, h.countries), { n: figure("countries") })
      }),
      institutions: phrase(said(T.institutions, h.institutions), { n: figure("institutions") })
    });
  }

  // How the figures shown were protected, said once beside them, from what the answers say: rounded
  // (the API's base and interval), exact for this viewer, or some of each.
  function protection(answers) {
    const node = document.getElementById("protection");
    const rounding = answers.map((body) => body && body.protection).find(Boolean);
    D.rounding = rounding && { base: fmt.number.format(rounding.base), interval: fmt.number.format(rounding.interval) };
    const exact = answers.some((body) => body && (body.exact || (body.rows || []).some((row) => row.exact)));
    const paragraphs = [];
    if (exact) paragraphs.push([rounding ? t.protection.someExact : t.protection.allExact, { mark: () => exactLegend() }]);
    else if (token) paragraphs.push([t.protection.noneExact, {}]);
    if (rounding) paragraphs.push([t.protection.rounded, { base: () => document.createTextNode(fmt.number.format(rounding.base)), interval: () => document.createTextNode(fmt.number.format(rounding.interval)) }]);
    node.replaceChildren(...paragraphs.map(([template, parts]) => sentence(document.createElement("p"), template, parts)));
    if (token) {
      const back = Object.assign(document.createElement("a"), { href: "#token=", textContent: t.protection.publicView });
      back.addEventListener("click", (event) => {
        event.preventDefault();
        sessionStorage.removeItem(TOKEN);
        location.reload();
      });
      node.lastChild.append(" ", back);
    }
    node.dataset.rounded = String(Boolean(rounding));
    node.dataset.exact = String(exact);
    node.hidden = paragraphs.length === 0;
  }

  function exactLegend() {
    const mark = document.createElement("span");
    mark.className = "exact-legend";
    mark.textContent = "\u2713";
    mark.setAttribute("aria-label", t.exactLong);
    return mark;
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
      rowsOf(data.institutionsByCountry, SOURCES.institutionsByCountry, [column("institutions"), ...channels], (row) => countryName(row.key), byValue("institutions")), "institutions");
    add(beside, institutions, channels, "institutions", { stacked: true });
    countryTable(data, byCountry);
  }

  function countryTable(data, byCountry) {
    const parts = [
      [data.institutionsByCountry, SOURCES.institutionsByCountry, [column("institutions")]],
      [data.grantsByCountry, SOURCES.grantsByCountry, [column("applications"), column("net_awarded"), column("accepted")]],
      [data.coursesByCountry, SOURCES.coursesByCountry, [column("enrolments"), column("completion_rate", "rate")]]
    ];
    const columns = [column("people"), ...parts.flatMap(([, , cols]) => cols)];
    parts.unshift([data.byCountry, SOURCES.byCountry, [column("people")]]);
    const rows = new Map(byCountry.rows.map((row) => [row.key, { ...row, cells: { ...row.cells } }]));
    parts.slice(1).forEach(([body, source, cols]) => body.rows.forEach((apiRow) => {
      const row = rows.get(apiRow.key) || { key: apiRow.key, label: countryName(apiRow.key), cells: {} };
      cols.forEach((col) => { row.cells[col.id] = cellOf(apiRow, col, source); });
      rows.set(apiRow.key, row);
    }));
    const all = [...rows.values()];
    // A country absent from a table has none of its counts (rows published as 0 are left out), and no rate.
    const none = (body, source, col, key) => ({
      source, key, field: col.id, derived: "absent", exact: body.exact,
      ...(col.kind === "rate" ? { value: null, state: "missing" } : { value: 0, state: "shown" })
    });
    all.forEach((row) => parts.forEach(([body, source, cols]) => cols.forEach((col) => {
      row.cells[col.id] = row.cells[col.id] || none(body, source, col, row.key);
    })));
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

  function trends(data) {
    const grid = section("trends");
    const people = column("people");
    const peopleByYear = dataset("peopleByYear", t.columns.year, [people], rowsOf(data.byYear, SOURCES.byYear, [people], (row) => row.key, byKey));
    add(grid, peopleByYear, [people], "people", { trend: true });

    const courseColumns = [column("enrolments"), column("completed"), column("completion_rate", "rate"), column("certificates"), column("hours_certified")];
    const coursesByYear = dataset("coursesByYear", t.columns.year, courseColumns, rowsOf(data.coursesByYear, SOURCES.coursesByYear, courseColumns, (row) => row.key, byKey));
    add(grid, coursesByYear, courseColumns.slice(0, 2), "enrolments", { trend: true });

    const grantColumns = [column("applications"), column("net_awarded"), column("accepted"), column("reports")];
    const grantsByYear = dataset("grantsByYear", t.columns.year, grantColumns, rowsOf(data.grantsByYear, SOURCES.grantsByYear, grantColumns, (row) => row.key, byKey));
    add(grid, grantsByYear, grantColumns.slice(0, 3), "applications", { trend: true });

    // Institutions are published for the whole program only: the hours certified stand in for them here.
    const hoursByYear = { ...coursesByYear, id: "hoursByYear", title: t.charts.hoursByYear };
    add(grid, hoursByYear, [courseColumns[4]], "hours_certified", { trend: true });
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
    const codes = currencies(rows, ["amount_awarded", "amount_net_awarded", "amount_accepted"]);
    const columns = [
      "applications", "eligible", "ineligible", "withdrawn", "awarded", "net_awarded", "waitlisted", "on_waitlist", "rejected",
      "accepted", "declined", "reports"
    ].map((id) => column(id));
    const all = [
      ...columns,
      rate("success_rate", "net_awarded", "applications"),
      rate("acceptance_rate", "accepted", "awarded"),
      ...(codes.length ? codes : [null]).flatMap((currency) => ["amount_awarded", "amount_net_awarded", "amount_accepted"].map((field) => money(field, currency)))
    ];
    const calls = dataset("funnel", t.columns.call, all, rowsOf(data.grantsByCall, SOURCES.grantsByCall, all, (row) => row.label || row.key, byLabel));
    const stages = ["applications", "eligible", "net_awarded", "accepted", "reports"].map((id) => all.find((c) => c.id === id));
    add(grid, calls, stages, "applications");
    // The amounts committed (net of declines) and accepted; the table keeps every amount.
    const amountColumns = all.filter((c) => c.id.startsWith("amount_"));
    const amounts = { ...calls, id: "amounts", title: t.charts.amounts, columns: amountColumns, protection: "amounts" };
    const bars = amountColumns.filter((c) => !c.id.startsWith("amount_awarded")).map((c) => {
      const what = t.columns[c.id.startsWith("amount_net_awarded") ? "net_awarded" : "accepted"];
      return { ...c, label: codes.length > 1 ? `${what} (${c.currency})` : what };
    });
    add(grid, amounts, bars, bars[0].id);
    const reports = sumCell(calls.rows, "reports", SOURCES.grantsByCall, data.grantsByCall);
    const note = document.getElementById("replication");
    // Over the whole program (the public sees institutions no finer); replication belongs to training grants.
    const reached = C.cell({ ...data.headline, key: "" }, "institutions_through_replication_only", SOURCES.headline);
    sentence(note, t.replication, { institutions: () => figureOf(reached), reports: () => figureOf(reports) });
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
    add(grid, dataset("channel", t.columns.channel, count, channelRows, "institutions"), count, "institutions");
    const channels = [column("direct"), column("through_replication_only")];
    const byType = dataset("institutionsByType", t.columns.type, [...count, ...channels],
      rowsOf(data.institutionsByType, SOURCES.institutionsByType, [...count, ...channels], (row) => t.types[row.key] || row.key, byValue("institutions")), "institutions");
    add(grid, byType, channels, "institutions", { stacked: true });
  }

  function tiles(data, kinds, calls) {
    const h = { ...data.headline, key: "" };
    const figure = (field) => () => figureOf(C.cell(h, field, SOURCES.headline), column("x"), "span");
    tile("beneficiaries", t.tiles.beneficiaries, C.cell(h, "beneficiaries", SOURCES.headline), t.tiles.beneficiariesNote);
    tile("countries", t.tiles.countries, C.cell(h, "countries", SOURCES.headline), t.tiles.countriesNote);
    tile("institutions", t.tiles.institutions, C.cell(h, "institutions", SOURCES.headline), t.tiles.institutionsNote,
      { direct: figure("institutions_direct"), replication: figure("institutions_through_replication_only") });
    tile("certificates", t.tiles.certificates, sumCell(kinds.rows, "certificates", SOURCES.coursesByProgram, data.coursesByProgram), t.tiles.certificatesNote);
    tile("hours", t.tiles.hours, sumCell(kinds.rows, "hours_certified", SOURCES.coursesByProgram, data.coursesByProgram), t.tiles.hoursNote);
    const grantees = data.byProgram.rows.find((row) => row.key === "training_grants");
    const accepted = calls.columns.filter((c) => c.field === "amount_accepted" && c.currency)
      .map((col) => [col, sumCell(calls.rows, col.id, SOURCES.grantsByCall, data.grantsByCall, col)])
      .filter(([, total]) => total.state === "shown");
    const amounts = Object.fromEntries(accepted.map(([col, total], i) => [`a${i}`, () => figureOf(total, col, "span")]));
    const none = { value: 0, state: "shown", derived: "absent", source: SOURCES.byProgram, key: "training_grants", field: "people", exact: data.byProgram.exact };
    tile("grantees", t.tiles.grantees, grantees ? C.cell(grantees, "people", SOURCES.byProgram) : none,
      accepted.length ? fill(t.tiles.granteesNote, { amount: Object.keys(amounts).map((name) => `{${name}}`).join(" + ") }) : "", amounts);
  }

  // The 360Giving file holds the accepted grants as the public counts them: while there are none, the
  // service answers 404, and the footer says so instead of linking to it.
  function openData(data) {
    const accepted = data.grantsByCall.rows.some((row) => Number(row.accepted) > 0);
    const link = document.querySelector('a[href="/open-data/360giving.json"]');
    if (!accepted && !data.grantsByCall.exact && link) link.replaceWith(t.links.givingNone);
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
    headline(data.headline);
    protection(Object.values(data));
    text(document.getElementById("lede"), fill(t.lede, { years: years.length ? (years.length > 1 ? `${years[0]}–${years[years.length - 1]}` : years[0]) : "" }));
    freshness(data);
    where(data, data.map);
    trends(data);
    who(data);
    grants(data);
    const kinds = courses(data);
    institutions(data);
    tiles(data, kinds, D.datasets.funnel);
    openData(data);
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
