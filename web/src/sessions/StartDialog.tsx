import { useState } from "react";
import { useNavigate } from "react-router";
import type { components } from "../../../gen/ts/schema";
import { $api } from "../app/services";
import { ProblemAlert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { TextArea, TextInput } from "../ui/Field";

type TreeSummary = components["schemas"]["TreeSummary"];

const EMPTY = { ticket_ref: "", customer: "", asset: "", notes: "" };

/** Ticket, customer and asset for a new session on a tree, then off to the session. */
export function StartDialog({ tree, onClose }: { tree: TreeSummary | null; onClose(): void }) {
  const navigate = useNavigate();
  const [form, setForm] = useState(EMPTY);
  const start = $api.useMutation("post", "/api/v1/sessions", {
    onSuccess: (session) => navigate(`/sessions/${session.id}`),
  });
  const set = (key: keyof typeof EMPTY) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const close = () => {
    setForm(EMPTY);
    start.reset();
    onClose();
  };
  return (
    <Dialog
      open={tree !== null}
      title={tree ? `Start: ${tree.title}` : ""}
      description="What is this session about? These details go into the ticket notes and any escalation."
      onClose={close}
      onSubmit={() => tree && start.mutate({ body: { tree_id: tree.id, ...trimmed(form) } })}
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="primary" busy={start.isPending}>
            Start session
          </Button>
        </>
      }
    >
      <div className="stack">
        <ProblemAlert error={start.error} />
        <TextInput label="Ticket" name="ticket_ref" placeholder="e.g. T-10442" maxLength={100} value={form.ticket_ref} onChange={set("ticket_ref")} autoFocus />
        <div className="grid-2">
          <TextInput label="Customer" name="customer" placeholder="e.g. Northwind Traders" maxLength={200} value={form.customer} onChange={set("customer")} />
          <TextInput label="Asset" name="asset" placeholder="e.g. LAPTOP-0231" maxLength={200} value={form.asset} onChange={set("asset")} />
        </div>
        <TextArea label="Notes" name="notes" rows={3} maxLength={10000} placeholder="Anything the customer already told you" value={form.notes} onChange={set("notes")} />
      </div>
    </Dialog>
  );
}

function trimmed(form: typeof EMPTY) {
  return Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== "")) as Partial<typeof EMPTY>;
}
