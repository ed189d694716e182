import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { components } from "../../../gen/ts/schema";
import { $api } from "../app/services";
import { ProblemAlert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { Select, TextArea } from "../ui/Field";
import { PRIORITIES, priorityLabel } from "../ui/labels";
import { sessionEscalationKey, sessionKey } from "./keys";

type Priority = components["schemas"]["Priority"];
type EscalationRequest = components["schemas"]["EscalationRequest"];
type Handoff = components["schemas"]["Handoff"];

/** What is being escalated: a guided session, or a conversation with the assistant. */
export type Escalated = { kind: "session"; id: string; summary: string } | { kind: "conversation"; id: string; summary: string };

/**
 * Hands a session or a conversation to the engineers. The Idempotency-Key is drawn once per
 * opening of the form: a double click or a retry after a lost answer makes one handoff, not two.
 */
export function EscalateDialog({ open, what, onClose, onDone }: { open: boolean; what: Escalated; onClose(): void; onDone?(h: Handoff): void }) {
  return open ? <EscalateForm what={what} onClose={onClose} onDone={onDone} /> : null;
}

function EscalateForm({ what, onClose, onDone }: { what: Escalated; onClose(): void; onDone?(h: Handoff): void }) {
  const client = useQueryClient();
  const [key] = useState(() => crypto.randomUUID());
  const [summary, setSummary] = useState(what.summary);
  const [priority, setPriority] = useState<Priority>("normal");
  const [target, setTarget] = useState("");
  const targets = $api.useQuery("get", "/api/v1/escalation-targets");
  const done = async (handoff: Handoff) => {
    if (what.kind === "session") {
      client.setQueryData(sessionEscalationKey(what.id), handoff);
      await client.invalidateQueries({ queryKey: sessionKey(what.id) });
    } else {
      await client.invalidateQueries({ queryKey: ["get", "/api/v1/ai-sessions/{id}", { params: { path: { id: what.id } } }] });
    }
    onDone?.(handoff);
    onClose();
  };
  const fromSession = $api.useMutation("post", "/api/v1/sessions/{id}/escalate", { onSuccess: done });
  const fromConversation = $api.useMutation("post", "/api/v1/ai-sessions/{id}/escalate", { onSuccess: done });
  const m = what.kind === "session" ? fromSession : fromConversation;
  const send = () => {
    const body: EscalationRequest = { summary: summary.trim(), priority, ...(target && { target_user_id: target }) };
    const params = { params: { path: { id: what.id }, header: { "Idempotency-Key": key } }, body };
    if (what.kind === "session") fromSession.mutate(params);
    else fromConversation.mutate(params);
  };
  return (
    <Dialog
      open
      title="Escalate to an engineer"
      description={
        what.kind === "session"
          ? "The engineer sees everything you tried, with your notes, ticket, customer and asset."
          : "The engineer sees the whole conversation and the assistant's last assessment."
      }
      onClose={onClose}
      onSubmit={send}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={m.isPending} disabled={!summary.trim()}>
            Escalate
          </Button>
        </>
      }
    >
      <div className="stack">
        <ProblemAlert error={m.error} />
        <TextArea label="What should the engineer know first?" required rows={4} maxLength={4000} value={summary} onChange={(e) => setSummary(e.target.value)} autoFocus />
        <fieldset className="fieldset">
          <legend className="field-label">Priority</legend>
          <div className="segmented">
            {PRIORITIES.map((p) => (
              <label key={p} className={`segment segment-${p}`}>
                <input type="radio" name="priority" value={p} checked={priority === p} onChange={() => setPriority(p)} />
                <span>{priorityLabel[p]}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <Select label="Hand it to" hint="Leave it to the team, or name one engineer: only they are emailed." value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">Anyone on the team</option>
          {(targets.data?.items ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.role})
            </option>
          ))}
        </Select>
        {targets.error && <ProblemAlert error={targets.error} title="The list of engineers did not load" />}
      </div>
    </Dialog>
  );
}
