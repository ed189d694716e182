// The access token lives in memory only; the refresh token is an HttpOnly cookie the page never
// sees. Tabs share the one sign-in: a Web Lock lets one tab refresh at a time, and a
// BroadcastChannel hands the new access token (or the sign-out) to the others.

/** An access token and when it expires (milliseconds since the epoch). */
export interface AccessToken {
  value: string;
  expiresAt: number;
}

/** The part of navigator.locks this module uses. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The part of BroadcastChannel this module uses. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  close(): void;
}

type TabMessage = { type: "token"; token: AccessToken } | { type: "signed-out"; reason?: string };

export interface TokenDeps {
  /** Asks the server for a new access token: null when it says the sign-in is over (401). */
  refresh(): Promise<AccessToken | null>;
  /** navigator.locks, where the browser has it (secure contexts only). */
  locks?: LockManagerLike;
  channel?: ChannelLike;
  now(): number;
}

/** Called with the new token, or null and why when the sign-in ended in another tab. */
export type TokenListener = (token: AccessToken | null, reason?: string) => void;

export const REFRESH_LOCK = "resolutionflow-refresh";
export const AUTH_CHANNEL = "resolutionflow-auth";

/** How long a token must still be valid to be sent; a request must not expire on the way. */
export const MIN_VALIDITY_MS = 30_000;

export class TokenManager {
  private token: AccessToken | null = null;
  private inflight: Promise<AccessToken | null> | null = null;
  private readonly listeners = new Set<TokenListener>();
  private readonly deps: TokenDeps;

  constructor(deps: TokenDeps) {
    this.deps = deps;
    deps.channel?.addEventListener("message", (event) => this.receive(event.data as TabMessage));
  }

  current(): AccessToken | null {
    return this.token;
  }

  /** A token valid for at least minValidity, refreshing first if needed; null when signed out. */
  async valid(minValidity = MIN_VALIDITY_MS): Promise<string | null> {
    if (this.fresh(this.token, minValidity)) return this.token!.value;
    return (await this.refresh(minValidity))?.value ?? null;
  }

  /**
   * Gets a new access token: one request at a time in this tab (callers share one promise) and
   * across tabs (a Web Lock). A tab that waited for the lock first looks whether another tab
   * refreshed meanwhile, and takes that token instead of rotating the cookie again.
   */
  refresh(minValidity = MIN_VALIDITY_MS): Promise<AccessToken | null> {
    if (this.inflight) return this.inflight;
    const seen = this.token;
    const run = async (): Promise<AccessToken | null> => {
      if (this.token !== seen && this.fresh(this.token, minValidity)) return this.token;
      const next = await this.deps.refresh();
      if (next) this.set(next);
      else this.clear();
      return next;
    };
    const locked = this.deps.locks ? this.deps.locks.request(REFRESH_LOCK, run) : run();
    this.inflight = locked.finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Takes a token from a sign-in or refresh and, unless told not to, hands it to the other tabs. */
  set(token: AccessToken, { share = true }: { share?: boolean } = {}): void {
    this.token = token;
    if (share) this.deps.channel?.postMessage({ type: "token", token } satisfies TabMessage);
    this.notify();
  }

  /** Forgets the token (signed out) and tells the other tabs. */
  clear(reason?: string): void {
    const had = this.token !== null;
    this.token = null;
    this.deps.channel?.postMessage({ type: "signed-out", ...(reason && { reason }) } satisfies TabMessage);
    if (had) this.notify();
  }

  /** Signs every other tab out, saying why, and keeps this one signed in. */
  signOutOthers(reason: string): void {
    this.deps.channel?.postMessage({ type: "signed-out", reason } satisfies TabMessage);
  }

  subscribe(listener: TokenListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Milliseconds until the token should be refreshed ahead of its expiry; null without one. */
  refreshDelay(lead = 60_000): number | null {
    if (!this.token) return null;
    return Math.max(0, this.token.expiresAt - lead - this.deps.now());
  }

  private fresh(token: AccessToken | null, minValidity: number): boolean {
    return token !== null && token.expiresAt - this.deps.now() >= minValidity;
  }

  private receive(message: TabMessage): void {
    if (message.type === "token") {
      if (!this.token || message.token.expiresAt > this.token.expiresAt) {
        this.token = message.token;
        this.notify();
      }
    } else if (this.token) {
      this.token = null;
      this.notify(message.reason);
    }
  }

  private notify(reason?: string): void {
    for (const listener of this.listeners) listener(this.token, reason);
  }
}

/** Turns a token answer's expires_in (seconds) into an AccessToken. */
export function accessToken(value: string, expiresIn: number, now: number): AccessToken {
  return { value, expiresAt: now + expiresIn * 1000 };
}
