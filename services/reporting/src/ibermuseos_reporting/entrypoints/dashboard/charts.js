"use strict";
// Datasets (what a chart shows, its table and its CSV all come from one), their cells as the API
// published them, and the charts drawn from them with d3.
(function (D) {
  // Each takes white text at 4.5:1 or more (labels inside stacked bars).
  const SERIES_COLOURS = ["#8c2349", "#a65f12", "#2f6f8f", "#5b7f3a", "#6c5a9c"];
  const SVG_FONT = 13;
  const EXACT = "\u00a0\u2713";
  // States of a cell the API's disclosure control hides (a missing one is a rate of nothing: no figure to hide).
  const HIDDEN = new Set(["suppressed", "protecting", "withheld"]);
  const isHidden = (c) => HIDDEN.has(c.state);

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : `{${name}}`));
  }

  // One published value: shown (exact when its row or answer says so, else protected), or hidden by
  // the API's disclosure control (named in the row's `suppressed`, and also in `protecting` when it
  // is hidden to protect another, smaller one).
  function cell(row, field, source, extract) {
    const raw = row ? row[field] : undefined;
    const value = extract && raw !== null && raw !== undefined ? extract(raw) : raw;
    const base = { source, key: row ? String(row.key) : "", field, exact: Boolean(row && row.exact) };
    if (value !== null && value !== undefined) return { ...base, value, state: "shown" };
    const listed = (name) => Boolean(row && (row[name] || []).includes(field));
    const state = listed("protecting") ? "protecting" : listed("suppressed") ? "suppressed" : "missing";
    return { ...base, value: null, state };
  }

  // A figure the page works out from published ones (a rate, a sum); hidden if any part is, exact if all are.
  function derived(parts, compute, formula) {
    const hidden = parts.find((part) => part.state !== "shown");
    const exact = parts.every((part) => part.exact);
    if (hidden) return { value: null, state: hidden.state, derived: formula, exact };
    const value = compute(...parts.map((part) => Number(part.value)));
    return Number.isFinite(value) ? { value, state: "shown", derived: formula, exact } : { value: null, state: "missing", derived: formula, exact };
  }

  function sum(cells) {
    const shown = cells.filter((c) => c.state === "shown");
    return {
      value: shown.reduce((total, c) => total + Number(c.value), 0),
      complete: shown.length === cells.length,
      exact: cells.every((c) => c.exact)
    };
  }

  function formatter(lang, t) {
    const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
    const currencies = {};
    const money = (value, currency) => {
      currencies[currency] = currencies[currency] || new Intl.NumberFormat(lang, { style: "currency", currency, currencyDisplay: "code", maximumFractionDigits: 0 });
      return currencies[currency].format(Number(value));
    };
    function value(column, v) {
      if (column.kind === "rate") return percent.format(v);
      if (column.kind === "money") return money(v, column.currency);
      return number.format(Number(v));
    }
    function mark(state) {
      if (state === "protecting") return { short: t.protecting, long: t.protectingLong };
      if (state === "suppressed") return { short: t.suppressed, long: t.suppressedLong };
      if (state === "withheld") return { short: t.protecting, long: t.withheldLong };
      return { short: t.missing, long: t.missingLong };
    }
    // A shown value as written, with the mark of an exact figure.
    function shown(column, c) {
      return fmt.value(column, c.value) + (c.exact ? EXACT : "");
    }
    const fmt = { number, percent, money, value, mark, shown, exactLong: t.exactLong };
    return fmt;
  }

  function attributes(node, c) {
    node.dataset.state = c.state;
    node.dataset.value = c.value === null || c.value === undefined ? "" : String(c.value);
    node.dataset.exact = String(Boolean(c.exact));
    if (c.source !== undefined) {
      node.dataset.source = c.source;
      node.dataset.key = c.key;
      node.dataset.field = c.field;
    }
    if (c.derived) node.dataset.derived = c.derived;
  }

  // Writes a cell into an HTML element: the number (marked when exact), or the mark of a hidden one,
  // each mark with its meaning for screen readers.
  function writeCell(node, c, column, fmt) {
    attributes(node, c);
    if (c.state === "shown") {
      node.textContent = fmt.value(column, c.value);
      if (c.exact) node.append(exactMark(fmt));
      return;
    }
    const { short, long } = fmt.mark(c.state);
    const visible = document.createElement("span");
    visible.setAttribute("aria-hidden", "true");
    visible.textContent = short;
    visible.title = long;
    const spoken = document.createElement("span");
    spoken.className = "sr-only";
    spoken.textContent = long;
    node.replaceChildren(visible, spoken);
    if (isHidden(c)) node.classList.add("hidden-cell");
  }

  function exactMark(fmt) {
    const mark = document.createElement("span");
    mark.className = "exact-mark";
    mark.title = fmt.exactLong;
    const visible = document.createElement("span");
    visible.setAttribute("aria-hidden", "true");
    visible.textContent = EXACT;
    const spoken = document.createElement("span");
    spoken.className = "sr-only";
    spoken.textContent = ` (${fmt.exactLong})`;
    mark.append(visible, spoken);
    return mark;
  }

  function table(dataset, fmt, keyTitle) {
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    const tableNode = document.createElement("table");
    tableNode.className = dataset.columns.length >= 3 ? "data many" : "data";
    tableNode.dataset.dataset = dataset.id;
    const caption = tableNode.createCaption();
    caption.className = "sr-only";
    caption.textContent = dataset.title;
    const head = tableNode.createTHead().insertRow();
    const first = document.createElement("th");
    first.scope = "col";
    first.textContent = keyTitle;
    head.appendChild(first);
    dataset.columns.forEach((column) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = column.label;
      head.appendChild(th);
    });
    const body = tableNode.createTBody();
    dataset.rows.forEach((row) => {
      const tr = body.insertRow();
      tr.dataset.key = row.key;
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = row.label;
      tr.appendChild(th);
      dataset.columns.forEach((column) => {
        const td = tr.insertCell();
        td.dataset.label = column.label;
        writeCell(td, row.cells[column.id], column, fmt);
      });
    });
    wrap.appendChild(tableNode);
    return wrap;
  }

  function csvField(value) {
    const text = value === null || value === undefined ? "" : String(value);
    // Text a spreadsheet would run as a formula is quoted (as the API's CSV does).
    const safe = /^[=+\-@\t\r]/.test(text) ? "'" + text : text;
    return /[",\n]/.test(safe) ? '"' + safe.replace(/"/g, '""') + '"' : safe;
  }

  // The dataset as CSV, as the API writes its own: its field names, whether the row is exact, hidden
  // cells empty and named in suppressed/protecting.
  function csv(dataset) {
    const header = ["key", "label", ...dataset.columns.map((column) => column.id), "exact", "suppressed", "protecting"];
    const lines = [header.map(csvField).join(",")];
    dataset.rows.forEach((row) => {
      const cells = dataset.columns.map((column) => row.cells[column.id]);
      const named = (state) => dataset.columns.filter((column, i) => cells[i].state === state || (state === "suppressed" && cells[i].state === "protecting")).map((column) => column.id).join(";");
      const exact = cells.every((c) => c.exact) ? "True" : "False";
      lines.push([row.key, row.label, ...cells.map((c) => (c.state === "shown" ? c.value : "")), exact, named("suppressed"), named("protecting")].map(csvField).join(","));
    });
    return lines.join("\n") + "\n";
  }

  function download(dataset, lang) {
    const blob = new Blob(["\ufeff" + csv(dataset)], { type: "text/csv;charset=utf-8" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `ibermuseos-${dataset.id}-${lang}.csv`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  // ---------------------------------------------------------------------- drawing

  function truncate(label, room) {
    const chars = Math.max(4, Math.floor(room / (SVG_FONT * 0.56)));
    return label.length > chars ? label.slice(0, chars - 1) + "…" : label;
  }

  function hatch(svg, id) {
    const pattern = svg.append("defs").append("pattern")
      .attr("id", id).attr("patternUnits", "userSpaceOnUse").attr("width", 6).attr("height", 6).attr("patternTransform", "rotate(45)");
    pattern.append("rect").attr("width", 6).attr("height", 6).attr("class", "hatch-bg");
    pattern.append("line").attr("x1", 0).attr("y1", 0).attr("x2", 0).attr("y2", 6).attr("class", "hatch-line");
    return `url(#${id})`;
  }

  function newSvg(container, width, height, id) {
    const svg = d3.select(container).append("svg")
      .attr("viewBox", `0 0 ${width} ${height}`).attr("width", width).attr("height", height)
      .attr("class", "chart-svg").attr("aria-hidden", "true").attr("focusable", "false");
    return { svg, hatched: hatch(svg, `hatch-${id}`) };
  }

  function markCell(selection, c) {
    selection.attr("data-state", c.state).attr("data-value", c.value === null ? "" : String(c.value)).attr("data-exact", String(Boolean(c.exact)));
    if (c.source !== undefined) selection.attr("data-source", c.source).attr("data-key", c.key).attr("data-field", c.field);
  }

  // Horizontal bars: one bar per row (stacked: one segment per series), or per row a group of bars
  // (one per series) under the row's name.
  function hbars(container, dataset, fmt, options) {
    const series = options.series;
    const stacked = Boolean(options.stacked);
    const grouped = series.length > 1 && !stacked;
    const width = Math.max(280, container.clientWidth);
    const bar = 22, gap = grouped ? 4 : 8, groupGap = 18, title = grouped ? 22 : 0;
    const labels = grouped ? series.map((s) => s.label) : dataset.rows.map((row) => row.label);
    const longest = Math.max(...labels.map((label) => label.length), 4);
    const left = Math.min(Math.round(width * 0.42), longest * SVG_FONT * 0.56 + 12);
    const valueTexts = dataset.rows.flatMap((row) => series.map((s) => row.cells[s.id]))
      .map((c, i) => (c.state === "shown" ? fmt.shown(series[i % series.length], c) : fmt.mark(c.state).short));
    const right = Math.max(36, Math.max(...valueTexts.map((text) => text.length)) * SVG_FONT * 0.62 + 12) + (stacked ? 14 : 0);
    const perGroup = grouped ? title + series.length * (bar + gap) + groupGap : bar + gap;
    const height = Math.max(bar, dataset.rows.length * perGroup - (grouped ? groupGap : gap)) + 2;
    const { svg, hatched } = newSvg(container, width, height, dataset.id);
    const lengths = dataset.rows.flatMap((row) => {
      const cells = series.map((s) => row.cells[s.id]);
      return stacked ? [sum(cells).value] : cells.filter((c) => c.state === "shown").map((c) => Number(c.value));
    });
    const max = options.max !== undefined ? options.max : Math.max(1, ...lengths);
    const x = d3.scaleLinear().domain([0, max]).range([0, width - left - right]);
    dataset.rows.forEach((row, i) => {
      const g = svg.append("g").attr("transform", `translate(0,${i * perGroup})`).attr("data-key", row.key);
      if (grouped) {
        g.append("text").attr("class", "group-title").attr("x", 0).attr("y", 15).text(truncate(row.label, width - 8)).append("title").text(row.label);
      }
      let end = left;
      series.forEach((s, j) => {
        const c = row.cells[s.id];
        const y = stacked ? 0 : title + j * (bar + gap);
        const mark = g.append("g").attr("class", "mark").attr("transform", `translate(0,${y})`);
        markCell(mark, c);
        if (!stacked || j === 0) {
          const label = grouped ? s.label : row.label;
          mark.append("text").attr("class", "label").attr("x", left - 8).attr("y", bar / 2).attr("dy", "0.35em")
            .attr("text-anchor", "end").text(truncate(label, left - 10)).append("title").text(label);
        }
        const shown = c.state === "shown";
        const zero = shown && Number(c.value) === 0;
        if (stacked && (zero || !shown && !isHidden(c))) return;
        const w = shown ? Math.max(stacked ? 0 : 2, x(Number(c.value))) : isHidden(c) ? 16 : 0;
        const x0 = stacked ? end : left;
        if (w) {
          mark.append("rect").attr("x", x0).attr("y", 0).attr("width", w).attr("height", bar).attr("rx", 2)
            .attr("fill", shown ? SERIES_COLOURS[series.length > 1 ? j : 0] : hatched).attr("class", shown ? "bar" : "bar hidden");
        }
        const text = shown ? fmt.shown(s, c) : fmt.mark(c.state).short;
        if (!stacked) {
          mark.append("text").attr("class", "value").attr("x", x0 + w + 6).attr("y", bar / 2).attr("dy", "0.35em").text(text);
        } else if (w >= text.length * 8 + 8) {
          mark.append("text").attr("class", shown ? "value inside" : "value").attr("x", x0 + w / 2).attr("y", bar / 2).attr("dy", "0.35em").attr("text-anchor", "middle").text(text);
        }
        end = x0 + w;
      });
      if (stacked) {
        const total = sum(series.map((s) => row.cells[s.id]));
        const written = fmt.shown({ kind: "count" }, total);
        g.append("text").attr("class", "value total").attr("x", end + 6).attr("y", bar / 2).attr("dy", "0.35em")
          .text(total.complete ? written : "≥ " + written);
      }
    });
  }

  // Columns by a key (a year): grouped side by side, or stacked; labelled above.
  function columns(container, dataset, fmt, options) {
    const series = options.series;
    const stacked = Boolean(options.stacked);
    const width = Math.max(280, container.clientWidth);
    const height = options.height || 220;
    const top = 22, bottom = 26;
    const { svg, hatched } = newSvg(container, width, height, dataset.id);
    const band = d3.scaleBand().domain(dataset.rows.map((row) => row.key)).range([0, width]).paddingInner(0.25).paddingOuter(0.1);
    const inner = d3.scaleBand().domain(series.map((s) => s.id)).range([0, band.bandwidth()]).padding(0.08);
    const totals = dataset.rows.map((row) => {
      const cells = series.map((s) => row.cells[s.id]);
      return stacked ? sum(cells).value : Math.max(0, ...cells.filter((c) => c.state === "shown").map((c) => Number(c.value)));
    });
    const y = d3.scaleLinear().domain([0, Math.max(1, ...totals)]).range([height - bottom, top]);
    svg.append("line").attr("class", "baseline").attr("x1", 0).attr("x2", width).attr("y1", height - bottom).attr("y2", height - bottom);
    dataset.rows.forEach((row) => {
      const g = svg.append("g").attr("data-key", row.key);
      let base = height - bottom;
      series.forEach((s, j) => {
        const c = row.cells[s.id];
        const mark = g.append("g").attr("class", "mark");
        markCell(mark, c);
        const shown = c.state === "shown";
        const x0 = stacked ? band(row.key) : band(row.key) + inner(s.id);
        const w = stacked ? band.bandwidth() : inner.bandwidth();
        const h = shown ? Math.max(1, height - bottom - y(Number(c.value))) : isHidden(c) ? 10 : 0;
        const y0 = base - h;
        if (h) {
          mark.append("rect").attr("x", x0).attr("y", y0).attr("width", w).attr("height", h).attr("rx", 2)
            .attr("fill", shown ? SERIES_COLOURS[j] : hatched).attr("class", shown ? "bar" : "bar hidden");
        }
        const text = shown ? fmt.shown(s, c) : fmt.mark(c.state).short;
        if (stacked) {
          if (h >= SVG_FONT + 4) {
            mark.append("text").attr("class", "value inside").attr("x", x0 + w / 2).attr("y", y0 + h / 2).attr("dy", "0.35em").attr("text-anchor", "middle").text(text);
          }
          base = y0;
        } else {
          mark.append("text").attr("class", "value").attr("x", x0 + w / 2).attr("y", y0 - 5).attr("text-anchor", "middle").text(text);
        }
      });
      if (stacked) {
        g.append("text").attr("class", "value total").attr("x", band(row.key) + band.bandwidth() / 2).attr("y", base - 5).attr("text-anchor", "middle").text(fmt.shown({ kind: "count" }, sum(series.map((s) => row.cells[s.id]))));
      }
      g.append("text").attr("class", "label").attr("x", band(row.key) + band.bandwidth() / 2).attr("y", height - 7).attr("text-anchor", "middle").text(row.label);
    });
  }

  function legend(series) {
    const list = document.createElement("ul");
    list.className = "legend";
    series.forEach((s, j) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = SERIES_COLOURS[j];
      item.append(swatch, s.label);
      list.appendChild(item);
    });
    return list;
  }

  // The chart's text alternative in one sentence: its leader, its trend, or the totals of its series.
  function describe(dataset, field, fmt, t, how) {
    const column = dataset.columns.find((c) => c.id === field);
    const shown = dataset.rows.filter((row) => row.cells[field].state === "shown");
    const hidden = dataset.rows.filter((row) => (how && how.series ? how.series : [column]).some((s) => isHidden(row.cells[s.id]))).length;
    let text = "";
    if (how && how.series) {
      text = fill(t.describe.totals, {
        list: how.series.map((s) => {
          const total = sum(dataset.rows.map((row) => row.cells[s.id]));
          const written = fmt.value(s, total.value);
          return `${s.label} ${total.complete ? written : fill(t.atLeast, { value: written })}`;
        }).join(" · ")
      });
    } else if (how && how.trend && shown.length > 1) {
      const first = shown[0], last = shown[shown.length - 1];
      text = fill(t.describe.trend, { first: fmt.value(column, first.cells[field].value), firstKey: first.label, last: fmt.value(column, last.cells[field].value), lastKey: last.label });
    } else if (shown.length) {
      const top = shown.reduce((a, b) => (Number(b.cells[field].value) > Number(a.cells[field].value) ? b : a));
      text = fill(t.describe.bars, { top: top.label, value: fmt.value(column, top.cells[field].value), count: dataset.rows.length });
    }
    if (hidden) text += (text ? " " : "") + fill(how && how.series ? t.describe.hiddenSome : t.describe.hidden, { count: hidden });
    return text || t.noData;
  }

  // What the text alternative says of figures not shown exactly: rounded counts (or, for institutions,
  // counted as far as the rounded counts of people allow); nothing when every figure is exact.
  function protection(dataset, t) {
    const rounded = dataset.rows.some((row) => dataset.columns.some((column) => {
      const c = row.cells[column.id];
      return c && c.state === "shown" && !c.exact;
    }));
    return rounded ? fill(t.describe[dataset.protection || "rounded"], D.rounding || {}) : "";
  }

  // A chart card: title, its text alternative, the drawing (redrawn when its width changes), the table, CSV.
  function figure(parent, dataset, options) {
    const { fmt, t, lang } = options;
    const node = document.createElement("figure");
    node.className = "card chart" + (options.wide ? " wide" : "");
    node.id = `chart-${dataset.id}`;
    node.dataset.chart = dataset.id;
    const caption = document.createElement("figcaption");
    const heading = document.createElement("h3");
    heading.id = `${dataset.id}-title`;
    heading.textContent = dataset.title;
    const description = document.createElement("p");
    description.className = "desc";
    description.id = `${dataset.id}-desc`;
    description.textContent = options.description || "";
    // Said once beside the figures for the eye; here for whoever reads the chart through its text alternative.
    const protectedBy = protection(dataset, t);
    if (protectedBy) description.append(Object.assign(document.createElement("span"), { className: "sr-only", textContent: ` ${protectedBy}` }));
    caption.append(heading, description);
    node.appendChild(caption);
    if (options.series && options.series.length > 1) node.appendChild(legend(options.series));
    const plot = document.createElement("div");
    plot.className = "plot";
    plot.setAttribute("role", "img");
    plot.setAttribute("aria-labelledby", `${heading.id} ${description.id}`);
    node.appendChild(plot);
    if (options.extra) node.appendChild(options.extra);
    node.appendChild(actions(dataset, options));
    parent.appendChild(node);
    if (options.draw) {
      let drawnAt = null;
      const redraw = () => {
        if (plot.clientWidth === drawnAt) return;
        drawnAt = plot.clientWidth;
        plot.replaceChildren();
        options.draw(plot, dataset);
      };
      redraw();
      new ResizeObserver(redraw).observe(plot);
    }
    return node;
  }

  function actions(dataset, options) {
    const { fmt, t, lang } = options;
    const bar = document.createElement("div");
    bar.className = "actions";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "csv";
    button.textContent = t.csv;
    button.setAttribute("aria-label", fill(t.csvOf, { title: dataset.title }));
    button.addEventListener("click", () => download(dataset, lang));
    if (options.table !== false) {
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = t.table;
      details.append(summary, table(dataset, fmt, dataset.keyTitle));
      bar.append(details);
    }
    bar.prepend(button);
    return bar;
  }

  D.charts = { isHidden, cell, derived, sum, formatter, writeCell, markCell, table, csv, download, hbars, columns, describe, figure, actions, legend, fill, hatch, SERIES_COLOURS };
})(window.Dashboard);
