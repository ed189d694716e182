import { useQueryClient } from "@tanstack/react-query";
import { Bot, CheckCircle2, Undo2, XCircle } from "lucide-react";
import { useState } from "react";
import { Link, useParams } from "react-router";
import type { components } from "../../../gen/ts/schema";
import { $api } from "../app/services";
import { useMe } from "../auth/AuthProvider";
import { handoffKey, queueKey } from "../stream/queries";
import { Alert, ProblemAlert } from "../ui/Alert";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { TextArea } from "../ui/Field";
import { handoffStatusLabel, handoffStatusTone, priorityLabel, priorityTone } from "../ui/labels";
import { BackLink, PageHeader } from "../ui/PageHeader";
import { TimelineStep } from "../ui/Timeline";
import { Loading } from "../ui/Spinner";
import { formatDateTime, formatDuration, formatTime } from "../ui/time";
import { useNow } from "../ui/useNow";
import { ConnectionIndicator } from "./ConnectionIndicator";
import { ClaimButton, ClaimError, useClaim } from "./ClaimButton";

type HandoffDetail = components["schemas"]["HandoffDetail"];
type Me = components["schemas"]["Me"];

/** What the caller may do with a handoff now; the server checks the same rules. */
export function allowed(h: Pick<HandoffDetail, "status" | "claimed_by" | "created_by">, me: Me) {
  const admin = me.user.role === "admin";
  return {
    claim: h.status === "open",
    resolve: h.status === "claimed" && (admin || h.claimed_by === me.user.id),
    release: h.status === "claimed" && (admin || h.claimed_by === me.user.id),
    cancel: (h.status === "open" && (admin || h.created_by === me.user.id)) || (h.status === "claimed" && (admin || h.claimed_by === me.user.id)),
  };
}

/** A handoff with everything that was already tried: the engineer reads it before calling back. */
export function HandoffPage() {
  const { id = "" } = useParams();
  const me = useMe();
  const now = useNow();
  const handoff = $api.useQuery("get", "/api/v1/ai-sessions/escalations/{id}", { params: { path: { id } } });
  const claim = useClaim(id);
  const client = useQueryClient();
  const release = $api.useMutation("post", "/api/v1/ai-sessions/escalations/{id}/release", {
    onSuccess: (h) => {
      client.setQueryData(handoffKey(id), (old: HandoffDetail | undefined) => (old ? { ...old, ...h } : old));
      void client.invalidateQueries({ queryKey: queueKey });
    },
  });
  const [dialog, setDialog] = useState<null | "resolve" | "cancel">(null);

  if (handoff.isPending) return <Loading label="Loading the escalation…" />;
  if (handoff.error)
    return (
      <main className="page" id="main">
        <ProblemAlert error={handoff.error} title="This escalation cannot be shown" />
        <p>
          <Link to="/queue">Back to the queue</Link>
        </p>
      </main>
    );
  const h = handoff.data;
  const c = h.context;
  const can = allowed(h, me);
  const settled = h.status === "resolved" || h.status === "cancelled";
  const waitedUntil = h.claimed_at ?? (settled ? h.updated_at : undefined);

  return (
    <main className="page" id="main">
      <PageHeader
        eyebrow={
          <BackLink to="/queue">Escalation queue</BackLink>
        }
        title={h.summary}
        subtitle={
          <span className="badges">
            <Badge tone={priorityTone[h.priority]}>{priorityLabel[h.priority]}</Badge>
            <Badge tone={handoffStatusTone[h.status]} dot>
              {handoffStatusLabel[h.status]}
              {h.status === "claimed" && h.claimed_by_name ? ` by ${h.claimed_by_name}` : ""}
            </Badge>
            <span className="muted">
              {waitedUntil ? "waited " : "waiting "}
              <strong>{formatDuration((waitedUntil ? Date.parse(waitedUntil) : now) - Date.parse(h.created_at))}</strong>
            </span>
          </span>
        }
        actions={<ConnectionIndicator />}
      />
      <div className="action-bar" role="group" aria-label="Escalation">
        {can.claim && <ClaimButton id={h.id} claim={claim} size="lg" />}
        {can.resolve && (
          <Button variant="success" size="lg" icon={<CheckCircle2 size={18} aria-hidden />} onClick={() => setDialog("resolve")}>
            Resolve
          </Button>
        )}
        {can.release && (
          <Button icon={<Undo2 size={16} aria-hidden />} busy={release.isPending} onClick={() => release.mutate({ params: { path: { id: h.id } } })}>
            Release to the queue
          </Button>
        )}
        {can.cancel && (
          <Button variant="ghost" icon={<XCircle size={16} aria-hidden />} onClick={() => setDialog("cancel")}>
            Cancel escalation
          </Button>
        )}
        {h.status === "claimed" && !can.resolve && <span className="muted">Claimed by {h.claimed_by_name ?? "another engineer"}: only they or an admin can resolve it.</span>}
      </div>
      <ClaimError error={claim.error} />
      <ProblemAlert error={release.error} title="The escalation was not released" />
      {h.status === "resolved" && (
        <Alert tone="success" title={`Resolved${h.resolved_at ? ` ${formatDateTime(h.resolved_at)}` : ""}`}>
          <p className="prewrap">{h.resolution_note}</p>
        </Alert>
      )}
      {h.status === "cancelled" && <Alert tone="warning" title="Cancelled">{h.cancel_reason && <p className="prewrap">{h.cancel_reason}</p>}</Alert>}

      <div className="detail-layout">
        <div className="detail-main">
          <section className="card" aria-labelledby="problem-title">
            <h2 id="problem-title" className="card-title">
              Problem
            </h2>
            <p className="lead prewrap">{c.problem_summary}</p>
          </section>
          <section className="card" aria-labelledby="tried-title">
            <h2 id="tried-title" className="card-title">
              What was already tried <span className="muted">({c.steps.length})</span>
            </h2>
            {c.steps.length === 0 ? (
              <p className="muted">No steps were recorded.</p>
            ) : (
              <ol className="timeline">
                {c.steps.map((s, i) => (
                  <TimelineStep key={i} kind={s.kind} title={s.text} answer={s.answer} note={s.note} at={s.at} />
                ))}
              </ol>
            )}
          </section>
          {c.transcript.length > 0 && (
            <section className="card" aria-labelledby="transcript-title">
              <h2 id="transcript-title" className="card-title">
                Conversation with the assistant
              </h2>
              <ol className="transcript">
                {c.transcript.map((m) => (
                  <li key={m.id} className={`message message-${m.role}`}>
                    <span className="message-role">{m.role === "assistant" ? <><Bot size={14} aria-hidden /> Assistant</> : "Technician"}</span>
                    <p className="prewrap">{m.content}</p>
                  </li>
                ))}
              </ol>
            </section>
          )}
          {c.assessment && (
            <section className="card" aria-labelledby="assessment-title">
              <h2 id="assessment-title" className="card-title">
                The assistant's assessment
              </h2>
              <p className="prewrap">{c.assessment}</p>
            </section>
          )}
        </div>
        <aside className="detail-aside">
          <section className="card" aria-labelledby="who-title">
            <h2 id="who-title" className="card-title">
              Who and when
            </h2>
            <dl className="facts">
              <dt>Asked by</dt>
              <dd>{c.technician ?? h.created_by_name ?? "—"}</dd>
              <dt>Escalated</dt>
              <dd>
                <time dateTime={h.created_at}>{formatDateTime(h.created_at)}</time>
              </dd>
              {c.time_spent && (
                <>
                  <dt>Worked on it for</dt>
                  <dd>{c.time_spent}</dd>
                </>
              )}
              <dt>Handed to</dt>
              <dd>{h.target_user_name ?? "The team"}</dd>
              {h.claimed_by_name && (
                <>
                  <dt>Claimed by</dt>
                  <dd>
                    {h.claimed_by_name}
                    {h.claimed_at && <span className="muted"> · {formatTime(h.claimed_at)}</span>}
                  </dd>
                </>
              )}
            </dl>
          </section>
          <section className="card" aria-labelledby="ticket-title">
            <h2 id="ticket-title" className="card-title">
              Ticket
            </h2>
            <dl className="facts">
              <dt>Ticket</dt>
              <dd>{c.ticket_ref ?? "—"}</dd>
              <dt>Customer</dt>
              <dd>{c.customer ?? "—"}</dd>
              <dt>Asset</dt>
              <dd>{c.asset ?? "—"}</dd>
              {c.tree_title && (
                <>
                  <dt>Tree</dt>
                  <dd>
                    {c.tree_title}
                    {c.tree_version ? <span className="muted"> · version {c.tree_version}</span> : null}
                  </dd>
                </>
              )}
              <dt>Source</dt>
              <dd>{h.source === "ai_session" ? "Conversation with the assistant" : "Guided session"}</dd>
            </dl>
          </section>
        </aside>
      </div>
      <ChangeDialog kind={dialog} id={h.id} onClose={() => setDialog(null)} />
    </main>
  );
}

