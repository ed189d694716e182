import { useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, CircleDot, Hand, XCircle } from "lucide-react";
import { useEffect, useState } from "react";
import type { components } from "../../../gen/ts/schema";
import { $api } from "../app/services";
import { isClientError } from "../api/errors";
import { useMe } from "../auth/AuthProvider";
import { ProblemAlert } from "../ui/Alert";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { TextArea } from "../ui/Field";
import { handoffStatusLabel, handoffStatusTone, priorityLabel, priorityTone } from "../ui/labels";
import { formatAgo } from "../ui/time";
import { useNow } from "../ui/useNow";
import { sessionKey } from "./keys";

type Handoff = components["schemas"]["Handoff"];

/** How often the technician's page asks after a handoff still in the engineers' hands. */
const FOLLOW_MS = 3_000;

/**
 * The handoff of an escalated session as it stands: open, claimed by whom, resolved with what
 * note. Technicians are not on the engineers' stream, so the page asks every few seconds while
 * the handoff is open or claimed and the tab is visible, and stops once it is settled.
 */
export function HandoffStatus({ sessionId, sessionStatus }: { sessionId: string; sessionStatus: string }) {
  const client = useQueryClient();
  const now = useNow();
  const me = useMe();
  const [withdrawing, setWithdrawing] = useState(false);
  const handoff = $api.useQuery(
    "get",
    "/api/v1/sessions/{id}/escalation",
    { params: { path: { id: sessionId } } },
    {
      refetchInterval: (q) => (q.state.data && ["open", "claimed"].includes(q.state.data.status) ? FOLLOW_MS : false),
      retry: (n, err) => !isClientError(err) && n < 2,
    },
  );
  const h = handoff.data;
  // The engineer's resolution resolves the session too: show it as soon as the handoff says so.
  useEffect(() => {
    if (h?.status === "resolved" && sessionStatus !== "resolved") void client.invalidateQueries({ queryKey: sessionKey(sessionId) });
  }, [h?.status, sessionStatus, sessionId, client]);
  if (!h) return null;

  return (
    <section className="card handoff-status" aria-labelledby="handoff-status-title" aria-live="polite">
      <div className="card-head">
        <h2 id="handoff-status-title" className="card-title">
          Escalation
        </h2>
        <Badge tone={handoffStatusTone[h.status]} dot>
          {handoffStatusLabel[h.status]}
        </Badge>
      </div>
      <ol className="progress">
        <Stage done icon={<CircleDot size={16} aria-hidden />} title="Escalated" when={h.created_at} now={now}>
          <Badge tone={priorityTone[h.priority]}>{priorityLabel[h.priority]}</Badge>
          {h.target_user_name ? ` handed to ${h.target_user_name}` : " to the team"}
          <span className="progress-quote">{h.summary}</span>
        </Stage>
        <Stage done={h.status !== "open"} icon={<Hand size={16} aria-hidden />} title={claimTitle(h)} when={h.claimed_at} now={now} />
        {h.status === "cancelled" ? (
          <Stage done icon={<XCircle size={16} aria-hidden />} title="Cancelled" when={h.updated_at} now={now}>
            {h.cancel_reason}
          </Stage>
        ) : (
          <Stage done={h.status === "resolved"} icon={<CheckCircle2 size={16} aria-hidden />} title={h.status === "resolved" ? "Resolved" : "Not resolved yet"} when={h.resolved_at} now={now}>
            {h.resolution_note && <span className="prewrap">{h.resolution_note}</span>}
          </Stage>
        )}
      </ol>
      {h.status === "open" && h.created_by === me.user.id && (
        <Button variant="ghost" icon={<XCircle size={16} aria-hidden />} onClick={() => setWithdrawing(true)}>
          Withdraw the escalation
        </Button>
      )}
      {withdrawing && <WithdrawDialog sessionId={sessionId} handoffId={h.id} onClose={() => setWithdrawing(false)} />}
    </section>
  );
}

/** The technician takes back an escalation nobody has claimed yet: solved meanwhile, say. */
function WithdrawDialog({ sessionId, handoffId, onClose }: { sessionId: string; handoffId: string; onClose(): void }) {
  const client = useQueryClient();
  const [reason, setReason] = useState("");
  const withdraw = $api.useMutation("post", "/api/v1/ai-sessions/escalations/{id}/cancel", {
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["get", "/api/v1/sessions/{id}/escalation", { params: { path: { id: sessionId } } }] });
      onClose();
    },
  });
  return (
    <Dialog
      open
      size="sm"
      title="Withdraw the escalation?"
      description="It leaves the engineers' queue. Say why, so that they know it needs nobody."
      onClose={onClose}
      onSubmit={() => withdraw.mutate({ params: { path: { id: handoffId } }, body: reason.trim() ? { reason: reason.trim() } : {} })}
      footer={
        <>
          <Button onClick={onClose}>Keep it</Button>
          <Button type="submit" variant="danger" busy={withdraw.isPending}>
            Withdraw
          </Button>
        </>
      }
    >
      <div className="stack">
        <ProblemAlert error={withdraw.error} />
        <TextArea label="Reason" rows={3} maxLength={4000} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. The user restarted the printer and it works again" />
      </div>
    </Dialog>
  );
}

function claimTitle(h: Handoff): string {
  if (h.status === "open") return "Waiting for an engineer to claim it";
  return h.claimed_by_name ? `Claimed by ${h.claimed_by_name}` : "Claimed";
}

function Stage({ done, icon, title, when, now, children }: { done: boolean; icon: React.ReactNode; title: string; when?: string; now: number; children?: React.ReactNode }) {
  return (
    <li className={`progress-step${done ? " done" : ""}`}>
      <span className="progress-icon">{icon}</span>
      <div>
        <p className="progress-title">
          {title}
          {when && done && (
            <time className="muted small" dateTime={when}>
              {" "}
              · {formatAgo(when, now)}
            </time>
          )}
        </p>
        {children && <p className="progress-detail">{children}</p>}
      </div>
    </li>
  );
}
