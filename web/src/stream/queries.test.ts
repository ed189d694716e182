import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { applySignal, handoffKey, parseEvent, QUEUE_PATH } from "./queries";

/** A query client holding the queue under two filters, two handoffs and an unrelated query. */
function cache() {
  const client = new QueryClient();
  const keys = {
    queue: ["get", QUEUE_PATH, {}],
    urgent: ["get", QUEUE_PATH, { params: { query: { priority: "urgent" } } }],
    a: handoffKey("a"),
    b: handoffKey("b"),
    trees: ["get", "/api/v1/trees", {}],
  } as const;
  for (const key of Object.values(keys)) client.setQueryData(key, { cached: true });
  const invalid = () =>
    Object.entries(keys)
      .filter(([, key]) => client.getQueryState(key)?.isInvalidated)
      .map(([name]) => name)
      .sort();
  return { client, invalid };
}

const event = (handoff: string) => ({
  id: 3,
  type: "handoff_claimed" as const,
  handoff_id: handoff,
  occurred_at: "2026-12-01T10:00:00Z",
  handoff: {} as never,
});

describe("the queue cache follows the stream", () => {
  it("a reconnect re-reads every variant of the queue and every handoff", async () => {
    const { client, invalid } = cache();
    await applySignal(client, { kind: "connected" });
    expect(invalid()).toEqual(["a", "b", "queue", "urgent"]);
  });

  it("a reset does the same", async () => {
    const { client, invalid } = cache();
    await applySignal(client, { kind: "reset" });
    expect(invalid()).toEqual(["a", "b", "queue", "urgent"]);
  });

  it("an event re-reads the queue and its own handoff only", async () => {
    const { client, invalid } = cache();
    await applySignal(client, { kind: "event", event: event("b") });
    expect(invalid()).toEqual(["b", "queue", "urgent"]);
  });
});

describe("parseEvent", () => {
  it("reads an escalation event and ignores anything else", () => {
    expect(parseEvent(JSON.stringify(event("x")))?.handoff_id).toBe("x");
    expect(parseEvent("{}")).toBeNull();
    expect(parseEvent("not json")).toBeNull();
  });
});
