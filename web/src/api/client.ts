// The console's one API client: openapi-fetch typed by gen/ts/schema.ts (generated from
// api/openapi.yaml), with TanStack Query hooks over it. No request or response type is written
// by hand.
import createFetchClient, { type Middleware } from "openapi-fetch";
import createQueryHooks from "openapi-react-query";
import type { paths } from "../../../gen/ts/schema";
import { accessToken, type TokenManager } from "../auth/tokens";
import { ApiError, toApiError } from "./errors";

/** The console asks for its refresh token in an HttpOnly cookie, never in a body. */
export const COOKIE_DELIVERY = { "X-Token-Delivery": "cookie" } as const;

/** Operations that sign in, and so carry no access token. */
const PUBLIC = new Set(["/api/v1/auth/login/json", "/api/v1/auth/register", "/api/v1/auth/refresh"]);

/**
 * Any non-OK answer becomes a thrown ApiError. openapi-react-query would otherwise turn an error
 * without a body into a successful query with null data (openapi-ts #2070).
 */
const problems: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await toApiError(response);
    return response;
  },
};

/**
 * Sends the access token, refreshing it first when it is about to expire; on a 401 refreshes
 * once and retries the request once. The request is cloned before it is sent, because
 * onResponse receives one whose body was consumed.
 */
export function authMiddleware(tokens: TokenManager): Middleware {
  const pending = new Map<string, { request: Request; token: string | null }>();
  return {
    async onRequest({ request, schemaPath, id }) {
      if (PUBLIC.has(schemaPath)) return request;
      const token = await tokens.valid();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      pending.set(id, { request: request.clone(), token });
      return request;
    },
    async onResponse({ response, id, options }) {
      const sent = pending.get(id);
      pending.delete(id);
      if (response.status !== 401 || !sent) return response;
      // A refresh may have finished while this request was on its way: use its token rather
      // than rotating again.
      const now = tokens.current();
      const next = now && now.value !== sent.token ? now : await tokens.refresh();
      if (!next) return response;
      const retry = new Request(sent.request, { headers: new Headers(sent.request.headers) });
      retry.headers.set("Authorization", `Bearer ${next.value}`);
      return options.fetch(retry);
    },
    onError({ id }) {
      pending.delete(id);
    },
  };
}

export interface ClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
}

export function createApi(tokens: TokenManager, { baseUrl = "", fetch }: ClientOptions = {}) {
  const client = createFetchClient<paths>({ baseUrl, credentials: "same-origin", ...(fetch && { fetch }) });
  // onResponse runs last-added first: the retry after a 401 comes before the error is raised.
  client.use(problems, authMiddleware(tokens));
  return client;
}

/** The sign-in operations, which run before there is any access token. */
export function createAuthApi({ baseUrl = "", fetch }: ClientOptions = {}) {
  const client = createFetchClient<paths>({ baseUrl, credentials: "same-origin", ...(fetch && { fetch }) });
  client.use(problems);
  return client;
}

export type Api = ReturnType<typeof createApi>;

export const createHooks = (api: Api) => createQueryHooks(api);
export type Hooks = ReturnType<typeof createHooks>;

const REFRESH_TIMEOUT_MS = 15_000;

/** Asks the server for a new access token by the refresh cookie; null when signed out. */
export async function refreshByCookie(auth: ReturnType<typeof createAuthApi>, now: () => number) {
  try {
    // Every tab waits on this refresh (it holds the lock): it must not hang for ever.
    const { data } = await auth.POST("/api/v1/auth/refresh", { params: { header: COOKIE_DELIVERY }, signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS) });
    return data ? accessToken(data.access_token, data.expires_in, now()) : null;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return null;
    throw err;
  }
}
