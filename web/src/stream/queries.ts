// What the live stream changes in the query cache. Replay makes the stream lossless, and
// re-reading is cheap: every signal re-reads what it concerns, and a (re)connect or reset
// re-reads the whole queue as insurance against a bug on either side.
import type { QueryClient } from "@tanstack/react-query";
import type { components } from "../../../gen/ts/schema";

export type EscalationEvent = components["schemas"]["EscalationEvent"];

export const QUEUE_PATH = "/api/v1/ai-sessions/escalations";
export const HANDOFF_PATH = "/api/v1/ai-sessions/escalations/{id}";

/** Matches every variant of the queue query, whatever its filters (openapi-react-query keys). */
export const queueKey = ["get", QUEUE_PATH] as const;
export const handoffKey = (id: string) => ["get", HANDOFF_PATH, { params: { path: { id } } }] as const;

export type StreamSignal = { kind: "connected" } | { kind: "reset" } | { kind: "event"; event: EscalationEvent };

export async function applySignal(client: QueryClient, signal: StreamSignal): Promise<void> {
  const work = [client.invalidateQueries({ queryKey: queueKey })];
  if (signal.kind === "event") work.push(client.invalidateQueries({ queryKey: handoffKey(signal.event.handoff_id) }));
  else work.push(client.invalidateQueries({ queryKey: ["get", HANDOFF_PATH] }));
  await Promise.all(work);
}

/** The event in a frame's data, or null when it is not one (a newer server's extra event type). */
export function parseEvent(data: string): EscalationEvent | null {
  try {
    const e = JSON.parse(data) as EscalationEvent;
    return typeof e?.handoff_id === "string" ? e : null;
  } catch {
    return null;
  }
}
