// One stream per browser, however many tabs are open: a browser allows six HTTP/1.1
// connections per origin, and engineers keep many tabs. A Web Lock elects the tab that holds
// the stream; a BroadcastChannel relays its events and status to the others. When the leader
// tab closes, its lock is released and a waiting tab takes over, resuming from the last id it
// was relayed. Without Web Locks (plain http off loopback) every tab holds its own stream.
import type { ChannelLike } from "../auth/tokens";
import type { StreamEvent, StreamHandlers, StreamStatus } from "./client";

/** The part of navigator.locks the election needs: a request that can be abandoned. */
export interface ElectionLocks {
  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

/** What the elected tab runs: a StreamClient, resuming after the given id. */
export interface Runner {
  start(): void;
  stop(): void;
  reconnectNow(): void;
  readonly position: string | undefined;
}

export interface SharedDeps {
  locks: ElectionLocks | undefined;
  channel: ChannelLike;
  createRunner(handlers: StreamHandlers, resumeAfter: string | undefined): Runner;
}

type Relay =
  | { type: "event"; event: StreamEvent }
  | { type: "connected"; position: string | undefined }
  | { type: "reset" }
  | { type: "status"; status: StreamStatus }
  | { type: "status?" };

export const STREAM_LOCK = "resolutionflow-escalation-stream";
export const STREAM_CHANNEL = "resolutionflow-escalation-stream";

export class SharedStream {
  private readonly deps: SharedDeps;
  private readonly handlers: StreamHandlers;
  private runner: Runner | null = null;
  private release: (() => void) | null = null;
  private abort = new AbortController();
  private status: StreamStatus = { state: "connecting" };
  /** The last id this tab saw, relayed or its own: where it resumes if it becomes the leader. */
  private position: string | undefined;
  private started = false;
  private stopped = false;

  constructor(deps: SharedDeps, handlers: StreamHandlers) {
    this.deps = deps;
    this.handlers = handlers;
    deps.channel.addEventListener("message", (e) => this.receive(e.data as Relay));
  }

  /** Whether this tab holds the stream. */
  get leading(): boolean {
    return this.runner !== null;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    if (!this.deps.locks) {
      this.lead();
      return;
    }
    this.deps.channel.postMessage({ type: "status?" } satisfies Relay);
    this.deps.locks
      .request(STREAM_LOCK, { signal: this.abort.signal }, () => {
        if (this.stopped) return Promise.resolve();
        this.lead();
        return new Promise<void>((resolve) => {
          this.release = resolve;
        });
      })
      .catch(() => {
        // The request was abandoned (stop) before this tab was elected.
      });
  }

  /** Ends this tab's part for good: its stream, its place in the election and its channel. */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.runner?.stop();
    this.runner = null;
    this.release?.();
    this.release = null;
    this.deps.channel.close();
  }

  reconnectNow(): void {
    if (this.runner) this.runner.reconnectNow();
  }

  private lead(): void {
    const relay = (message: Relay) => this.deps.channel.postMessage(message);
    this.runner = this.deps.createRunner(
      {
        onEvent: (event) => {
          this.position = event.id ?? this.position;
          this.handlers.onEvent(event);
          relay({ type: "event", event });
        },
        onConnected: () => {
          this.position = this.runner?.position ?? this.position;
          this.handlers.onConnected();
          relay({ type: "connected", position: this.position });
        },
        onReset: () => {
          this.handlers.onReset();
          relay({ type: "reset" });
        },
        onStatus: (status) => {
          this.setStatus(status);
          relay({ type: "status", status });
        },
      },
      this.position,
    );
    this.runner.start();
  }

  private receive(message: Relay): void {
    if (this.stopped) return;
    if (this.runner) {
      if (message.type === "status?") this.deps.channel.postMessage({ type: "status", status: this.status } satisfies Relay);
      return;
    }
    switch (message.type) {
      case "event":
        this.position = message.event.id ?? this.position;
        this.handlers.onEvent(message.event);
        break;
      case "connected":
        this.position = message.position ?? this.position;
        this.handlers.onConnected();
        break;
      case "reset":
        this.handlers.onReset();
        break;
      case "status":
        this.setStatus(message.status);
        break;
    }
  }

  private setStatus(status: StreamStatus): void {
    this.status = status;
    this.handlers.onStatus(status);
  }
}
