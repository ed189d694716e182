// Counts what the escalation stream delivers to a page, by teeing the stream's fetch before the
// console reads it: how many connections the page opened and every handoff event it received.
import type { BrowserContext, Page } from "playwright-core";

declare global {
  interface Window {
    __stream: { connections: number; events: { type: string; handoff: string; id: string }[] };
  }
}

function probe() {
  window.__stream = { connections: 0, events: [] };
  const original = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const response = await original(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes("/escalations/stream") || !response.ok || !response.body) return response;
    window.__stream.connections++;
    const [mine, theirs] = response.body.tee();
    void (async () => {
      const reader = theirs.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(frame)?.[1] ?? "";
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          const id = /^id: (.*)$/m.exec(frame)?.[1] ?? "";
          if (type.startsWith("handoff_") && data) window.__stream.events.push({ type, id, handoff: JSON.parse(data).handoff_id });
        }
      }
    })();
    return new Response(mine, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

export async function probeStreams(context: BrowserContext): Promise<void> {
  await context.addInitScript(probe);
}

export async function streamCounts(page: Page): Promise<Window["__stream"]> {
  return page.evaluate(() => window.__stream);
}
