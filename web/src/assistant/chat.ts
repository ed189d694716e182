// Sending a message to the assistant with the reply streamed: POST …/messages with
// Accept: text/event-stream answers `delta` events as the reply is produced, then `done` with
// the conversation as stored, or `error` with a problem. Parsed by the same spec-complete
// parser as the live queue.
import { createParser } from "eventsource-parser";
import type { components, paths } from "../../../gen/ts/schema";
import { ApiError, type Problem, toApiError } from "../api/errors";

export type Conversation = components["schemas"]["AISession"];
type MessageCreate = components["schemas"]["AIMessageCreate"];

// openapi-fetch reads a body whole, so the stream is read with fetch; the path and the body are
// still the contract's.
const MESSAGES = "/api/v1/ai-sessions/{id}/messages" satisfies keyof paths;

export interface ChatDeps {
  fetch: typeof fetch;
  /** A valid access token; null when signed out. */
  token(): Promise<string | null>;
  /** A new token after the server refused the last one. */
  refresh(): Promise<string | null>;
}

/**
 * Sends content to the conversation and streams the reply: onDelta receives the reply so far
 * after each piece. Resolves with the stored conversation; rejects with an ApiError for a 4xx or
 * 5xx answer or an error event (the technician's message is kept by the server either way).
 */
export async function sendMessage(deps: ChatDeps, conversation: string, content: string, onDelta: (replySoFar: string) => void, signal?: AbortSignal): Promise<Conversation> {
  const url = MESSAGES.replace("{id}", encodeURIComponent(conversation));
  const body: MessageCreate = { content };
  const post = (token: string | null) =>
    deps.fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", ...(token && { Authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
      signal,
    });
  let response = await post(await deps.token());
  if (response.status === 401) {
    await response.body?.cancel();
    response = await post(await deps.refresh());
  }
  if (!response.ok) throw await toApiError(response);
  if (!response.headers.get("Content-Type")?.startsWith("text/event-stream") || !response.body) {
    // A server or proxy that answered JSON instead of a stream: the conversation as stored.
    return (await response.json()) as Conversation;
  }

  let reply = "";
  let done: Conversation | null = null;
  let failed: ApiError | null = null;
  const parser = createParser({
    onEvent: (e) => {
      if (e.event === "delta") {
        reply += (JSON.parse(e.data) as { content: string }).content;
        onDelta(reply);
      } else if (e.event === "done") {
        done = JSON.parse(e.data) as Conversation;
      } else if (e.event === "error") {
        const problem = JSON.parse(e.data) as Problem;
        failed = new ApiError(problem.status, problem);
      }
    },
  });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done: end } = await reader.read();
    if (end) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  parser.feed("\n\n");
  if (failed) throw failed;
  if (!done) throw new ApiError(502, { type: "about:blank", title: "Bad Gateway", status: 502, detail: "the reply was cut off before it ended: send the message again" });
  return done;
}
