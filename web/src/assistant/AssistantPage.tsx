import { keepPreviousData } from "@tanstack/react-query";
import { Bot, MessageSquarePlus } from "lucide-react";
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import type { components } from "../../../gen/ts/schema";
import { $api } from "../app/services";
import { atLeast, useMe } from "../auth/AuthProvider";
import { ProblemAlert } from "../ui/Alert";
import { Badge, type Tone } from "../ui/Badge";
import { Button } from "../ui/Button";
import { Select, TextArea, TextInput } from "../ui/Field";
import { EmptyState, PageHeader } from "../ui/PageHeader";
import { Loading } from "../ui/Spinner";
import { formatAgo } from "../ui/time";
import { useNow } from "../ui/useNow";

type Status = components["schemas"]["AISessionStatus"];

export const conversationStatus: Record<Status, { label: string; tone: Tone }> = {
  active: { label: "Active", tone: "accent" },
  paused: { label: "Paused", tone: "warning" },
  resolved: { label: "Resolved", tone: "success" },
  escalated: { label: "Escalated", tone: "info" },
  abandoned: { label: "Abandoned", tone: "neutral" },
};

const FILTERS: (Status | "")[] = ["active", "paused", "resolved", "escalated", "abandoned", ""];

/** Conversations with the assistant: start one, or resume one that was paused. */
export function AssistantPage() {
  const me = useMe();
  const now = useNow();
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? "") as Status | "";
  // Engineers may read the whole account's conversations; this page is the caller's own.
  const list = $api.useQuery("get", "/api/v1/ai-sessions", { params: { query: { limit: 50, user_id: me.user.id, ...(status && { status }) } } }, { placeholderData: keepPreviousData });
  const mine = list.data?.items;

  return (
    <main className="page" id="main">
      <PageHeader title="Assistant" subtitle="Describe the problem in your own words: the assistant looks it up in your account's trees, and follows your guided session with you." />
      <div className="assistant-layout">
        <NewConversation />
        <section className="stack" aria-labelledby="conversations-title">
          <h2 id="conversations-title" className="card-title">
            Your conversations
          </h2>
          <div className="chips" role="group" aria-label="Status">
            {FILTERS.map((f) => (
              <button key={f || "all"} type="button" className="chip" aria-pressed={status === f} onClick={() => setParams(f ? { status: f } : {}, { replace: true })}>
                {f ? conversationStatus[f].label : "All"}
              </button>
            ))}
          </div>
          {list.isPending ? (
            <Loading label="Loading conversations…" />
          ) : list.error ? (
            <ProblemAlert error={list.error} />
          ) : !mine?.length ? (
            <EmptyState icon={<Bot size={28} />} title="No conversations here">
              <p>Start one on the left.</p>
            </EmptyState>
          ) : (
            <ul className="list" aria-label="Conversations">
              {mine.map((c) => (
                <li key={c.id} className="list-row">
                  <Link to={`/assistant/${c.id}`} className="list-link">
                    <span className="list-main">
                      <span className="list-title">{c.problem}</span>
                      <span className="list-meta">{[c.ticket_ref, c.customer, c.asset].filter(Boolean).join(" · ") || "No ticket details"}</span>
                    </span>
                    <span className="list-side">
                      <Badge tone={conversationStatus[c.status].tone}>{conversationStatus[c.status].label}</Badge>
                      <time className="muted small" dateTime={c.updated_at}>
                        {formatAgo(c.updated_at, now)}
                      </time>
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </main>
  );
}

function NewConversation() {
  const me = useMe();
  const navigate = useNavigate();
  const [form, setForm] = useState({ problem: "", session_id: "", ticket_ref: "", customer: "", asset: "" });
  const sessions = $api.useQuery("get", "/api/v1/sessions", {
    params: { query: { status: "in_progress", limit: 50, ...(atLeast(me.user.role, "engineer") && { user_id: me.user.id }) } },
  });
  const start = $api.useMutation("post", "/api/v1/ai-sessions", { onSuccess: (c) => navigate(`/assistant/${c.id}`) });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <form
      className="card stack"
      aria-labelledby="new-conversation-title"
      onSubmit={(e) => {
        e.preventDefault();
        const optional = (v: string) => v.trim() || undefined;
        start.mutate({ body: { problem: form.problem.trim(), session_id: optional(form.session_id), ticket_ref: optional(form.ticket_ref), customer: optional(form.customer), asset: optional(form.asset) } });
      }}
    >
      <h2 id="new-conversation-title" className="card-title">
        <MessageSquarePlus size={16} aria-hidden /> New conversation
      </h2>
      <ProblemAlert error={start.error} />
      <TextArea label="What is the problem?" required rows={4} maxLength={4000} value={form.problem} onChange={set("problem")} placeholder="e.g. Outlook keeps asking for the password since this morning" />
      <Select label="About a guided session" hint="Optional: the assistant follows it with you." value={form.session_id} onChange={set("session_id")}>
        <option value="">None</option>
        {(sessions.data?.items ?? []).map((s) => (
          <option key={s.id} value={s.id}>
            {s.tree_title}
            {s.ticket_ref ? ` · ${s.ticket_ref}` : ""}
          </option>
        ))}
      </Select>
      <div className="grid-3">
        <TextInput label="Ticket" maxLength={100} value={form.ticket_ref} onChange={set("ticket_ref")} />
        <TextInput label="Customer" maxLength={200} value={form.customer} onChange={set("customer")} />
        <TextInput label="Asset" maxLength={200} value={form.asset} onChange={set("asset")} />
      </div>
      <Button type="submit" variant="primary" busy={start.isPending} disabled={!form.problem.trim()}>
        Ask the assistant
      </Button>
    </form>
  );
}
