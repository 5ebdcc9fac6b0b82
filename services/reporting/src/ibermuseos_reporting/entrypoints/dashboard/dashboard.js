"use strict";
(function () {
  const TEXTS = {
    es: {
      title: "Ibermuseos · Formación y Capacitación", beneficiaries: "Profesionales beneficiados",
      institutions: "Instituciones alcanzadas", replication: "Alcanzadas solo por replicación",
      countries: "Países", byCountry: "Personas beneficiadas por país", byYear: "Personas beneficiadas por año",
      byProgram: "Personas beneficiadas por programa", asOf: "Datos al", suppressed: "<5", protecting: "–",
      suppression: "Para proteger a las personas, las cifras de menos de 5 personas no se publican (<5), ni las que permitirían deducirlas (–).",
      programs: { training_grants: "Becas de formación", training_courses: "Cursos de formación", mini_courses: "Minicursos", conversatorios: "Conversatorios" },
      error: "No se pudieron cargar las cifras."
    },
    pt: {
      title: "Ibermuseus · Formação e Capacitação", beneficiaries: "Profissionais beneficiados",
      institutions: "Instituições alcançadas", replication: "Alcançadas só por replicação",
      countries: "Países", byCountry: "Pessoas beneficiadas por país", byYear: "Pessoas beneficiadas por ano",
      byProgram: "Pessoas beneficiadas por programa", asOf: "Dados em", suppressed: "<5", protecting: "–",
      suppression: "Para proteger as pessoas, os números de menos de 5 pessoas não são publicados (<5), nem os que permitiriam deduzi-los (–).",
      programs: { training_grants: "Bolsas de formação", training_courses: "Cursos de formação", mini_courses: "Minicursos", conversatorios: "Conversatórios" },
      error: "Não foi possível carregar os números."
    },
    en: {
      title: "Ibermuseos · Training and Capacity Building", beneficiaries: "Professionals who benefited",
      institutions: "Institutions reached", replication: "Reached through replication only",
      countries: "Countries", byCountry: "People who benefited, by country", byYear: "People who benefited, by year",
      byProgram: "People who benefited, by program", asOf: "Data as of", suppressed: "<5", protecting: "–",
      suppression: "To protect people, figures of fewer than 5 people are not published (<5), nor those from which they could be worked out (–).",
      programs: { training_grants: "Training grants", training_courses: "Training courses", mini_courses: "Mini courses", conversatorios: "Conversatorios" },
      error: "The figures could not be loaded."
    }
  };
  const lang = TEXTS[document.body.dataset.lang] ? document.body.dataset.lang : "es";
  const t = TEXTS[lang];
  const number = new Intl.NumberFormat(lang);
  let regions = null;
  try { regions = new Intl.DisplayNames([lang], { type: "region" }); } catch (e) { regions = null; }
  const countryName = (code) => { try { return (regions && regions.of(code)) || code; } catch (e) { return code; } };
  const SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, String(v)));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function hiddenLabel(row) {
    return (row.protecting || []).includes("people") ? t.protecting : t.suppressed;
  }

  function bars(container, rows, label) {
    const width = 480, rowHeight = 24, left = 150, right = 50;
    const max = Math.max(1, ...rows.map((r) => r.people || 0));
    const svg = el("svg", { viewBox: `0 0 ${width} ${Math.max(rowHeight, rows.length * rowHeight)}`, role: "img", width: "100%" });
    rows.forEach((row, i) => {
      const y = i * rowHeight;
      const g = el("g", { "data-key": row.key });
      g.appendChild(el("text", { x: left - 6, y: y + 16, "text-anchor": "end" }, label(row.key)));
      const shown = row.people !== null && row.people !== undefined;
      const w = shown ? Math.max(2, ((width - left - right) * row.people) / max) : 12;
      g.appendChild(el("rect", { x: left, y: y + 4, width: w, height: rowHeight - 8, class: shown ? "bar" : "suppressed" }));
      g.appendChild(el("text", { x: left + w + 4, y: y + 16, "data-value": "" }, shown ? number.format(row.people) : hiddenLabel(row)));
      svg.appendChild(g);
    });
    container.replaceChildren(svg);
  }

  function columns(container, rows) {
    const width = 480, height = 200, bottom = 24, top = 18;
    const sorted = rows.slice().sort((a, b) => a.key.localeCompare(b.key));
    const max = Math.max(1, ...sorted.map((r) => r.people || 0));
    const step = sorted.length ? width / sorted.length : width;
    const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", width: "100%" });
    sorted.forEach((row, i) => {
      const g = el("g", { "data-key": row.key });
      const shown = row.people !== null && row.people !== undefined;
      const h = shown ? Math.max(2, ((height - bottom - top) * row.people) / max) : 6;
      const x = i * step + step * 0.2;
      g.appendChild(el("rect", { x, y: height - bottom - h, width: step * 0.6, height: h, class: shown ? "bar" : "suppressed" }));
      g.appendChild(el("text", { x: x + step * 0.3, y: height - bottom - h - 4, "text-anchor": "middle", "data-value": "" }, shown ? number.format(row.people) : hiddenLabel(row)));
      g.appendChild(el("text", { x: x + step * 0.3, y: height - 6, "text-anchor": "middle" }, row.key));
      svg.appendChild(g);
    });
    container.replaceChildren(svg);
  }

  async function get(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  }

  function show(name, value) {
    document.querySelector(`[data-figure="${name}"]`).textContent =
      value === null || value === undefined ? t.suppressed : number.format(value);
  }

  async function load() {
    document.querySelectorAll("[data-text]").forEach((node) => { node.textContent = t[node.dataset.text]; });
    document.title = t.title;
    const [headline, byCountry, byYear, byProgram, freshness] = await Promise.all([
      get(`/figures/headline?lang=${lang}`),
      get(`/figures/beneficiaries?by=country&lang=${lang}`),
      get(`/figures/beneficiaries?by=year&lang=${lang}`),
      get(`/figures/beneficiaries?by=program&lang=${lang}`),
      get("/freshness"),
    ]);
    document.querySelector('[data-figure="headline"]').textContent = headline.text || "";
    show("beneficiaries", headline.beneficiaries);
    show("institutions", headline.institutions);
    show("replication", headline.institutions_through_replication_only);
    show("countries", headline.countries);
    bars(document.getElementById("by-country"), byCountry.rows, countryName);
    columns(document.getElementById("by-year"), byYear.rows);
    bars(document.getElementById("by-program"), byProgram.rows, (key) => t.programs[key] || key);
    const asOf = document.querySelector('[data-figure="as-of"]');
    if (freshness.last_event_time) {
      asOf.dateTime = freshness.last_event_time;
      asOf.textContent = new Date(freshness.last_event_time).toLocaleString(lang);
    } else {
      asOf.textContent = "—";
    }
  }

  load().then(
    () => { document.body.dataset.ready = "true"; },
    (error) => {
      document.querySelector('[data-figure="headline"]').textContent = t.error;
      document.body.dataset.ready = "error";
      console.error(error);
    }
  );
})();
