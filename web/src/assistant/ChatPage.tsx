import { useQueryClient } from "@tanstack/react-query";
import { Bot, CheckCircle2, CircleSlash, Pause, Play, RotateCcw, Send, User } from "lucide-react";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import type { components } from "../../../gen/ts/schema";
import { $api, tokens } from "../app/services";
import { ApiError, describeError } from "../api/errors";
import { useMe } from "../auth/AuthProvider";
import { EscalateDialog } from "../sessions/EscalateDialog";
import { StartDialog } from "../sessions/StartDialog";
import { Alert, ProblemAlert } from "../ui/Alert";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { BackLink, PageHeader } from "../ui/PageHeader";
import { Loading } from "../ui/Spinner";
import { formatTime } from "../ui/time";
import { conversationStatus } from "./AssistantPage";
import { type Conversation, sendMessage } from "./chat";

type TreeSummary = components["schemas"]["TreeSummary"];

const conversationKey = (id: string) => ["get", "/api/v1/ai-sessions/{id}", { params: { path: { id } } }] as const;

/** The trees a reply names, by title, so that the technician can start a session on one. */
export function treesNamed(text: string, trees: TreeSummary[]): TreeSummary[] {
  const lower = text.toLowerCase();
  return trees.filter((t) => t.title.length > 3 && lower.includes(t.title.toLowerCase()));
}

/** Whether the server refused the message before storing it: it is not in the conversation. */
function isRefused(error: unknown): boolean {
  return error instanceof ApiError && error.status < 500;
}

