import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { type ChatDeps, sendMessage } from "./chat";

const stored = { id: "c1", user_id: "u", problem: "p", ticket_ref: "", customer: "", asset: "", status: "active", messages: [], created_at: "", updated_at: "" };

/** A fake server answering one stream, written in the chunks given (split anywhere). */
function streaming(chunks: string[], status = 200, headers: Record<string, string> = { "Content-Type": "text/event-stream" }) {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
      c.close();
    },
  });
  return new Response(status === 200 ? body : JSON.stringify({ type: "about:blank", title: "x", status, detail: `answered ${status}` }), {
    status,
    headers: status === 200 ? headers : { "Content-Type": "application/problem+json", ...headers },
  });
}

function deps(answers: Response[]) {
  const sent: { auth: string | null; accept: string | null }[] = [];
  const d: ChatDeps = {
    fetch: async (_url, init) => {
      const h = new Headers(init?.headers);
      sent.push({ auth: h.get("Authorization"), accept: h.get("Accept") });
      return answers.shift()!;
    },
    token: async () => "t1",
    refresh: async () => "t2",
  };
  return { d, sent };
}

describe("the assistant's streamed reply", () => {
  it("renders each delta as it arrives and resolves with the stored conversation", async () => {
    const frames = 'event: delta\ndata: {"content":"Try "}\n\nevent: delta\ndata: {"content":"the Outlook tree."}\n\nevent: done\ndata: ' + JSON.stringify(stored) + "\n\n";
    // Split mid-frame and mid-UTF-8 sequence boundaries alike.
    const { d, sent } = deps([streaming([frames.slice(0, 17), frames.slice(17, 40), frames.slice(40)])]);
    const seen: string[] = [];
    const conversation = await sendMessage(d, "c1", "Outlook keeps prompting", (r) => seen.push(r));
    expect(seen).toEqual(["Try ", "Try the Outlook tree."]);
    expect(conversation.id).toBe("c1");
    expect(sent[0]).toEqual({ auth: "Bearer t1", accept: "text/event-stream" });
  });

  it("an error event rejects with its problem, after what was streamed", async () => {
    const { d } = deps([streaming(['event: delta\ndata: {"content":"Lo"}\n\n', 'event: error\ndata: {"type":"about:blank","title":"Bad Gateway","status":502,"detail":"the assistant failed"}\n\n'])]);
    const seen: string[] = [];
    const err = await sendMessage(d, "c1", "x", (r) => seen.push(r)).catch((e: unknown) => e);
    expect(seen).toEqual(["Lo"]);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(502);
  });

  it("a 429 rejects with when to try again", async () => {
    const { d } = deps([streaming([], 429, { "Retry-After": "17" })]);
    const err = (await sendMessage(d, "c1", "x", () => undefined).catch((e: unknown) => e)) as ApiError;
    expect([err.status, err.retryAfter]).toEqual([429, 17]);
  });

  it("a 401 refreshes once and sends again", async () => {
    const { d, sent } = deps([streaming([], 401), streaming(["event: done\ndata: " + JSON.stringify(stored) + "\n\n"])]);
    await sendMessage(d, "c1", "x", () => undefined);
    expect(sent.map((s) => s.auth)).toEqual(["Bearer t1", "Bearer t2"]);
  });

  it("a stream cut before done is a failure the technician can retry", async () => {
    const { d } = deps([streaming(['event: delta\ndata: {"content":"Half"}\n\n'])]);
    await expect(sendMessage(d, "c1", "x", () => undefined)).rejects.toMatchObject({ status: 502 });
  });
});
