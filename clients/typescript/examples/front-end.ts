// What a front end of a member country writes against the four APIs, with the types generated from
// their OpenAPI documents: it compiles with tsc --strict in `make lint`, so a change of an API that
// would break a front end breaks the build.
import createClient from "openapi-fetch";
import type { components as ApplicationsSchemas, paths as Applications } from "../generated/applications";
import type { paths as Courses } from "../generated/courses";
import type { paths as Notifications } from "../generated/notifications";
import type { paths as Reporting } from "../generated/reporting";

type Problem = ApplicationsSchemas["schemas"]["ProblemDetails"];
type OpenCall = ApplicationsSchemas["schemas"]["OpenCallOut"];

export function clients(token: string) {
  const headers = { Authorization: `Bearer ${token}` };
  return {
    applications: createClient<Applications>({ baseUrl: "https://applications.ibermuseos.example", headers }),
    courses: createClient<Courses>({ baseUrl: "https://courses.ibermuseos.example", headers }),
    notifications: createClient<Notifications>({ baseUrl: "https://notifications.ibermuseos.example", headers }),
    reporting: createClient<Reporting>({ baseUrl: "https://reporting.ibermuseos.example", headers }),
  };
}

/** Every list answers {items, total, next}; a page's `next` carries the cursor of the one after it. */
export function cursorOf(next: string | null): string | undefined {
  return next === null ? undefined : (new URL(next, "https://any.example").searchParams.get("cursor") ?? undefined);
}

/** One sentence for the person, whatever went wrong: every error is a problem document. */
export function explain(problem: Problem): string {
  const details = (problem.errors ?? []).map((error) => `${error.field}: ${error.problem}`);
  return [problem.title, ...details].join("\n");
}

export async function allOpenCalls(api: ReturnType<typeof clients>["applications"]): Promise<OpenCall[]> {
  const calls: OpenCall[] = [];
  let cursor: string | undefined;
  do {
    const query = cursor === undefined ? { limit: 50 } : { limit: 50, cursor };
    const { data, error } = await api.GET("/calls/open", { params: { query } });
    if (error) throw new Error(explain(error));
    calls.push(...data.items);
    cursor = cursorOf(data.next);
  } while (cursor !== undefined);
  return calls;
}

/** Enrol the signed-in person; a retry after a timeout with the same key gets the same answer. */
export async function enrol(api: ReturnType<typeof clients>["courses"], runId: string, retryKey: string) {
  const { data, error, response } = await api.POST("/runs/{run_id}/enrolments", {
    params: { path: { run_id: runId }, header: { "Idempotency-Key": retryKey } },
    body: {
      preferred_language: "pt-BR",
      timezone: "America/Sao_Paulo",
      country: "BR",
      institution: { name: "Museu Paulista", type: "museum", city: "São Paulo", country: "BR" },
    },
  });
  if (error) {
    const wait = response.headers.get("Retry-After");
    throw new Error(wait === null ? explain(error) : `${explain(error)} (again in ${wait} s)`);
  }
  return data.status === "waitlisted" ? `waitlisted, number ${data.waitlist_position}` : "enrolled";
}

export async function unreadMessages(api: ReturnType<typeof clients>["notifications"]): Promise<number> {
  const { data, error } = await api.GET("/inbox/unread-count");
  if (error) throw new Error(explain(error));
  return data.unread;
}

export async function headline(api: ReturnType<typeof clients>["reporting"], lang: "es" | "pt" | "en") {
  const { data, error } = await api.GET("/figures/headline", { params: { query: { lang } } });
  if (error) throw new Error(explain(error));
  return data.text;
}
