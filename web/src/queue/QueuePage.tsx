import { keepPreviousData } from "@tanstack/react-query";
import { Inbox } from "lucide-react";
import { useSearchParams } from "react-router";
import { $api } from "../app/services";
import { useArrivals, useLastEvent } from "../stream/StreamProvider";
import { ProblemAlert } from "../ui/Alert";
import { PRIORITIES, priorityLabel } from "../ui/labels";
import { EmptyState, PageHeader } from "../ui/PageHeader";
import { Loading } from "../ui/Spinner";
import { useNow } from "../ui/useNow";
import { ConnectionIndicator } from "./ConnectionIndicator";
import { AGES, type Filters, readFilters, STATUSES, toQuery, writeFilters } from "./filters";
import { HandoffCard } from "./HandoffCard";

/** How long a handoff that arrived live is marked as new. */
const FRESH_MS = 15_000;
const LIMIT = 100;

/** The escalation queue, live: most urgent first, then the longest waiting. */
export function QueuePage() {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const now = useNow();
  const arrivals = useArrivals();
  const last = useLastEvent();
  const queue = $api.useQuery("get", "/api/v1/ai-sessions/escalations", { params: { query: toQuery(filters, now, LIMIT) } }, { placeholderData: keepPreviousData });
  const set = (change: Partial<Filters>) => setParams(writeFilters({ ...filters, ...change }), { replace: true });

  return (
    <main className="page" id="main">
      <PageHeader
        title="Escalation queue"
        subtitle={queue.data ? `${queue.data.total} ${queue.data.total === 1 ? "handoff" : "handoffs"}` : " "}
        actions={<ConnectionIndicator />}
      />
      <form className="filters" aria-label="Filter the queue" onSubmit={(e) => e.preventDefault()}>
        <label className="filter">
          <span className="filter-label">Status</span>
          <select className="input select" value={filters.status} onChange={(e) => set({ status: e.target.value as Filters["status"] })}>
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span className="filter-label">Priority</span>
          <select className="input select" value={filters.priority} onChange={(e) => set({ priority: e.target.value as Filters["priority"] })}>
            <option value="">Any priority</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {priorityLabel[p]}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span className="filter-label">Age</span>
          <select className="input select" value={filters.age} onChange={(e) => set({ age: e.target.value })}>
            {AGES.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        <label className="filter filter-check">
          <input type="checkbox" checked={filters.mine} onChange={(e) => set({ mine: e.target.checked })} />
          <span>For me</span>
        </label>
      </form>
      <p className="sr-only" aria-live="polite">
        {last?.type === "handoff_created" ? `New escalation: ${last.handoff.summary}` : ""}
      </p>
      {queue.isPending ? (
        <Loading label="Loading the queue…" />
      ) : queue.error ? (
        <ProblemAlert error={queue.error} />
      ) : queue.data.items.length === 0 ? (
        <EmptyState icon={<Inbox size={28} />} title="Nothing waiting">
          <p>New escalations appear here the moment a technician sends one.</p>
        </EmptyState>
      ) : (
        <ul className="queue" aria-label="Handoffs">
          {queue.data.items.map((h) => (
            <HandoffCard key={h.id} handoff={h} now={now} fresh={now - (arrivals.get(h.id) ?? 0) < FRESH_MS} />
          ))}
        </ul>
      )}
    </main>
  );
}
