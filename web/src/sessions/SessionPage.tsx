import { useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, CircleSlash, Plus, Send, Undo2 } from "lucide-react";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { $api } from "../app/services";
import { useMe } from "../auth/AuthProvider";
import { Alert, ProblemAlert } from "../ui/Alert";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { sessionStatusLabel, sessionStatusTone } from "../ui/labels";
import { BackLink, PageHeader } from "../ui/PageHeader";
import { Loading } from "../ui/Spinner";
import { formatDateTime } from "../ui/time";
import { CompleteDialog, CustomStepDialog } from "./CompleteDialogs";
import { EscalateDialog } from "./EscalateDialog";
import { ExportPanel } from "./ExportPanel";
import { HandoffStatus } from "./HandoffStatus";
import { sessionKey } from "./keys";
import { canGoBack, defaultSummary, type Session } from "./model";
import { NodeCard } from "./NodeCard";
import { StepList } from "./StepList";

type Open = null | "escalate" | "resolve" | "abandon" | "custom";

/** A guided session: the current step as a card, the history beside it, and its outcome. */
export function SessionPage() {
  const { id = "" } = useParams();
  const me = useMe();
  const client = useQueryClient();
  const session = $api.useQuery("get", "/api/v1/sessions/{id}", { params: { path: { id } } });
  const s = session.data;
  const version = $api.useQuery(
    "get",
    "/api/v1/trees/{id}/versions/{version}",
    { params: { path: { id: s?.tree_id ?? "", version: s?.tree_version ?? 1 } } },
    { enabled: !!s, staleTime: Number.POSITIVE_INFINITY },
  );
  const [open, setOpen] = useState<Open>(null);
  const update = (next: Session) => {
    client.setQueryData(sessionKey(id), next);
    // The ticket notes follow every step.
    void client.invalidateQueries({ queryKey: ["post", "/api/v1/sessions/{id}/export"] });
  };
  const path = { params: { path: { id } } };
  const answer = $api.useMutation("post", "/api/v1/sessions/{id}/answer", { onSuccess: update });
  const back = $api.useMutation("post", "/api/v1/sessions/{id}/back", { onSuccess: update });

  if (session.isPending) return <Loading label="Loading the session…" />;
  if (session.error)
    return (
      <main className="page" id="main">
        <ProblemAlert error={session.error} title="This session cannot be shown" />
      </main>
    );
  const sess = session.data;
  // Engineers may read any session of the account; only its technician runs it.
  const mine = sess.user_id === me.user.id;
  const running = sess.status === "in_progress" && mine;
  const mutationError = answer.error ?? back.error;

  return (
    <main className="page" id="main">
      <PageHeader
        eyebrow={
          <BackLink to="/sessions">My sessions</BackLink>
        }
        title={sess.tree_title}
        subtitle={
          <>
            Version {sess.tree_version} · started <time dateTime={sess.started_at}>{formatDateTime(sess.started_at)}</time>
          </>
        }
        actions={<Badge tone={sessionStatusTone[sess.status]}>{sessionStatusLabel[sess.status]}</Badge>}
      />
      <div className="session-layout">
        <div className="session-main">
          {mutationError && <ProblemAlert error={mutationError} />}
          {running ? (
            <>
              <NodeCard
                key={sess.current_node_id}
                node={sess.current_node}
                stepNumber={sess.steps.filter((x) => x.kind === "answer").length + 1}
                busy={answer.isPending}
                onAnswer={(optionId, note) =>
                  answer.mutate({ ...path, body: { node_id: sess.current_node_id, ...(optionId && { option_id: optionId }), ...(note && { note }) } })
                }
                onResolve={() => setOpen("resolve")}
                onEscalate={() => setOpen("escalate")}
              />
              <div className="session-actions" role="group" aria-label="Session">
                <Button icon={<Undo2 size={16} aria-hidden />} disabled={!canGoBack(sess)} busy={back.isPending} onClick={() => back.mutate(path)}>
                  Back
                </Button>
                <Button icon={<Plus size={16} aria-hidden />} onClick={() => setOpen("custom")}>
                  Add a custom step
                </Button>
                <span className="spacer" />
                {sess.current_node.type !== "escalation" && (
                  <Button icon={<Send size={16} aria-hidden />} onClick={() => setOpen("escalate")}>
                    Escalate
                  </Button>
                )}
                <Button variant="ghost" icon={<CircleSlash size={16} aria-hidden />} onClick={() => setOpen("abandon")}>
                  Abandon
                </Button>
              </div>
            </>
          ) : sess.status === "in_progress" ? (
            <Alert tone="info" title="Another technician is running this session">
              <p>
                It stands at “{sess.current_node.text}”. You can follow it here; only they can answer, go back or escalate.
              </p>
            </Alert>
          ) : (
            <Outcome session={sess} />
          )}
          {(sess.status === "escalated" || sess.status === "resolved") && <HandoffStatus sessionId={sess.id} sessionStatus={sess.status} />}
          <ExportPanel sessionId={sess.id} ticket={sess.ticket_ref} startedAt={sess.started_at} />
        </div>
        <aside className="session-aside">
          <section className="card" aria-labelledby="details-title">
            <h2 id="details-title" className="card-title">
              Ticket
            </h2>
            <dl className="facts">
              <dt>Ticket</dt>
              <dd>{sess.ticket_ref || "—"}</dd>
              <dt>Customer</dt>
              <dd>{sess.customer || "—"}</dd>
              <dt>Asset</dt>
              <dd>{sess.asset || "—"}</dd>
            </dl>
            {sess.notes && <p className="notes">{sess.notes}</p>}
          </section>
          <StepList session={sess} definition={version.data?.definition} />
        </aside>
      </div>
      <EscalateDialog open={open === "escalate"} what={{ kind: "session", id: sess.id, summary: defaultSummary(sess) }} onClose={() => setOpen(null)} />
      <CompleteDialog outcome={open === "resolve" ? "resolved" : open === "abandon" ? "abandoned" : null} session={sess} onClose={() => setOpen(null)} onDone={update} />
      <CustomStepDialog open={open === "custom"} session={sess} onClose={() => setOpen(null)} onDone={update} />
    </main>
  );
}

function Outcome({ session }: { session: Session }) {
  switch (session.status) {
    case "resolved":
      return (
        <Alert tone="success" title="Resolved">
          {session.resolution_note ? <p className="prewrap">{session.resolution_note}</p> : <p>The session ended at “{session.current_node.text}”.</p>}
        </Alert>
      );
    case "escalated":
      return (
        <Alert tone="info" title="Escalated to the engineers">
          <p>The engineers have everything you tried. You will see here when one of them takes it and how it was solved.</p>
        </Alert>
      );
    default:
      return (
        <Alert tone="warning" title="Abandoned">
          {session.resolution_note ? <p className="prewrap">{session.resolution_note}</p> : <p>This session was stopped without an outcome.</p>}
          <p>
            <Link to="/trees">
              <CheckCircle2 size={14} aria-hidden /> Start a new session
            </Link>
          </p>
        </Alert>
      );
  }
}
