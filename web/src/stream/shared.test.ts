import { describe, expect, it } from "vitest";
import { FakeChannels, FakeLocks, settle } from "../test/fakes";
import type { StreamEvent, StreamHandlers, StreamStatus } from "./client";
import { type Runner, SharedStream, STREAM_CHANNEL } from "./shared";

/** A fake stream runner: the test pushes events through whichever tab leads. */
class FakeRunner implements Runner {
  started = false;
  stopped = false;
  position: string | undefined;
  readonly handlers: StreamHandlers;
  readonly resumeAfter: string | undefined;
  constructor(handlers: StreamHandlers, resumeAfter: string | undefined) {
    this.handlers = handlers;
    this.resumeAfter = resumeAfter;
    this.position = resumeAfter;
  }
  start() {
    this.started = true;
  }
  stop() {
    this.stopped = true;
  }
  reconnectNow() {}
  connect(id: string) {
    this.position = id;
    this.handlers.onStatus({ state: "live", since: 0 });
    this.handlers.onConnected();
  }
  emit(id: string) {
    this.position = id;
    this.handlers.onEvent({ type: "handoff_created", id, data: `{"id":${id}}` });
  }
}

function tab(locks: FakeLocks | undefined, channels: FakeChannels, runners: FakeRunner[]) {
  const events: StreamEvent[] = [];
  const status: StreamStatus[] = [];
  let connected = 0;
  const shared = new SharedStream(
    {
      locks,
      channel: channels.open(STREAM_CHANNEL),
      createRunner: (handlers, resumeAfter) => {
        const r = new FakeRunner(handlers, resumeAfter);
        runners.push(r);
        return r;
      },
    },
    {
      onEvent: (e) => events.push(e),
      onConnected: () => connected++,
      onReset: () => {},
      onStatus: (s) => status.push(s),
    },
  );
  return { shared, events, status, get connected() { return connected; } };
}

describe("one stream per browser", () => {
  it("elects one tab to hold the stream and relays its events and status to the others", async () => {
    const locks = new FakeLocks();
    const channels = new FakeChannels();
    const runners: FakeRunner[] = [];
    const tabs = [tab(locks, channels, runners), tab(locks, channels, runners), tab(locks, channels, runners)];
    for (const t of tabs) t.shared.start();
    await settle();
    expect(runners).toHaveLength(1);
    expect(tabs.map((t) => t.shared.leading)).toEqual([true, false, false]);

    runners[0]!.connect("10");
    runners[0]!.emit("11");
    await settle();
    for (const t of tabs) {
      expect(t.events.map((e) => e.id)).toEqual(["11"]);
      expect(t.connected).toBe(1);
      expect(t.status.at(-1)).toMatchObject({ state: "live" });
    }
  });

  it("when the leader closes, a waiting tab takes over and resumes where the stream was", async () => {
    const locks = new FakeLocks();
    const channels = new FakeChannels();
    const runners: FakeRunner[] = [];
    const first = tab(locks, channels, runners);
    const second = tab(locks, channels, runners);
    first.shared.start();
    second.shared.start();
    await settle();
    runners[0]!.connect("20");
    runners[0]!.emit("21");
    await settle();

    first.shared.stop(); // the tab closes: its lock is released
    await settle();
    expect(runners[0]!.stopped).toBe(true);
    expect(runners).toHaveLength(2);
    expect(second.shared.leading).toBe(true);
    expect(runners[1]!.resumeAfter).toBe("21");
  });

  it("a tab that joins late asks the leader for its status", async () => {
    const locks = new FakeLocks();
    const channels = new FakeChannels();
    const runners: FakeRunner[] = [];
    const leader = tab(locks, channels, runners);
    leader.shared.start();
    await settle();
    runners[0]!.connect("1");
    await settle();
    const late = tab(locks, channels, runners);
    late.shared.start();
    await settle();
    expect(late.status.at(-1)).toMatchObject({ state: "live" });
  });

  it("a stopped tab hears nothing more, and leaves the channel", async () => {
    const locks = new FakeLocks();
    const channels = new FakeChannels();
    const runners: FakeRunner[] = [];
    const leader = tab(locks, channels, runners);
    const gone = tab(locks, channels, runners);
    leader.shared.start();
    gone.shared.start();
    await settle();
    gone.shared.stop();
    runners[0]!.connect("5");
    runners[0]!.emit("6");
    await settle();
    expect(gone.events).toEqual([]);
    expect(gone.connected).toBe(0);
    leader.shared.stop();
    await settle();
    expect(runners).toHaveLength(1); // the stopped tab does not take over either
  });

  it("without Web Locks, every tab holds its own stream", async () => {
    const channels = new FakeChannels();
    const runners: FakeRunner[] = [];
    const tabs = [tab(undefined, channels, runners), tab(undefined, channels, runners)];
    for (const t of tabs) t.shared.start();
    await settle();
    expect(runners).toHaveLength(2);
    expect(tabs.every((t) => t.shared.leading)).toBe(true);
  });
});
