import { useState } from "react";
import { $api } from "../app/services";
import { ProblemAlert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { TextArea } from "../ui/Field";
import type { Session } from "./model";

/** Ends a session as resolved (at a solution) or abandoned, with a note for the ticket. */
export function CompleteDialog({ outcome, session, onClose, onDone }: { outcome: "resolved" | "abandoned" | null; session: Session; onClose(): void; onDone(s: Session): void }) {
  const [note, setNote] = useState("");
  const complete = $api.useMutation("post", "/api/v1/sessions/{id}/complete", {
    onSuccess: (s) => {
      onDone(s);
      close();
    },
  });
  const close = () => {
    setNote("");
    complete.reset();
    onClose();
  };
  const resolving = outcome === "resolved";
  return (
    <Dialog
      open={outcome !== null}
      title={resolving ? "Resolve the session" : "Abandon the session"}
      description={resolving ? session.current_node.text : "The session stops here, without an outcome. Its steps stay in the record."}
      onClose={close}
      onSubmit={() =>
        outcome && complete.mutate({ params: { path: { id: session.id } }, body: { outcome, ...(note.trim() && { resolution_note: note.trim() }) } })
      }
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant={resolving ? "success" : "danger"} busy={complete.isPending}>
            {resolving ? "Resolve" : "Abandon"}
          </Button>
        </>
      }
    >
      <div className="stack">
        <ProblemAlert error={complete.error} />
        <TextArea
          label={resolving ? "What fixed it" : "Why it stops here"}
          hint="Optional. It goes into the ticket notes."
          rows={4}
          maxLength={10000}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          autoFocus
        />
      </div>
    </Dialog>
  );
}

/** Records something the technician did that the tree does not have. */
export function CustomStepDialog({ open, session, onClose, onDone }: { open: boolean; session: Session; onClose(): void; onDone(s: Session): void }) {
  const [text, setText] = useState("");
  const [note, setNote] = useState("");
  const add = $api.useMutation("post", "/api/v1/sessions/{id}/custom-steps", {
    onSuccess: (s) => {
      onDone(s);
      close();
    },
  });
  const close = () => {
    setText("");
    setNote("");
    add.reset();
    onClose();
  };
  return (
    <Dialog
      open={open}
      title="Add a custom step"
      description="Something you did that the tree does not have. It is recorded, exported and marked as custom."
      onClose={close}
      onSubmit={() => text.trim() && add.mutate({ params: { path: { id: session.id } }, body: { text: text.trim(), ...(note.trim() && { note: note.trim() }) } })}
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="primary" busy={add.isPending} disabled={!text.trim()}>
            Add step
          </Button>
        </>
      }
    >
      <div className="stack">
        <ProblemAlert error={add.error} />
        <TextArea label="What you did" required rows={3} maxLength={4000} value={text} onChange={(e) => setText(e.target.value)} autoFocus placeholder="e.g. Reseated the network cable at the wall port" />
        <TextArea label="Note" hint="Optional: what you saw" rows={2} maxLength={4000} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
    </Dialog>
  );
}