/** A conversation with the assistant: the reply streams in, token by token. */
export function ChatPage() {
  const { id = "" } = useParams();
  const me = useMe();
  const client = useQueryClient();
  const conversation = $api.useQuery("get", "/api/v1/ai-sessions/{id}", { params: { path: { id } } });
  const c = conversation.data;
  const linked = $api.useQuery("get", "/api/v1/sessions/{id}", { params: { path: { id: c?.session_id ?? "" } } }, { enabled: !!c?.session_id });
  const published = $api.useQuery("get", "/api/v1/trees", { params: { query: { status: "published", limit: 200 } } });
  const [draft, setDraft] = useState("");
  const [pending, setPending] = useState<{ content: string; reply: string } | null>(null);
  const [failed, setFailed] = useState<{ error: unknown; content: string } | null>(null);
  const [escalating, setEscalating] = useState(false);
  const [starting, setStarting] = useState<TreeSummary | null>(null);
  const end = useRef<HTMLDivElement>(null);
  const update = $api.useMutation("patch", "/api/v1/ai-sessions/{id}", { onSuccess: (next) => client.setQueryData(conversationKey(id), next) });

  // Braces: newer browsers return a promise from scrollIntoView, and an effect must return
  // nothing or its cleanup.
  useEffect(() => {
    void end.current?.scrollIntoView({ block: "end" });
  }, [c?.messages.length, pending?.reply]);

  // Leaving the page ends the reply's stream, and with it the assistant's call.
  const inFlight = useRef<AbortController | null>(null);
  useEffect(() => () => inFlight.current?.abort(), []);

  const send = async (content: string) => {
    setFailed(null);
    setPending({ content, reply: "" });
    const abort = new AbortController();
    inFlight.current = abort;
    try {
      const next = await sendMessage(
        { fetch: (...args) => fetch(...args), token: () => tokens.valid(), refresh: async () => (await tokens.refresh())?.value ?? null },
        id,
        content,
        (reply) => setPending({ content, reply }),
        abort.signal,
      );
      client.setQueryData(conversationKey(id), next);
    } catch (error) {
      if (abort.signal.aborted) return;
      setFailed({ error, content });
      // The server keeps the message when the assistant fails (502, or the stream was cut), and
      // refuses it before storing otherwise (429, 409, 413, 422): give that one back to edit.
      if (isRefused(error)) setDraft((d) => d || content);
      await client.invalidateQueries({ queryKey: conversationKey(id) });
    } finally {
      if (!abort.signal.aborted) setPending(null);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const content = draft.trim();
    if (!content || pending) return;
    setDraft("");
    void send(content);
  };
  const trees = useMemo(() => published.data?.items ?? [], [published.data]);

  if (conversation.isPending) return <Loading label="Loading the conversation…" />;
  if (conversation.error)
    return (
      <main className="page" id="main">
        <ProblemAlert error={conversation.error} title="This conversation cannot be shown" />
      </main>
    );
  const conv: Conversation = conversation.data;
  const mine = conv.user_id === me.user.id;
  const open = conv.status === "active" || conv.status === "paused";
  const status = conversationStatus[conv.status];
  const lastAssistant = [...conv.messages].reverse().find((m) => m.role === "assistant");

  return (
    <main className="page" id="main">
      <PageHeader
        eyebrow={
          <BackLink to="/assistant">Assistant</BackLink>
        }
        title={conv.problem}
        subtitle={
          <span className="badges">
            <Badge tone={status.tone} dot>
              {status.label}
            </Badge>
            {[conv.ticket_ref, conv.customer, conv.asset].filter(Boolean).join(" · ")}
          </span>
        }
        actions={
          mine &&
          open && (
            <>
              {conv.status === "active" ? (
                <Button icon={<Pause size={16} aria-hidden />} busy={update.isPending && update.variables?.body.status === "paused"} onClick={() => update.mutate({ params: { path: { id } }, body: { status: "paused" } })}>
                  Pause
                </Button>
              ) : (
                <Button icon={<Play size={16} aria-hidden />} busy={update.isPending && update.variables?.body.status === "active"} onClick={() => update.mutate({ params: { path: { id } }, body: { status: "active" } })}>
                  Resume
                </Button>
              )}
              <Button variant="success" icon={<CheckCircle2 size={16} aria-hidden />} onClick={() => update.mutate({ params: { path: { id } }, body: { status: "resolved" } })}>
                Resolved
              </Button>
              <Button variant="ghost" icon={<CircleSlash size={16} aria-hidden />} onClick={() => update.mutate({ params: { path: { id } }, body: { status: "abandoned" } })}>
                Abandon
              </Button>
              <Button variant="primary" icon={<Send size={16} aria-hidden />} onClick={() => setEscalating(true)}>
                Escalate
              </Button>
            </>
          )
        }
      />
      <ProblemAlert error={update.error} />
      <div className="chat-layout">
        <section className="card chat" aria-label="Conversation">
          <ol className="messages">
            {conv.messages.map((m) => (
              <li key={m.id} className={`bubble bubble-${m.role}`}>
                <span className="bubble-who">
                  {m.role === "assistant" ? <Bot size={14} aria-hidden /> : <User size={14} aria-hidden />} {m.role === "assistant" ? "Assistant" : "You"} ·{" "}
                  <time dateTime={m.created_at}>{formatTime(m.created_at)}</time>
                </span>
                <p className="prewrap">{m.content}</p>
                {m.role === "assistant" &&
                  treesNamed(m.content, trees).map((t) => (
                    <Button key={t.id} size="sm" icon={<Play size={14} aria-hidden />} onClick={() => setStarting(t)}>
                      Start a session on “{t.title}”
                    </Button>
                  ))}
              </li>
            ))}
            {pending && (
              <>
                <li className="bubble bubble-user">
                  <span className="bubble-who">
                    <User size={14} aria-hidden /> You
                  </span>
                  <p className="prewrap">{pending.content}</p>
                </li>
                <li className="bubble bubble-assistant" data-streaming="true" aria-busy="true">
                  <span className="bubble-who">
                    <Bot size={14} aria-hidden /> Assistant is replying…
                  </span>
                  <p className="prewrap">{pending.reply || "…"}</p>
                </li>
              </>
            )}
          </ol>
          <div ref={end} />
          <p className="sr-only" aria-live="polite">
            {pending ? "The assistant is replying." : lastAssistant ? "The assistant replied." : ""}
          </p>
          {failed && (
            <Alert
              tone="danger"
              title={failed.error instanceof ApiError && failed.error.status === 502 ? "The assistant failed to answer. Your message is kept." : undefined}
              action={
                !isRefused(failed.error) && (
                  <Button size="sm" icon={<RotateCcw size={14} aria-hidden />} onClick={() => void send(failed.content)}>
                    Retry
                  </Button>
                )
              }
            >
              <p>{describeError(failed.error)}</p>
            </Alert>
          )}
          {mine && conv.status === "active" ? (
            <form className="composer" onSubmit={submit}>
              <label htmlFor="message" className="sr-only">
                Message to the assistant
              </label>
              <textarea
                id="message"
                className="input textarea"
                rows={2}
                maxLength={8000}
                value={draft}
                placeholder="Describe what you see, or what the user says. Enter sends, Shift+Enter starts a new line."
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={(e) => {
                  // Enter also confirms an input method's composition (Japanese, say): not a send.
                  if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) submit(e);
                }}
              />
              <Button type="submit" variant="primary" icon={<Send size={16} aria-hidden />} busy={pending !== null} disabled={!draft.trim()}>
                Send
              </Button>
            </form>
          ) : (
            <p className="muted composer-closed">
              {!mine ? "Only the technician who started this conversation writes in it." : conv.status === "paused" ? "Paused: resume it to write again." : `This conversation is ${status.label.toLowerCase()}.`}
            </p>
          )}
        </section>
        <aside className="stack">
          {c?.session_id && (
            <section className="card" aria-labelledby="linked-title">
              <h2 id="linked-title" className="card-title">
                Guided session
              </h2>
              {linked.data ? (
                <div className="stack">
                  <Link to={`/sessions/${linked.data.id}`}>{linked.data.tree_title}</Link>
                  <p className="muted small">Current step</p>
                  <p className="node-detail-text">{linked.data.current_node.text}</p>
                  {linked.data.current_node.options && (
                    <ul className="option-list">
                      {linked.data.current_node.options.map((o) => (
                        <li key={o.id}>{o.label}</li>
                      ))}
                    </ul>
                  )}
                </div>
              ) : linked.error ? (
                <ProblemAlert error={linked.error} />
              ) : (
                <Loading />
              )}
            </section>
          )}
          <section className="card" aria-labelledby="how-title">
            <h2 id="how-title" className="card-title">
              How the assistant helps
            </h2>
            <p className="muted small">It looks your problem up in your account's published trees and says which fits. When a reply names a tree, start a session on it right here. If it cannot help, escalate: the engineer gets the whole conversation.</p>
          </section>
        </aside>
      </div>
      <EscalateDialog open={escalating} what={{ kind: "conversation", id, summary: conv.problem }} onClose={() => setEscalating(false)} />
      <StartDialog tree={starting} onClose={() => setStarting(null)} />
    </main>
  );
}
