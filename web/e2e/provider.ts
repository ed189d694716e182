// A stand-in for the assistant's OpenAI-compatible provider, the one external boundary of the
// browser tests: POST /v1/chat/completions with stream: true answers the reply word by word as
// server-sent `data:` chunks, a pause between each, then `data: [DONE]`, as providers do.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatRequest {
  model: string;
  stream: boolean;
  messages: { role: string; content: string }[];
}

export interface Provider {
  /** The base URL to give as AI_BASE_URL. */
  url: string;
  /** Every request received, parsed. */
  requests: ChatRequest[];
  /** Holds the next replies after their first `words` words until the returned function is called. */
  hold(words: number): () => void;
  stop(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

export async function startProvider(reply: (req: ChatRequest) => string, pauseMs = 40): Promise<Provider> {
  const requests: ChatRequest[] = [];
  let held: { words: number; released: Promise<void> } | null = null;
  const server = createServer(async (req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { message: "no such route" } }));
      return;
    }
    const parsed = JSON.parse(await body(req)) as ChatRequest;
    requests.push(parsed);
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    const gate = held;
    for (const [i, word] of reply(parsed).split(/(?<= )/).entries()) {
      if (gate && i === gate.words) await gate.released;
      res.write(`data: ${JSON.stringify({ object: "chat.completion.chunk", model: parsed.model, choices: [{ index: 0, delta: { content: word } }] })}\n\n`);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    hold(words) {
      let release!: () => void;
      held = { words, released: new Promise<void>((r) => (release = r)) };
      return () => {
        held = null;
        release();
      };
    },
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

/** The server's settings for answering through the provider. */
export function providerEnv(p: Provider): Record<string, string> {
  return { AI_PROVIDER: "openai", AI_BASE_URL: p.url, AI_API_KEY: "test-key", AI_MODEL: "test-model" };
}
