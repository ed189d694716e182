// The live escalation stream, read with fetch: EventSource cannot send the Authorization header,
// and it gives up for good on a 401. Frames are parsed by eventsource-parser, which follows the
// WHATWG rules (CR, LF and CRLF line ends, multi-line data, id, retry, comments).
import { createParser } from "eventsource-parser";

export type StreamStatus =
  | { state: "connecting" }
  | { state: "live"; since: number }
  | { state: "reconnecting"; nextAttemptAt: number; reason: string }
  | { state: "offline" }
  | { state: "stopped"; reason: "signed-out" | "forbidden" };

/** One event of the stream, as sent: its type, id and JSON data. */
export interface StreamEvent {
  type: string;
  id: string | undefined;
  data: string;
}

export interface StreamHandlers {
  /** A handoff_* event. */
  onEvent(event: StreamEvent): void;
  /** The stream (re)started: anything cached about the queue may be stale. */
  onConnected(): void;
  /** The server lost the history this client missed: re-read the queue. */
  onReset(): void;
  onStatus(status: StreamStatus): void;
}

export interface StreamDeps {
  url: string;
  fetch: typeof fetch;
  /** A valid access token (refreshed ahead of expiry); null when signed out. */
  token(): Promise<string | null>;
  /** A new access token after the server refused the last one; null when signed out. */
  refresh(): Promise<string | null>;
  random(): number;
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** False when the browser knows it is offline. */
  online(): boolean;
  /** Silence (no byte, not even a heartbeat) after which the connection is presumed dead. */
  idleTimeoutMs?: number;
}

/** The first backoff step, until the server's retry: field says otherwise. */
export const BASE_DELAY_MS = 1_000;
export const MAX_DELAY_MS = 30_000;
/** A connection must stay up this long before the backoff starts again from its first step. */
export const STABLE_AFTER_MS = 30_000;
const IDLE_TIMEOUT_MS = 70_000;

/** Full jitter: a random delay up to the exponential step, capped (AWS architecture blog). */
export function backoffDelay(attempt: number, random: () => number, base = BASE_DELAY_MS, cap = MAX_DELAY_MS): number {
  const step = Math.min(cap, base * 2 ** attempt);
  return Math.max(250, Math.round(random() * step));
}

export class StreamClient {
  private readonly deps: StreamDeps;
  private readonly handlers: StreamHandlers;
  private lastEventId: string | undefined;
  private attempt = 0;
  private base = BASE_DELAY_MS;
  private controller: AbortController | null = null;
  private timer: unknown = null;
  private running = false;
  private status: StreamStatus = { state: "connecting" };

  /** resumeAfter is the last id an earlier connection (of this tab or another) received. */
  constructor(deps: StreamDeps, handlers: StreamHandlers, resumeAfter?: string) {
    this.deps = deps;
    this.handlers = handlers;
    this.lastEventId = resumeAfter;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.cancelTimer();
    this.controller?.abort();
    this.controller = null;
  }

  /** Reconnects at once, skipping the wait: the browser came back online. */
  reconnectNow(): void {
    if (!this.running || this.status.state === "live" || this.status.state === "connecting") return;
    this.cancelTimer();
    this.attempt = 0;
    void this.connect();
  }

  /** The id the next connection resumes after. */
  get position(): string | undefined {
    return this.lastEventId;
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    if (!this.deps.online()) {
      this.setStatus({ state: "offline" });
      return;
    }
    this.setStatus({ state: "connecting" });
    // One controller per attempt, made before the first await: stop() aborts whatever the
    // attempt is waiting on, and a stale attempt notices that it is no longer current.
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const current = () => this.running && this.controller === controller;
    let response: Response;
    try {
      let token = await this.deps.token();
      if (!current()) return;
      if (!token) return this.end("signed-out");
      response = await this.open(token, controller);
      if (response.status === 401 && current()) {
        await response.body?.cancel();
        token = await this.deps.refresh();
        if (!current()) return;
        if (!token) return this.end("signed-out");
        response = await this.open(token, controller);
        if (response.status === 401) return this.end("signed-out");
      }
    } catch {
      if (!current()) return;
      return this.retry("the server cannot be reached");
    }
    if (!current()) {
      await response.body?.cancel();
      return;
    }
    if (response.status === 403) return this.end("forbidden");
    if (!response.ok || !response.body) {
      const wait = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
      return this.retry(`the server answered ${response.status}`, Number.isFinite(wait) ? wait * 1000 : 0);
    }
    await this.read(response.body, controller);
  }

  private open(token: string, controller: AbortController): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: "text/event-stream" };
    if (this.lastEventId !== undefined) headers["Last-Event-ID"] = this.lastEventId;
    return this.deps.fetch(this.deps.url, { headers, signal: controller.signal, cache: "no-store" });
  }

  private async read(body: ReadableStream<Uint8Array>, controller: AbortController): Promise<void> {
    let connectedAt: number | null = null;
    const parser = createParser({
      onEvent: (event) => {
        if (this.controller !== controller) return;
        if (event.id !== undefined) this.lastEventId = event.id;
        switch (event.event) {
          case "ready":
            connectedAt = this.deps.now();
            this.setStatus({ state: "live", since: connectedAt });
            this.handlers.onConnected();
            break;
          case "reset":
            this.handlers.onReset();
            break;
          default:
            this.handlers.onEvent({ type: event.event ?? "message", id: event.id, data: event.data });
        }
      },
      onRetry: (ms) => {
        this.base = Math.min(Math.max(ms, 250), MAX_DELAY_MS);
      },
    });
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let idle: unknown = null;
    const watch = () => {
      if (idle !== null) this.deps.clearTimeout(idle);
      idle = this.deps.setTimeout(() => controller.abort(), this.deps.idleTimeoutMs ?? IDLE_TIMEOUT_MS);
    };
    try {
      watch();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        watch();
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // Aborted (stopped, silent too long) or cut: either way the connection is over.
    } finally {
      if (idle !== null) this.deps.clearTimeout(idle);
    }
    if (!this.running || this.controller !== controller) return;
    if (connectedAt !== null && this.deps.now() - connectedAt >= STABLE_AFTER_MS) this.attempt = 0;
    this.retry("the connection closed");
  }

  private retry(reason: string, atLeast = 0): void {
    if (!this.running) return;
    if (!this.deps.online()) {
      this.setStatus({ state: "offline" });
      return;
    }
    const delay = Math.max(atLeast, backoffDelay(this.attempt, this.deps.random, this.base));
    this.attempt += 1;
    this.setStatus({ state: "reconnecting", nextAttemptAt: this.deps.now() + delay, reason });
    this.timer = this.deps.setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private end(reason: "signed-out" | "forbidden"): void {
    this.running = false;
    this.setStatus({ state: "stopped", reason });
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.deps.clearTimeout(this.timer);
    this.timer = null;
  }

  private setStatus(status: StreamStatus): void {
    this.status = status;
    this.handlers.onStatus(status);
  }
}
