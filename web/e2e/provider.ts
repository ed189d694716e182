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
  stop(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

export async function startProvider(reply: (req: ChatRequest) => string, pauseMs = 40): Promise<Provider> {
  const requests: ChatRequest[] = [];
  const server = createServer(async (req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { message: "no such route" } }));
      return;
    }
    const parsed = JSON.parse(await body(req)) as ChatRequest;
    requests.push(parsed);
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    for (const word of reply(parsed).split(/(?<= )/)) {
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
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