/** Resolve (with the note the technician will read) or cancel (with a reason). */
function ChangeDialog({ kind, id, onClose }: { kind: null | "resolve" | "cancel"; id: string; onClose(): void }) {
  const client = useQueryClient();
  const [text, setText] = useState("");
  const done = {
    onSuccess: (h: components["schemas"]["Handoff"]) => {
      client.setQueryData(handoffKey(id), (old: HandoffDetail | undefined) => (old ? { ...old, ...h } : old));
      void client.invalidateQueries({ queryKey: queueKey });
      close();
    },
  };
  const resolve = $api.useMutation("post", "/api/v1/ai-sessions/escalations/{id}/resolve", done);
  const cancel = $api.useMutation("post", "/api/v1/ai-sessions/escalations/{id}/cancel", done);
  const close = () => {
    setText("");
    resolve.reset();
    cancel.reset();
    onClose();
  };
  const resolving = kind === "resolve";
  const m = resolving ? resolve : cancel;
  return (
    <Dialog
      open={kind !== null}
      title={resolving ? "Resolve the escalation" : "Cancel the escalation"}
      description={resolving ? "The technician sees this note on their session, and it goes into the ticket notes." : "Say why, so that the technician knows what happens next."}
      onClose={close}
      onSubmit={() => {
        const params = { params: { path: { id } } };
        if (resolving) resolve.mutate({ ...params, body: { resolution_note: text.trim() } });
        else cancel.mutate({ ...params, body: text.trim() ? { reason: text.trim() } : {} });
      }}
      footer={
        <>
          <Button onClick={close}>Back</Button>
          <Button type="submit" variant={resolving ? "success" : "danger"} busy={m.isPending} disabled={resolving && !text.trim()}>
            {resolving ? "Resolve" : "Cancel escalation"}
          </Button>
        </>
      }
    >
      <div className="stack">
        <ProblemAlert error={m.error} />
        <TextArea
          label={resolving ? "How it was resolved" : "Reason"}
          required={resolving}
          rows={5}
          maxLength={resolving ? 10000 : 4000}
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoFocus
          placeholder={resolving ? "e.g. Reset the user's MFA registration and re-enrolled the authenticator" : "e.g. Duplicate of T-10442"}
        />
      </div>
    </Dialog>
  );
}
