// The console's singletons: one token manager, one API client with its query hooks, one query
// client. Created once per tab.
import { QueryClient } from "@tanstack/react-query";
import { createApi, createAuthApi, createHooks, refreshByCookie } from "../api/client";
import { isClientError } from "../api/errors";
import { AUTH_CHANNEL, type ChannelLike, type LockManagerLike, TokenManager } from "../auth/tokens";

/** Web Locks exist only in secure contexts (https, localhost); elsewhere tabs fall back. */
export const locks: (LockManagerLike & LockManager) | undefined =
  typeof navigator !== "undefined" && "locks" in navigator ? navigator.locks : undefined;

export function channel(name: string): ChannelLike {
  return new BroadcastChannel(name);
}

export const authApi = createAuthApi();

export const tokens = new TokenManager({
  refresh: () => refreshByCookie(authApi, Date.now),
  locks,
  channel: channel(AUTH_CHANNEL),
  now: Date.now,
});

export const api = createApi(tokens);
export const $api = createHooks(api);

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A 4xx will not change by asking again: show it. Retry only what may be passing.
      retry: (count, error) => !isClientError(error) && count < 2,
    },
    mutations: { retry: false },
  },
});
