import { keepPreviousData } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight, ClipboardList } from "lucide-react";
import { Link, useSearchParams } from "react-router";
import type { components } from "../../../gen/ts/schema";
import { $api } from "../app/services";
import { atLeast, useMe } from "../auth/AuthProvider";
import { ProblemAlert } from "../ui/Alert";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { sessionStatusLabel, sessionStatusTone } from "../ui/labels";
import { EmptyState, PageHeader } from "../ui/PageHeader";
import { Loading } from "../ui/Spinner";
import { formatAgo } from "../ui/time";
import { useNow } from "../ui/useNow";

type SessionStatus = components["schemas"]["SessionStatus"];

const PAGE = 25;
const FILTERS: { value: SessionStatus | ""; label: string }[] = [
  { value: "in_progress", label: "In progress" },
  { value: "escalated", label: "Escalated" },
  { value: "resolved", label: "Resolved" },
  { value: "", label: "All" },
];

/** The technician's own sessions, newest first: resume one, or look up how one ended. */
export function MySessionsPage() {
  const me = useMe();
  const now = useNow();
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? "in_progress") as SessionStatus | "";
  const page = Math.max(0, Number.parseInt(params.get("page") ?? "0", 10) || 0);
  const sessions = $api.useQuery(
    "get",
    "/api/v1/sessions",
    {
      params: {
        query: {
          limit: PAGE,
          offset: page * PAGE,
          ...(status && { status }),
          // Engineers can read every session of the account; this page is their own.
          ...(atLeast(me.user.role, "engineer") && { user_id: me.user.id }),
        },
      },
    },
    { placeholderData: keepPreviousData },
  );
  const go = (changes: Record<string, string>) => setParams({ status, page: "0", ...changes }, { replace: true });

  return (
    <main className="page" id="main">
      <PageHeader
        title="My sessions"
        subtitle="Resume a session, or look up how one ended."
        actions={
          <Link to="/trees" className="btn btn-primary btn-md">
            Start a session
          </Link>
        }
      />
      <div className="chips" role="group" aria-label="Status">
        {FILTERS.map((f) => (
          <button key={f.label} type="button" className="chip" aria-pressed={status === f.value} onClick={() => go({ status: f.value })}>
            {f.label}
          </button>
        ))}
      </div>
      {sessions.isPending ? (
        <Loading label="Loading your sessions…" />
      ) : sessions.error ? (
        <ProblemAlert error={sessions.error} />
      ) : sessions.data.items.length === 0 ? (
        <EmptyState icon={<ClipboardList size={28} />} title={status === "in_progress" ? "No session in progress" : "No sessions here"}>
          <p>
            <Link to="/trees">Start a session</Link> on a troubleshooting tree.
          </p>
        </EmptyState>
      ) : (
        <>
          <ul className="list" aria-label="Sessions">
            {sessions.data.items.map((s) => (
              <li key={s.id} className="list-row">
                <Link to={`/sessions/${s.id}`} className="list-link">
                  <span className="list-main">
                    <span className="list-title">{s.tree_title}</span>
                    <span className="list-meta">
                      {[s.ticket_ref, s.customer, s.asset].filter(Boolean).join(" · ") || "No ticket details"}
                    </span>
                  </span>
                  <span className="list-side">
                    <Badge tone={sessionStatusTone[s.status]}>{sessionStatusLabel[s.status]}</Badge>
                    <time className="muted small" dateTime={s.updated_at}>
                      {formatAgo(s.updated_at, now)}
                    </time>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          {sessions.data.total > PAGE && (
            <nav className="pager" aria-label="Pages">
              <Button size="sm" disabled={page === 0} onClick={() => go({ page: String(page - 1) })}>
                <ChevronLeft size={16} aria-hidden /> Previous
              </Button>
              <span>
                Page {page + 1} of {Math.ceil(sessions.data.total / PAGE)}
              </span>
              <Button size="sm" disabled={(page + 1) * PAGE >= sessions.data.total} onClick={() => go({ page: String(page + 1) })}>
                Next <ChevronRight size={16} aria-hidden />
              </Button>
            </nav>
          )}
        </>
      )}
    </main>
  );
}
