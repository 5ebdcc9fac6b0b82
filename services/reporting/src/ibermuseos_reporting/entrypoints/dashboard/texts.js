"use strict";
// Every word the dashboard shows, in the program's three languages. Templates take {name} fields.
window.Dashboard = window.Dashboard || {};
window.Dashboard.TEXTS = {
  es: {
    title: "Ibermuseos · Formación y Capacitación: el programa en cifras",
    program: "Ibermuseos", line: "Formación y Capacitación", skip: "Ir al contenido", languages: "Idioma",
    print: "Imprimir", eyebrow: "El programa en cifras",
    headline: {
      join: "{people} y {institutions}",
      people: { one: "{people} profesional de museos de {countries} se ha beneficiado", other: "{people} profesionales de museos de {countries} se han beneficiado" },
      countries: { one: "{n} país", other: "{n} países" },
      institutions: { one: "{n} institución ha sido alcanzada", other: "{n} instituciones han sido alcanzadas" }
    },
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
      where: "De dónde vienen", whereIntro: "Profesionales beneficiados por país de residencia. Los países en gris no tienen ninguna cifra publicada (ninguna persona, o tan pocas que el redondeo las cuenta como 0).",
      trends: "Año a año", trendsIntro: "Cada persona cuenta una vez por año; las becas, por el año de su convocatoria; las horas, por el año en que se finalizó el curso.",
      who: "Quiénes se beneficiaron", whoIntro: "Una persona que participó en varios programas cuenta en cada uno de ellos, y una sola vez en el total.",
      grants: "Becas de formación", grantsIntro: "De la postulación al informe final, por convocatoria. Otorgadas (netas): las becas que se mantienen, aceptadas o a la espera de respuesta, sin las renunciadas; la tabla cuenta también todas las decisiones de otorgamiento, renunciadas incluidas, y las postulaciones que alguna vez estuvieron en lista de espera. Una postulación retirada no cuenta como elegible.",
      courses: "Cursos, minicursos y conversatorios", coursesIntro: "La tasa de finalización es finalizados ÷ evaluados: los cursos en marcha no cuentan en contra.",
      institutions: "Instituciones alcanzadas", institutionsIntro: "Las instituciones de las personas beneficiadas (directamente) y las que las personas becadas alcanzaron con sus actividades de replicación; cada institución cuenta una vez. El público las ve contadas sobre todo el programa, y las alcanzadas directamente solo hasta donde lo permiten las cifras redondeadas de personas."
    },
    charts: {
      map: "Profesionales beneficiados por país", byCountry: "Ranking de países", institutionsByCountry: "Instituciones alcanzadas por país",
      countryTable: "Cifras por país",
      peopleByYear: "Profesionales beneficiados por año", coursesByYear: "Inscripciones y finalizaciones por año",
      grantsByYear: "Postulaciones, becas otorgadas (netas) y aceptadas por año", hoursByYear: "Horas de formación certificadas por año",
      byProgram: "Por programa", byGender: "Por género", byType: "Por tipo de institución",
      funnel: "De la postulación al informe, por convocatoria", amounts: "Montos otorgados (netos) y aceptados, por convocatoria",
      calls: "Cada convocatoria",
      coursesByKind: "Inscripciones, finalizaciones y certificados, por tipo", completion: "Tasa de finalización, por tipo", hours: "Horas certificadas, por tipo",
      kinds: "Cada tipo de actividad",
      channel: "Directamente y por replicación", institutionsByType: "Por tipo de institución"
    },
    replication: "Las actividades de replicación de las personas becadas alcanzaron {institutions} instituciones de las que no vino ninguna persona beneficiada, según {reports} informes.",
    outside: "Fuera del mapa, en la tabla: {list}.",
    legend: { people: "Personas", none: "Ninguna cifra publicada", hidden: "No publicado (<5 o –)" },
    columns: {
      country: "País", year: "Año", program: "Programa", gender: "Género", type: "Tipo", call: "Convocatoria", kind: "Tipo", channel: "Vía",
      people: "Personas", institutions: "Instituciones", direct: "Directamente", through_replication_only: "Solo por replicación",
      applications: "Postulaciones", eligible: "Elegibles", ineligible: "No elegibles", withdrawn: "Retiradas",
      awarded: "Otorgadas (con renunciadas)", net_awarded: "Otorgadas (netas)", waitlisted: "Alguna vez en lista de espera", on_waitlist: "En lista de espera ahora",
      rejected: "Rechazadas", accepted: "Aceptadas", declined: "Renunciadas",
      reports: "Informes", amount_awarded: "Monto otorgado (con renunciadas)", amount_net_awarded: "Monto otorgado (neto)", amount_accepted: "Monto aceptado",
      success_rate: "Otorgadas (netas) / postulaciones", acceptance_rate: "Aceptadas / otorgadas (con renunciadas)",
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
      totals: "En total: {list}.", map: "Mapa de Iberoamérica. {top}",
      rounded: "Cifras redondeadas para proteger a las personas: cada grupo de personas similares cuenta en múltiplos de {base}, a no más de {interval} de su tamaño real.",
      amounts: "Montos calculados de cifras redondeadas: el número redondeado de becas por la beca media de la convocatoria.",
      institutions: "Para el público, las instituciones alcanzadas directamente se cuentan solo hasta donde lo permiten las cifras redondeadas de personas."
    },
    table: "Ver la tabla", csv: "Descargar CSV", csvOf: "Descargar «{title}» como CSV",
    suppressed: "<5", suppressedLong: "menos de 5 personas: no se publica",
    protecting: "–", protectingLong: "no se publica, para que no pueda deducirse otra cifra pequeña", withheldLong: "no se publica: sumaría cifras no publicadas", missing: "—", missingLong: "sin cifra: nada de qué calcularla",
    exactLong: "cifra exacta",
    protection: {
      rounded: "Cifras redondeadas para proteger a las personas: cada cifra suma pequeños grupos de personas similares, y el conteo de cada grupo se redondea a un múltiplo de {base}, a no más de {interval} de su tamaño real (un grupo de 1 o 2 puede contar 0). Las tablas y los totales suman los mismos grupos redondeados, así que concuerdan entre sí; pero una cifra que suma muchos grupos puede desviarse en más de {interval} de la exacta, relativamente más en un programa pequeño.",
      someExact: "Las cifras marcadas con {mark} son exactas, como su token permite (su país); las demás están redondeadas como las ve el público.",
      allExact: "Todas las cifras son exactas ({mark}), como su token permite; el público las ve redondeadas para proteger a las personas.",
      noneExact: "Su token no permite ver ninguna cifra exacta: estas son las cifras públicas.",
      publicView: "Ver la vista pública"
    },
    sources: "Cifras calculadas por el servicio de reportes a partir de los eventos públicos del programa.",
    mapCredit: "Mapa: Natural Earth (dominio público), vía world-atlas.",
    links: { api: "API de cifras", iati: "IATI", giving: "360Giving", givingNone: "360Giving (todavía sin becas que publicar)" },
    error: "No se pudieron cargar las cifras. Vuelva a intentarlo en un momento."
  },
  pt: {
    title: "Ibermuseus · Formação e Capacitação: o programa em números",
    program: "Ibermuseus", line: "Formação e Capacitação", skip: "Ir para o conteúdo", languages: "Idioma",
    print: "Imprimir", eyebrow: "O programa em números",
    headline: {
      join: "{people} e {institutions}",
      people: { one: "{people} profissional de museus de {countries} beneficiado", other: "{people} profissionais de museus de {countries} beneficiados" },
      countries: { one: "{n} país", other: "{n} países" },
      institutions: { one: "{n} instituição alcançada", other: "{n} instituições alcançadas" }
    },
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
      where: "De onde vêm", whereIntro: "Profissionais beneficiados por país de residência. Os países em cinza não têm nenhum número publicado (nenhuma pessoa, ou tão poucas que o arredondamento as conta como 0).",
      trends: "Ano a ano", trendsIntro: "Cada pessoa conta uma vez por ano; as bolsas, pelo ano do seu edital; as horas, pelo ano em que o curso foi concluído.",
      who: "Quem se beneficiou", whoIntro: "Uma pessoa que participou de vários programas conta em cada um deles, e uma só vez no total.",
      grants: "Bolsas de formação", grantsIntro: "Da candidatura ao relatório final, por edital. Concedidas (líquidas): as bolsas que se mantêm, aceitas ou à espera de resposta, sem as recusadas; a tabela conta também todas as decisões de concessão, recusadas incluídas, e as candidaturas que alguma vez estiveram em lista de espera. Uma candidatura retirada não conta como elegível.",
      courses: "Cursos, minicursos e conversatórios", coursesIntro: "A taxa de conclusão é concluídos ÷ avaliados: os cursos em andamento não contam contra.",
      institutions: "Instituições alcançadas", institutionsIntro: "As instituições das pessoas beneficiadas (diretamente) e as que os bolsistas alcançaram com as suas atividades de replicação; cada instituição conta uma vez. O público as vê contadas sobre todo o programa, e as alcançadas diretamente só até onde os números arredondados de pessoas permitem."
    },
    charts: {
      map: "Profissionais beneficiados por país", byCountry: "Ranking de países", institutionsByCountry: "Instituições alcançadas por país",
      countryTable: "Números por país",
      peopleByYear: "Profissionais beneficiados por ano", coursesByYear: "Inscrições e conclusões por ano",
      grantsByYear: "Candidaturas, bolsas concedidas (líquidas) e aceitas por ano", hoursByYear: "Horas de formação certificadas por ano",
      byProgram: "Por programa", byGender: "Por gênero", byType: "Por tipo de instituição",
      funnel: "Da candidatura ao relatório, por edital", amounts: "Valores concedidos (líquidos) e aceitos, por edital",
      calls: "Cada edital",
      coursesByKind: "Inscrições, conclusões e certificados, por tipo", completion: "Taxa de conclusão, por tipo", hours: "Horas certificadas, por tipo",
      kinds: "Cada tipo de atividade",
      channel: "Diretamente e por replicação", institutionsByType: "Por tipo de instituição"
    },
    replication: "As atividades de replicação dos bolsistas alcançaram {institutions} instituições de onde não veio nenhuma pessoa beneficiada, segundo {reports} relatórios.",
    outside: "Fora do mapa, na tabela: {list}.",
    legend: { people: "Pessoas", none: "Nenhum número publicado", hidden: "Não publicado (<5 ou –)" },
    columns: {
      country: "País", year: "Ano", program: "Programa", gender: "Gênero", type: "Tipo", call: "Edital", kind: "Tipo", channel: "Via",
      people: "Pessoas", institutions: "Instituições", direct: "Diretamente", through_replication_only: "Só por replicação",
      applications: "Candidaturas", eligible: "Elegíveis", ineligible: "Não elegíveis", withdrawn: "Retiradas",
      awarded: "Concedidas (com recusadas)", net_awarded: "Concedidas (líquidas)", waitlisted: "Alguma vez em lista de espera", on_waitlist: "Em lista de espera agora",
      rejected: "Rejeitadas", accepted: "Aceitas", declined: "Recusadas",
      reports: "Relatórios", amount_awarded: "Valor concedido (com recusadas)", amount_net_awarded: "Valor concedido (líquido)", amount_accepted: "Valor aceito",
      success_rate: "Concedidas (líquidas) / candidaturas", acceptance_rate: "Aceitas / concedidas (com recusadas)",
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
      totals: "No total: {list}.", map: "Mapa da Ibero-América. {top}",
      rounded: "Números arredondados para proteger as pessoas: cada grupo de pessoas semelhantes conta em múltiplos de {base}, a no máximo {interval} do seu tamanho real.",
      amounts: "Valores calculados de números arredondados: o número arredondado de bolsas vezes a bolsa média do edital.",
      institutions: "Para o público, as instituições alcançadas diretamente são contadas só até onde os números arredondados de pessoas permitem."
    },
    table: "Ver a tabela", csv: "Baixar CSV", csvOf: "Baixar «{title}» em CSV",
    suppressed: "<5", suppressedLong: "menos de 5 pessoas: não é publicado",
    protecting: "–", protectingLong: "não é publicado, para que outro número pequeno não possa ser deduzido", withheldLong: "não é publicado: somaria números não publicados", missing: "—", missingLong: "sem número: nada de que calculá-lo",
    exactLong: "número exato",
    protection: {
      rounded: "Números arredondados para proteger as pessoas: cada número soma pequenos grupos de pessoas semelhantes, e a contagem de cada grupo é arredondada para um múltiplo de {base}, a no máximo {interval} do seu tamanho real (um grupo de 1 ou 2 pode contar 0). As tabelas e os totais somam os mesmos grupos arredondados, por isso concordam entre si; mas um número que soma muitos grupos pode se afastar do exato em mais de {interval}, relativamente mais num programa pequeno.",
      someExact: "Os números marcados com {mark} são exatos, como o seu token permite (o seu país); os demais estão arredondados como o público os vê.",
      allExact: "Todos os números são exatos ({mark}), como o seu token permite; o público os vê arredondados para proteger as pessoas.",
      noneExact: "O seu token não permite ver nenhum número exato: estes são os números públicos.",
      publicView: "Ver a vista pública"
    },
    sources: "Números calculados pelo serviço de relatórios a partir dos eventos públicos do programa.",
    mapCredit: "Mapa: Natural Earth (domínio público), via world-atlas.",
    links: { api: "API de números", iati: "IATI", giving: "360Giving", givingNone: "360Giving (ainda sem bolsas a publicar)" },
    error: "Não foi possível carregar os números. Tente novamente em um instante."
  },
  en: {
    title: "Ibermuseos · Training and Capacity Building: the program in figures",
    program: "Ibermuseos", line: "Training and Capacity Building", skip: "Skip to content", languages: "Language",
    print: "Print", eyebrow: "The program in figures",
    headline: {
      join: "{people}, and {institutions}",
      people: { one: "{people} museum professional from {countries} has benefited", other: "{people} museum professionals from {countries} have benefited" },
      countries: { one: "{n} country", other: "{n} countries" },
      institutions: { one: "{n} institution has been reached", other: "{n} institutions have been reached" }
    },
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
      where: "Where they come from", whereIntro: "Professionals who benefited, by country of residence. Countries in grey have no figure published (nobody, or so few that rounding counts them as 0).",
      trends: "Year by year", trendsIntro: "Each person counts once a year; grants count in the year of their call; hours in the year the course was completed.",
      who: "Who benefited", whoIntro: "A person who took part in several programs counts in each of them, and once in the total.",
      grants: "Training grants", grantsIntro: "From application to final report, per call. Awarded (net): the grants that stand, accepted or awaiting the grantee's answer, without those declined; the table also counts every award decision, declined ones included, and the applications ever placed on the waitlist. A withdrawn application does not count as eligible.",
      courses: "Courses, mini courses and conversatorios", coursesIntro: "The completion rate is completed ÷ evaluated: runs still going do not count against it.",
      institutions: "Institutions reached", institutionsIntro: "The institutions of the people who benefited (directly) and those grantees reached with their replication activities; each institution counts once. The public sees them counted over the whole program, and those reached directly only as far as the rounded counts of people allow."
    },
    charts: {
      map: "Professionals who benefited, by country", byCountry: "Countries ranked", institutionsByCountry: "Institutions reached, by country",
      countryTable: "Figures by country",
      peopleByYear: "Professionals who benefited, by year", coursesByYear: "Enrolments and completions, by year",
      grantsByYear: "Applications, grants awarded (net) and accepted, by year", hoursByYear: "Hours of training certified, by year",
      byProgram: "By program", byGender: "By gender", byType: "By type of institution",
      funnel: "From application to report, per call", amounts: "Amounts awarded (net) and accepted, per call",
      calls: "Every call",
      coursesByKind: "Enrolments, completions and certificates, by kind", completion: "Completion rate, by kind", hours: "Hours certified, by kind",
      kinds: "Every kind of activity",
      channel: "Directly and through replication", institutionsByType: "By type of institution"
    },
    replication: "Grantees' replication activities reached {institutions} institutions no beneficiary came from, according to {reports} reports.",
    outside: "Outside the map, in the table: {list}.",
    legend: { people: "People", none: "No figure published", hidden: "Not published (<5 or –)" },
    columns: {
      country: "Country", year: "Year", program: "Program", gender: "Gender", type: "Type", call: "Call", kind: "Kind", channel: "Channel",
      people: "People", institutions: "Institutions", direct: "Directly", through_replication_only: "Through replication only",
      applications: "Applications", eligible: "Eligible", ineligible: "Ineligible", withdrawn: "Withdrawn",
      awarded: "Awarded (declined too)", net_awarded: "Awarded (net)", waitlisted: "Ever waitlisted", on_waitlist: "On the waitlist now",
      rejected: "Rejected", accepted: "Accepted", declined: "Declined",
      reports: "Reports", amount_awarded: "Amount awarded (declined too)", amount_net_awarded: "Amount awarded (net)", amount_accepted: "Amount accepted",
      success_rate: "Awarded (net) / applications", acceptance_rate: "Accepted / awarded (declined too)",
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
      totals: "In all: {list}.", map: "Map of Ibero-America. {top}",
      rounded: "Figures rounded to protect people: each group of alike people counts in multiples of {base}, within {interval} of its true size.",
      amounts: "Amounts worked out from rounded counts: the rounded number of grants times the call's mean grant.",
      institutions: "For the public, institutions reached directly are counted only as far as the rounded counts of people allow."
    },
    table: "Show the table", csv: "Download CSV", csvOf: "Download “{title}” as CSV",
    suppressed: "<5", suppressedLong: "fewer than 5 people: not published",
    protecting: "–", protectingLong: "not published, so that another small figure cannot be worked out", withheldLong: "not published: it would add up figures that are not", missing: "—", missingLong: "no figure: nothing to work it out from",
    exactLong: "exact figure",
    protection: {
      rounded: "Figures rounded to protect people: each figure adds up small groups of alike people, and each group's count is rounded to a multiple of {base}, never more than {interval} from its true size (a group of 1 or 2 may count as 0). Tables and totals add up the same rounded groups, so they agree with one another; but a figure that adds up many groups can be off its exact count by more than {interval}, relatively more in a small program.",
      someExact: "Figures marked {mark} are exact, as your token allows (your country); the others are rounded as the public sees them.",
      allExact: "Every figure here is exact ({mark}), as your token allows; the public sees them rounded to protect people.",
      noneExact: "Your token shows no figure exactly: these are the public figures.",
      publicView: "See the public view"
    },
    sources: "Figures computed by the reporting service from the program's public events.",
    mapCredit: "Map: Natural Earth (public domain), via world-atlas.",
    links: { api: "Figures API", iati: "IATI", giving: "360Giving", givingNone: "360Giving (no grants to publish yet)" },
    error: "The figures could not be loaded. Please try again in a moment."
  }
};
