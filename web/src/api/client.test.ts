import { describe, expect, it } from "vitest";
import { TokenManager } from "../auth/tokens";
import { createApi } from "./client";
import { ApiError } from "./errors";

const problem = (status: number, detail: string) =>
  new Response(JSON.stringify({ type: "about:blank", title: "x", status, detail }), { status, headers: { "Content-Type": "application/problem+json" } });

/** A fake server: answers each request in turn, and records what it was sent. */
function server(answers: ((req: Request) => Response)[]) {
  const seen: { auth: string | null; body: string }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    seen.push({ auth: req.headers.get("Authorization"), body: await req.clone().text() });
    const answer = answers.shift();
    if (!answer) throw new Error("unexpected request");
    return answer(req);
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

function tokens(values: string[]) {
  let refreshes = 0;
  const t = new TokenManager({
    refresh: async () => {
      refreshes++;
      const v = values.shift();
      return v ? { value: v, expiresAt: Date.now() + 900_000 } : null;
    },
    now: Date.now,
  });
  t.set({ value: "expired-by-restart", expiresAt: Date.now() + 900_000 });
  return { t, refreshes: () => refreshes };
}

describe("the API client", () => {
  it("on a 401 refreshes once and retries the request once, body included", async () => {
    const s = server([() => problem(401, "the access token is invalid"), () => Response.json({ id: "s1" }, { status: 201 })]);
    const { t, refreshes } = tokens(["fresh"]);
    const api = createApi(t, { baseUrl: "http://console.test", fetch: s.fetch });
    const { data } = await api.POST("/api/v1/sessions/{id}/custom-steps", { params: { path: { id: "s1" } }, body: { text: "Reseated the cable" } });
    expect(data).toEqual({ id: "s1" });
    expect(refreshes()).toBe(1);
    expect(s.seen.map((r) => r.auth)).toEqual(["Bearer expired-by-restart", "Bearer fresh"]);
    expect(s.seen[1]!.body).toBe('{"text":"Reseated the cable"}');
  });

  it("does not retry a second 401, and raises it as a problem", async () => {
    const s = server([() => problem(401, "no"), () => problem(401, "still no")]);
    const { t, refreshes } = tokens(["fresh"]);
    const api = createApi(t, { baseUrl: "http://console.test", fetch: s.fetch });
    await expect(api.GET("/api/v1/auth/me")).rejects.toMatchObject({ status: 401, message: "still no" });
    expect(refreshes()).toBe(1);
  });

  it("raises every other error with its problem, never as data", async () => {
    const s = server([() => problem(409, "someone else got there first: Ada claimed this handoff")]);
    const api = createApi(tokens([]).t, { baseUrl: "http://console.test", fetch: s.fetch });
    const err = await api.POST("/api/v1/ai-sessions/escalations/{id}/claim", { params: { path: { id: "h" } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).problem.detail).toContain("Ada");
  });

  it("sends no token to the sign-in operations", async () => {
    const s = server([() => Response.json({ access_token: "a", token_type: "bearer", expires_in: 900 })]);
    const api = createApi(tokens([]).t, { baseUrl: "http://console.test", fetch: s.fetch });
    await api.POST("/api/v1/auth/login/json", { body: { email: "a@b.c", password: "x" } });
    expect(s.seen[0]!.auth).toBeNull();
  });
});
