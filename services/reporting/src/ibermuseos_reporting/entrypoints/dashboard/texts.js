"use strict";
// Every word the dashboard shows, in the program's three languages. Templates take {name} fields.
window.Dashboard = window.Dashboard || {};
window.Dashboard.TEXTS = {
  es: {
    title: "Ibermuseos · Formación y Capacitación: el programa en cifras",
    program: "Ibermuseos", line: "Formación y Capacitación", skip: "Ir al contenido", languages: "Idioma",
    print: "Imprimir", eyebrow: "El programa en cifras",
    headline: { one: "{people} profesional de museos de {countries} país se ha beneficiado y {institutions} instituciones han sido alcanzadas", other: "{people} profesionales de museos de {countries} países se han beneficiado y {institutions} instituciones han sido alcanzadas" },
    headlineSmall: "Menos de 5 profesionales se han beneficiado hasta ahora",
    lede: "Becas de formación, cursos, minicursos y conversatorios para profesionales de museos de Iberoamérica, {years}.",
    asOf: "Datos al {time}", noData: "Todavía no hay datos.",
    tiles: {
      beneficiaries: "Profesionales beneficiados", beneficiariesNote: "cada persona cuenta una vez",
      countries: "Países", countriesNote: "de residencia de los beneficiados",
      institutions: "Instituciones alcanzadas", institutionsNote: "{direct} directamente · {replication} por replicación",
      certificates: "Certificados emitidos", certificatesNote: "vigentes, de cursos y minicursos",
      hours: "Horas de formación certificadas", hoursNote: "en certificados vigentes",
      grantees: "Personas becadas", granteesNote: "{amount} en becas aceptadas"
    },
    atLeast: "al menos {value}",
    sections: {
      where: "De dónde vienen", whereIntro: "Profesionales beneficiados por país de residencia. Los países en gris no tienen participantes todavía.",
      trends: "Año a año", trendsIntro: "Cada persona cuenta una vez por año; las becas, por el año de su convocatoria.",
      who: "Quiénes se beneficiaron", whoIntro: "Una persona que participó en varios programas cuenta en cada uno de ellos, y una sola vez en el total.",
      grants: "Becas de formación", grantsIntro: "De la postulación al informe final, por convocatoria.",
      courses: "Cursos, minicursos y conversatorios", coursesIntro: "La tasa de finalización es finalizados ÷ evaluados: los cursos en marcha no cuentan en contra.",
      institutions: "Instituciones alcanzadas", institutionsIntro: "Las instituciones de las personas beneficiadas (directamente) y las que las personas becadas alcanzaron con sus actividades de replicación; cada institución cuenta una vez."
    },
    charts: {
      map: "Profesionales beneficiados por país", byCountry: "Ranking de países", institutionsByCountry: "Instituciones alcanzadas por país",
      countryTable: "Cifras por país",
      peopleByYear: "Profesionales beneficiados por año", coursesByYear: "Inscripciones y finalizaciones por año",
      grantsByYear: "Postulaciones, becas otorgadas y aceptadas por año", institutionsByYear: "Instituciones alcanzadas por año",
      byProgram: "Por programa", byGender: "Por género", byType: "Por tipo de institución",
      funnel: "De la postulación al informe, por convocatoria", amounts: "Montos otorgados y aceptados, por convocatoria",
      calls: "Cada convocatoria",
      coursesByKind: "Inscripciones, finalizaciones y certificados, por tipo", completion: "Tasa de finalización, por tipo", hours: "Horas certificadas, por tipo",
      kinds: "Cada tipo de actividad",
      channel: "Directamente y por replicación", institutionsByType: "Por tipo de institución"
    },
    replication: "Las actividades de replicación de las personas becadas alcanzaron {institutions} instituciones de las que no vino ninguna persona beneficiada, según {reports} informes.",
    outside: "Fuera del mapa, en la tabla: {list}.",
    legend: { people: "Personas", none: "Sin participantes", hidden: "No publicado (<5 o –)" },
    columns: {
      country: "País", year: "Año", program: "Programa", gender: "Género", type: "Tipo", call: "Convocatoria", kind: "Tipo", channel: "Vía",
      people: "Personas", institutions: "Instituciones", direct: "Directamente", through_replication_only: "Solo por replicación",
      applications: "Postulaciones", eligible: "Elegibles", ineligible: "No elegibles", withdrawn: "Retiradas",
      awarded: "Otorgadas", waitlisted: "En lista de espera", rejected: "Rechazadas", accepted: "Aceptadas", declined: "Renunciadas",
      reports: "Informes", amount_awarded: "Monto otorgado", amount_accepted: "Monto aceptado",
      success_rate: "Otorgadas / postulaciones", acceptance_rate: "Aceptadas / otorgadas",
      enrolments: "Inscripciones", cancellations: "Cancelaciones", evaluated: "Evaluadas", completed: "Finalizadas",
      completion_rate: "Tasa de finalización", certificates: "Certificados", hours_certified: "Horas certificadas"
    },
    programs: { training_grants: "Becas de formación", training_courses: "Cursos de formación", mini_courses: "Minicursos", conversatorios: "Conversatorios" },
    genders: { female: "Mujeres", male: "Hombres", non_binary: "No binario", other: "Otro", not_given: "No indicado" },
    types: { museum: "Museo", government: "Gobierno", university: "Universidad", cultural_centre: "Centro cultural", ngo: "ONG", other: "Otro", not_given: "No indicado" },
    channels: { direct: "Directamente", through_replication_only: "Solo por replicación" },
    describe: {
      bars: "Mayor cifra: {top} ({value}); {count} en total.", trend: "De {first} en {firstKey} a {last} en {lastKey}.",
      hidden: "{count} no publicados para proteger a las personas.", hiddenSome: "Algunas cifras de {count} no se publican, para proteger a las personas.",
      totals: "En total: {list}.", map: "Mapa de Iberoamérica. {top}"
    },
    table: "Ver la tabla", csv: "Descargar CSV", csvOf: "Descargar «{title}» como CSV",
    suppressed: "<5", suppressedLong: "menos de 5 personas: no se publica",
    protecting: "–", protectingLong: "no se publica, para que no pueda deducirse otra cifra pequeña", withheldLong: "no se publica: sumaría cifras no publicadas", missing: "—",
    note: "Para proteger a las personas, las cifras de menos de 5 personas no se publican (<5), ni las que permitirían deducirlas (–). Los totales cuentan a cada persona una vez.",
    sources: "Cifras calculadas por el servicio de reportes a partir de los eventos públicos del programa.",
    mapCredit: "Mapa: Natural Earth (dominio público), vía world-atlas.",
    links: { api: "API de cifras", iati: "IATI", giving: "360Giving" },
    error: "No se pudieron cargar las cifras. Vuelva a intentarlo en un momento."
  },
  pt: {
    title: "Ibermuseus · Formação e Capacitação: o programa em números",
    program: "Ibermuseus", line: "Formação e Capacitação", skip: "Ir para o conteúdo", languages: "Idioma",
    print: "Imprimir", eyebrow: "O programa em números",
    headline: { one: "{people} profissional de museus de {countries} país beneficiado e {institutions} instituições alcançadas", other: "{people} profissionais de museus de {countries} países beneficiados e {institutions} instituições alcançadas" },
    headlineSmall: "Menos de 5 profissionais beneficiados até agora",
    lede: "Bolsas de formação, cursos, minicursos e conversatórios para profissionais de museus da Ibero-América, {years}.",
    asOf: "Dados em {time}", noData: "Ainda não há dados.",
    tiles: {
      beneficiaries: "Profissionais beneficiados", beneficiariesNote: "cada pessoa conta uma vez",
      countries: "Países", countriesNote: "de residência dos beneficiados",
      institutions: "Instituições alcançadas", institutionsNote: "{direct} diretamente · {replication} por replicação",
      certificates: "Certificados emitidos", certificatesNote: "válidos, de cursos e minicursos",
      hours: "Horas de formação certificadas", hoursNote: "em certificados válidos",
      grantees: "Bolsistas", granteesNote: "{amount} em bolsas aceitas"
    },
    atLeast: "pelo menos {value}",
    sections: {
      where: "De onde vêm", whereIntro: "Profissionais beneficiados por país de residência. Os países em cinza ainda não têm participantes.",
      trends: "Ano a ano", trendsIntro: "Cada pessoa conta uma vez por ano; as bolsas, pelo ano do seu edital.",
      who: "Quem se beneficiou", whoIntro: "Uma pessoa que participou de vários programas conta em cada um deles, e uma só vez no total.",
      grants: "Bolsas de formação", grantsIntro: "Da candidatura ao relatório final, por edital.",
      courses: "Cursos, minicursos e conversatórios", coursesIntro: "A taxa de conclusão é concluídos ÷ avaliados: os cursos em andamento não contam contra.",
      institutions: "Instituições alcançadas", institutionsIntro: "As instituições das pessoas beneficiadas (diretamente) e as que os bolsistas alcançaram com as suas atividades de replicação; cada instituição conta uma vez."
    },
    charts: {
      map: "Profissionais beneficiados por país", byCountry: "Ranking de países", institutionsByCountry: "Instituições alcançadas por país",
      countryTable: "Números por país",
      peopleByYear: "Profissionais beneficiados por ano", coursesByYear: "Inscrições e conclusões por ano",
      grantsByYear: "Candidaturas, bolsas concedidas e aceitas por ano", institutionsByYear: "Instituições alcançadas por ano",
      byProgram: "Por programa", byGender: "Por gênero", byType: "Por tipo de instituição",
      funnel: "Da candidatura ao relatório, por edital", amounts: "Valores concedidos e aceitos, por edital",
      calls: "Cada edital",
      coursesByKind: "Inscrições, conclusões e certificados, por tipo", completion: "Taxa de conclusão, por tipo", hours: "Horas certificadas, por tipo",
      kinds: "Cada tipo de atividade",
      channel: "Diretamente e por replicação", institutionsByType: "Por tipo de instituição"
    },
    replication: "As atividades de replicação dos bolsistas alcançaram {institutions} instituições de onde não veio nenhuma pessoa beneficiada, segundo {reports} relatórios.",
    outside: "Fora do mapa, na tabela: {list}.",
    legend: { people: "Pessoas", none: "Sem participantes", hidden: "Não publicado (<5 ou –)" },
    columns: {
      country: "País", year: "Ano", program: "Programa", gender: "Gênero", type: "Tipo", call: "Edital", kind: "Tipo", channel: "Via",
      people: "Pessoas", institutions: "Instituições", direct: "Diretamente", through_replication_only: "Só por replicação",
      applications: "Candidaturas", eligible: "Elegíveis", ineligible: "Não elegíveis", withdrawn: "Retiradas",
      awarded: "Concedidas", waitlisted: "Em lista de espera", rejected: "Rejeitadas", accepted: "Aceitas", declined: "Recusadas",
      reports: "Relatórios", amount_awarded: "Valor concedido", amount_accepted: "Valor aceito",
      success_rate: "Concedidas / candidaturas", acceptance_rate: "Aceitas / concedidas",
      enrolments: "Inscrições", cancellations: "Cancelamentos", evaluated: "Avaliadas", completed: "Concluídas",
      completion_rate: "Taxa de conclusão", certificates: "Certificados", hours_certified: "Horas certificadas"
    },
    programs: { training_grants: "Bolsas de formação", training_courses: "Cursos de formação", mini_courses: "Minicursos", conversatorios: "Conversatórios" },
    genders: { female: "Mulheres", male: "Homens", non_binary: "Não binário", other: "Outro", not_given: "Não informado" },
    types: { museum: "Museu", government: "Governo", university: "Universidade", cultural_centre: "Centro cultural", ngo: "ONG", other: "Outro", not_given: "Não informado" },
    channels: { direct: "Diretamente", through_replication_only: "Só por replicação" },
    describe: {
      bars: "Maior número: {top} ({value}); {count} no total.", trend: "De {first} em {firstKey} a {last} em {lastKey}.",
      hidden: "{count} não publicados para proteger as pessoas.", hiddenSome: "Alguns números de {count} não são publicados, para proteger as pessoas.",
      totals: "No total: {list}.", map: "Mapa da Ibero-América. {top}"
    },
    table: "Ver a tabela", csv: "Baixar CSV", csvOf: "Baixar «{title}» em CSV",
    suppressed: "<5", suppressedLong: "menos de 5 pessoas: não é publicado",
    protecting: "–", protectingLong: "não é publicado, para que outro número pequeno não possa ser deduzido", withheldLong: "não é publicado: somaria números não publicados", missing: "—",
    note: "Para proteger as pessoas, os números de menos de 5 pessoas não são publicados (<5), nem os que permitiriam deduzi-los (–). Os totais contam cada pessoa uma vez.",
    sources: "Números calculados pelo serviço de relatórios a partir dos eventos públicos do programa.",
    mapCredit: "Mapa: Natural Earth (domínio público), via world-atlas.",
    links: { api: "API de números", iati: "IATI", giving: "360Giving" },
    error: "Não foi possível carregar os números. Tente novamente em um instante."
  },
  en: {
    title: "Ibermuseos · Training and Capacity Building: the program in figures",
    program: "Ibermuseos", line: "Training and Capacity Building", skip: "Skip to content", languages: "Language",
    print: "Print", eyebrow: "The program in figures",
    headline: { one: "{people} museum professional from {countries} country has benefited, and {institutions} institutions have been reached", other: "{people} museum professionals from {countries} countries have benefited, and {institutions} institutions have been reached" },
    headlineSmall: "Fewer than 5 professionals have benefited so far",
    lede: "Training grants, courses, mini courses and conversatorios for museum professionals of Ibero-America, {years}.",
    asOf: "Data as of {time}", noData: "No data yet.",
    tiles: {
      beneficiaries: "Professionals who benefited", beneficiariesNote: "each person counted once",
      countries: "Countries", countriesNote: "where the beneficiaries live",
      institutions: "Institutions reached", institutionsNote: "{direct} directly · {replication} through replication",
      certificates: "Certificates issued", certificatesNote: "valid, from courses and mini courses",
      hours: "Hours of training certified", hoursNote: "on valid certificates",
      grantees: "Grantees", granteesNote: "{amount} in grants accepted"
    },
    atLeast: "at least {value}",
    sections: {
      where: "Where they come from", whereIntro: "Professionals who benefited, by country of residence. Countries in grey have no participants yet.",
      trends: "Year by year", trendsIntro: "Each person counts once a year; grants count in the year of their call.",
      who: "Who benefited", whoIntro: "A person who took part in several programs counts in each of them, and once in the total.",
      grants: "Training grants", grantsIntro: "From application to final report, per call.",
      courses: "Courses, mini courses and conversatorios", coursesIntro: "The completion rate is completed ÷ evaluated: runs still going do not count against it.",
      institutions: "Institutions reached", institutionsIntro: "The institutions of the people who benefited (directly) and those grantees reached with their replication activities; each institution counts once."
    },
    charts: {
      map: "Professionals who benefited, by country", byCountry: "Countries ranked", institutionsByCountry: "Institutions reached, by country",
      countryTable: "Figures by country",
      peopleByYear: "Professionals who benefited, by year", coursesByYear: "Enrolments and completions, by year",
      grantsByYear: "Applications, grants awarded and accepted, by year", institutionsByYear: "Institutions reached, by year",
      byProgram: "By program", byGender: "By gender", byType: "By type of institution",
      funnel: "From application to report, per call", amounts: "Amounts awarded and accepted, per call",
      calls: "Every call",
      coursesByKind: "Enrolments, completions and certificates, by kind", completion: "Completion rate, by kind", hours: "Hours certified, by kind",
      kinds: "Every kind of activity",
      channel: "Directly and through replication", institutionsByType: "By type of institution"
    },
    replication: "Grantees' replication activities reached {institutions} institutions no beneficiary came from, according to {reports} reports.",
    outside: "Outside the map, in the table: {list}.",
    legend: { people: "People", none: "No participants", hidden: "Not published (<5 or –)" },
    columns: {
      country: "Country", year: "Year", program: "Program", gender: "Gender", type: "Type", call: "Call", kind: "Kind", channel: "Channel",
      people: "People", institutions: "Institutions", direct: "Directly", through_replication_only: "Through replication only",
      applications: "Applications", eligible: "Eligible", ineligible: "Ineligible", withdrawn: "Withdrawn",
      awarded: "Awarded", waitlisted: "Waitlisted", rejected: "Rejected", accepted: "Accepted", declined: "Declined",
      reports: "Reports", amount_awarded: "Amount awarded", amount_accepted: "Amount accepted",
      success_rate: "Awarded / applications", acceptance_rate: "Accepted / awarded",
      enrolments: "Enrolments", cancellations: "Cancellations", evaluated: "Evaluated", completed: "Completed",
      completion_rate: "Completion rate", certificates: "Certificates", hours_certified: "Hours certified"
    },
    programs: { training_grants: "Training grants", training_courses: "Training courses", mini_courses: "Mini courses", conversatorios: "Conversatorios" },
    genders: { female: "Women", male: "Men", non_binary: "Non-binary", other: "Other", not_given: "Not given" },
    types: { museum: "Museum", government: "Government", university: "University", cultural_centre: "Cultural centre", ngo: "NGO", other: "Other", not_given: "Not given" },
    channels: { direct: "Directly", through_replication_only: "Through replication only" },
    describe: {
      bars: "Highest: {top} ({value}); {count} in all.", trend: "From {first} in {firstKey} to {last} in {lastKey}.",
      hidden: "{count} not published to protect people.", hiddenSome: "Some figures of {count} are not published, to protect people.",
      totals: "In all: {list}.", map: "Map of Ibero-America. {top}"
    },
    table: "Show the table", csv: "Download CSV", csvOf: "Download “{title}” as CSV",
    suppressed: "<5", suppressedLong: "fewer than 5 people: not published",
    protecting: "–", protectingLong: "not published, so that another small figure cannot be worked out", withheldLong: "not published: it would add up figures that are not", missing: "—",
    note: "To protect people, figures of fewer than 5 people are not published (<5), nor those from which they could be worked out (–). Totals count each person once.",
    sources: "Figures computed by the reporting service from the program's public events.",
    mapCredit: "Map: Natural Earth (public domain), via world-atlas.",
    links: { api: "Figures API", iati: "IATI", giving: "360Giving" },
    error: "The figures could not be loaded. Please try again in a moment."
  }
};
