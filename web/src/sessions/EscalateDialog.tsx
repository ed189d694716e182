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
import { defaultSummary, type Session } from "./model";

type Priority = components["schemas"]["Priority"];

/**
 * Hands the session to the engineers. The Idempotency-Key is drawn once per opening of the
 * form: a double click or a retry after a lost answer makes one handoff, not two.
 */
export function EscalateDialog({ open, session, onClose }: { open: boolean; session: Session; onClose(): void }) {
  return open ? <EscalateForm session={session} onClose={onClose} /> : null;
}

function EscalateForm({ session, onClose }: { session: Session; onClose(): void }) {
  const client = useQueryClient();
  const [key] = useState(() => crypto.randomUUID());
  const [summary, setSummary] = useState(() => defaultSummary(session));
  const [priority, setPriority] = useState<Priority>("normal");
  const [target, setTarget] = useState("");
  const targets = $api.useQuery("get", "/api/v1/escalation-targets");
  const escalate = $api.useMutation("post", "/api/v1/sessions/{id}/escalate", {
    onSuccess: async (handoff) => {
      client.setQueryData(sessionEscalationKey(session.id), handoff);
      await client.invalidateQueries({ queryKey: sessionKey(session.id) });
      onClose();
    },
  });
  return (
    <Dialog
      open
      title="Escalate to an engineer"
      description="The engineer sees everything you tried, with your notes, ticket, customer and asset."
      onClose={onClose}
      onSubmit={() =>
        escalate.mutate({
          params: { path: { id: session.id }, header: { "Idempotency-Key": key } },
          body: { summary: summary.trim(), priority, ...(target && { target_user_id: target }) },
        })
      }
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={escalate.isPending} disabled={!summary.trim()}>
            Escalate
          </Button>
        </>
      }
    >
      <div className="stack">
        <ProblemAlert error={escalate.error} />
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
