import { describe, expect, it } from "vitest";
import { backoffDelay, StreamClient, type StreamDeps, type StreamEvent, type StreamStatus } from "./client";

/** One connection the fake server holds open: the test writes chunks and ends it. */
class Connection {
  readonly request: { headers: Record<string, string> };
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly response: Response;
  constructor(request: { headers: Record<string, string> }, status = 200, headers: Record<string, string> = {}) {
    this.request = request;
    const body = new ReadableStream<Uint8Array>({ start: (c) => (this.controller = c) });
    this.response = new Response(status === 200 ? body : JSON.stringify({ title: "x", status }), {
      status,
      headers: { "Content-Type": status === 200 ? "text/event-stream" : "application/problem+json", ...headers },
    });
  }
  write(text: string) {
    this.controller.enqueue(new TextEncoder().encode(text));
  }
  end() {
    this.controller.close();
  }
}

/** A stream client wired to a fake server, fake timers and a fake token source. */
type Answer = number | { status: number; headers: Record<string, string> };

function harness(opts: { statuses?: Answer[]; tokens?: string[]; resumeAfter?: string } = {}) {
  const connections: Connection[] = [];
  const statuses = [...(opts.statuses ?? [])];
  const timers: { fn: () => void; ms: number }[] = [];
  const events: StreamEvent[] = [];
  const status: StreamStatus[] = [];
  let connected = 0;
  let resets = 0;
  let refreshes = 0;
  const tokens = [...(opts.tokens ?? ["t1", "t2", "t3"])];
  let token = tokens.shift()!;
  const deps: StreamDeps = {
    url: "http://console.test/api/v1/ai-sessions/escalations/stream",
    fetch: async (_url, init) => {
      const answer = statuses.shift() ?? 200;
      const [status, headers] = typeof answer === "number" ? [answer, {}] : [answer.status, answer.headers];
      const c = new Connection({ headers: { ...(init?.headers as Record<string, string>) } }, status, headers);
      connections.push(c);
      return c.response;
    },
    token: async () => token,
    refresh: async () => {
      refreshes++;
      token = tokens.shift() ?? token;
      return token;
    },
    random: () => 0.5,
    now: () => 0,
    setTimeout: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return t;
    },
    clearTimeout: (handle) => {
      const i = timers.indexOf(handle as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
    online: () => true,
  };
  const client = new StreamClient(
    deps,
    {
      onEvent: (e) => events.push(e),
      onConnected: () => connected++,
      onReset: () => resets++,
      onStatus: (s) => status.push(s),
    },
    opts.resumeAfter,
  );
  const settle = () => new Promise((r) => setTimeout(r, 5));
  /** Runs the pending reconnect timer (the idle watchdog is left alone). */
  const fireReconnect = async () => {
    const t = timers.find((x) => x.ms < 60_000);
    if (!t) throw new Error("no reconnect is scheduled");
    timers.splice(timers.indexOf(t), 1);
    t.fn();
    await settle();
  };
  return {
    client, connections, events, status, timers, settle, fireReconnect,
    get connected() { return connected; },
    get resets() { return resets; },
    get refreshes() { return refreshes; },
  };
}

const ready = (id: number) => `retry: 2000\nevent: ready\nid: ${id}\ndata: {"last_event_id":${id}}\n\n`;

describe("the stream client", () => {
  it("parses frames split across chunks, at any byte", async () => {
    const h = harness();
    h.client.start();
    await h.settle();
    const frame = ready(7) + 'event: handoff_created\nid: 8\ndata: {"id":8}\n\n';
    for (const ch of frame) h.connections[0]!.write(ch);
    await h.settle();
    expect(h.connected).toBe(1);
    expect(h.events).toEqual([{ type: "handoff_created", id: "8", data: '{"id":8}' }]);
    expect(h.status.at(-1)).toMatchObject({ state: "live" });
  });

  it("accepts CRLF and CR line ends, joins multi-line data and skips comments", async () => {
    const h = harness();
    h.client.start();
    await h.settle();
    h.connections[0]!.write(ready(1).replaceAll("\n", "\r\n"));
    h.connections[0]!.write(": heartbeat\r\n\r\n");
    h.connections[0]!.write("event: handoff_claimed\rid: 2\rdata: first line\rdata: second line\r\r");
    // A CR at the end of a chunk may be the first half of a CRLF: the next bytes settle it.
    h.connections[0]!.write(": heartbeat\r\r");
    await h.settle();
    expect(h.events).toEqual([{ type: "handoff_claimed", id: "2", data: "first line\nsecond line" }]);
  });

  it("reconnects after the connection closes, with Last-Event-ID and the server's retry as base", async () => {
    const h = harness();
    h.client.start();
    await h.settle();
    h.connections[0]!.write(ready(4) + "event: handoff_created\nid: 5\ndata: {}\n\n");
    h.connections[0]!.end();
    await h.settle();
    const wait = h.timers.find((t) => t.ms < 60_000)!;
    expect(wait.ms).toBe(backoffDelay(0, () => 0.5, 2000));
    expect(h.status.at(-1)).toMatchObject({ state: "reconnecting" });
    await h.fireReconnect();
    expect(h.connections[1]!.request.headers["Last-Event-ID"]).toBe("5");
    h.connections[1]!.write(ready(5));
    await h.settle();
    expect(h.connected).toBe(2);
  });

  it("resumes after a ready it saw, even with no other event", async () => {
    const h = harness();
    h.client.start();
    await h.settle();
    h.connections[0]!.write(ready(41));
    h.connections[0]!.end();
    await h.settle();
    await h.fireReconnect();
    expect(h.connections[1]!.request.headers["Last-Event-ID"]).toBe("41");
  });

  it("starts from the position another tab relayed", async () => {
    const h = harness({ resumeAfter: "12" });
    h.client.start();
    await h.settle();
    expect(h.connections[0]!.request.headers["Last-Event-ID"]).toBe("12");
  });

  it("reports a reset so that the queue is re-read, and moves past it", async () => {
    const h = harness();
    h.client.start();
    await h.settle();
    h.connections[0]!.write(ready(0) + "event: reset\nid: 90\ndata: {}\n\n");
    h.connections[0]!.end();
    await h.settle();
    expect(h.resets).toBe(1);
    await h.fireReconnect();
    expect(h.connections[1]!.request.headers["Last-Event-ID"]).toBe("90");
  });

  it("on a 401 refreshes once and retries with the new token", async () => {
    const h = harness({ statuses: [401, 200] });
    h.client.start();
    await h.settle();
    expect(h.refreshes).toBe(1);
    expect(h.connections.map((c) => c.request.headers.Authorization)).toEqual(["Bearer t1", "Bearer t2"]);
    h.connections[1]!.write(ready(3));
    await h.settle();
    expect(h.status.at(-1)).toMatchObject({ state: "live" });
  });

  it("stops for good after a second 401, and on a 403", async () => {
    const signedOut = harness({ statuses: [401, 401] });
    signedOut.client.start();
    await signedOut.settle();
    expect(signedOut.status.at(-1)).toEqual({ state: "stopped", reason: "signed-out" });
    expect(signedOut.timers.filter((t) => t.ms < 60_000)).toHaveLength(0);

    const viewer = harness({ statuses: [403] });
    viewer.client.start();
    await viewer.settle();
    expect(viewer.status.at(-1)).toEqual({ state: "stopped", reason: "forbidden" });
  });

  it("backs off after failures, and honours Retry-After", async () => {
    const h = harness({ statuses: [503, 503, { status: 429, headers: { "Retry-After": "20" } }, 503] });
    h.client.start();
    await h.settle();
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      delays.push(h.timers.find((t) => t.ms < 60_000)!.ms);
      await h.fireReconnect();
    }
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(delays[2]).toBe(20_000);
  });
});

describe("stopping", () => {
  it("a stop while the token is on its way opens nothing", async () => {
    const h = harness();
    h.client.start();
    h.client.stop();
    await h.settle();
    expect(h.connections).toHaveLength(0);
    expect(h.status.some((s) => s.state === "live")).toBe(false);
  });

  it("a stop closes the open connection and schedules nothing", async () => {
    const h = harness();
    h.client.start();
    await h.settle();
    h.connections[0]!.write(ready(1));
    await h.settle();
    h.client.stop();
    await h.settle();
    expect(h.timers.filter((t) => t.ms < 60_000)).toHaveLength(0);
    expect(h.status.at(-1)).toMatchObject({ state: "live" });
  });
});

describe("backoff", () => {
  it("is full jitter between a floor and the capped exponential step", () => {
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(3, () => 1)).toBe(8000);
    expect(backoffDelay(10, () => 1)).toBe(30000);
    expect(backoffDelay(10, () => 0)).toBe(250);
  });
});
