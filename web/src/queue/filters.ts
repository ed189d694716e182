// The queue's filters live in the URL, so that a filtered queue can be bookmarked and shared.
import type { paths } from "../../../gen/ts/schema";

type QueueQuery = NonNullable<paths["/api/v1/ai-sessions/escalations"]["get"]["parameters"]["query"]>;
type Status = NonNullable<QueueQuery["status"]>;
type Priority = NonNullable<QueueQuery["priority"]>;

export const AGES = [
  { value: "", label: "Any age" },
  { value: "15m", label: "Waiting over 15 min", ms: 15 * 60_000 },
  { value: "1h", label: "Waiting over 1 hour", ms: 60 * 60_000 },
  { value: "4h", label: "Waiting over 4 hours", ms: 4 * 60 * 60_000 },
] as const;

export const STATUSES: { value: Status | ""; label: string }[] = [
  { value: "", label: "Open and claimed" },
  { value: "open", label: "Open" },
  { value: "claimed", label: "Claimed" },
  { value: "resolved", label: "Resolved" },
  { value: "cancelled", label: "Cancelled" },
];

export interface Filters {
  status: Status | "";
  priority: Priority | "";
  mine: boolean;
  age: string;
}

export function readFilters(params: URLSearchParams): Filters {
  const status = STATUSES.find((s) => s.value === params.get("status"))?.value ?? "";
  const p = params.get("priority");
  const priority = p === "urgent" || p === "high" || p === "normal" || p === "low" ? p : "";
  const age = AGES.find((a) => a.value === params.get("age"))?.value ?? "";
  return { status, priority, mine: params.get("mine") === "1", age };
}

export function writeFilters(f: Filters): URLSearchParams {
  const out = new URLSearchParams();
  if (f.status) out.set("status", f.status);
  if (f.priority) out.set("priority", f.priority);
  if (f.mine) out.set("mine", "1");
  if (f.age) out.set("age", f.age);
  return out;
}

/**
 * The API query for the filters. The age becomes created_before, rounded down to the minute so
 * that the query (and its cache key) changes once a minute, not on every tick.
 */
export function toQuery(f: Filters, now: number, limit: number): QueueQuery {
  const age = AGES.find((a) => a.value === f.age);
  const minute = Math.floor(now / 60_000) * 60_000;
  return {
    limit,
    ...(f.status && { status: f.status }),
    ...(f.priority && { priority: f.priority }),
    ...(f.mine && { assigned_to_me: true }),
    ...(age && "ms" in age && { created_before: new Date(minute - age.ms).toISOString() }),
  };
}
