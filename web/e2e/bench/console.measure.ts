// Measurements for the README, not tests: the time from "Escalate" clicked in a technician's
// browser to the handoff's card visible in an engineer's open queue, over 20 handoffs, and the
// JavaScript the queue route loads. Run with `make bench-console`.
import type { Page } from "playwright-core";
import { test } from "vitest";
import { PRINTER_TO_ESCALATION, signedIn, treeId } from "../api";
import { newContext, scriptsOf, signIn } from "../browser";
import { useRig } from "../rig";

const HANDOFFS = Number(process.env.HANDOFFS ?? 20);


const rig = useRig();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Records when each handoff card first appears, in the page's own clock (the same machine's). */
function watchCards() {
  const seen: Record<string, number> = {};
  (window as unknown as { __seen: typeof seen }).__seen = seen;
  new MutationObserver(() => {
    for (const el of document.querySelectorAll<HTMLElement>("[data-handoff]")) {
      const id = el.dataset.handoff!;
      if (!(id in seen)) seen[id] = Date.now();
    }
  }).observe(document, { childList: true, subtree: true });
}

/** Records when a submit button is pressed. */
function watchClicks() {
  document.addEventListener(
    "click",
    (e) => {
      if ((e.target as HTMLElement).closest("dialog button[type=submit]")) (window as unknown as { __clicked: number }).__clicked = Date.now();
    },
    true,
  );
}

test(`escalate → card visible, over ${HANDOFFS} handoffs; and the queue's JavaScript`, async () => {
  const engContext = await newContext(rig.browser, rig.server);
  await engContext.addInitScript(watchCards);
  const eng = await engContext.newPage();
  await signIn(eng, rig.server, rig.server.demo.engineer, "/queue");
  await eng.getByRole("status").filter({ hasText: "Live" }).first().waitFor({ timeout: 15_000 });

  const techContext = await newContext(rig.browser, rig.server);
  await techContext.addInitScript(watchClicks);
  const tech: Page = await techContext.newPage();
  await signIn(tech, rig.server, rig.server.demo.viewer);
  const api = await signedIn(rig.server.url, rig.server.demo.viewer);
  const tree = await treeId(api, "Printer offline");

  const latencies: number[] = [];
  for (let i = 0; i < HANDOFFS; i++) {
    const { data: session } = await api.POST("/api/v1/sessions", { body: { tree_id: tree, ticket_ref: `T-${50000 + i}` } });
    for (const step of PRINTER_TO_ESCALATION) {
      await api.POST("/api/v1/sessions/{id}/answer", { params: { path: { id: session!.id } }, body: { node_id: step.node, ...(step.option && { option_id: step.option }) } });
    }
    await tech.goto(`${rig.server.url}/sessions/${session!.id}`);
    await tech.getByRole("button", { name: "Escalate to an engineer" }).click();
    await tech.getByRole("dialog").getByRole("button", { name: "Escalate", exact: true }).click();
    await tech.getByText("Waiting for an engineer to claim it").waitFor();
    const { data: handoff } = await api.GET("/api/v1/sessions/{id}/escalation", { params: { path: { id: session!.id } } });
    await eng.waitForFunction((id) => id in (window as unknown as { __seen: Record<string, number> }).__seen, handoff!.id, { timeout: 10_000 });
    const clicked = await tech.evaluate(() => (window as unknown as { __clicked: number }).__clicked);
    const seen = await eng.evaluate((id) => (window as unknown as { __seen: Record<string, number> }).__seen[id]!, handoff!.id);
    latencies.push(seen - clicked);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(`escalate clicked → card visible in the open queue, ${HANDOFFS} handoffs: p50 ${percentile(sorted, 50)} ms, p95 ${percentile(sorted, 95)} ms, max ${sorted.at(-1)} ms`);

  const fresh = await engContext.newPage();
  const js = await scriptsOf(fresh, `${rig.server.url}/queue`, () => fresh.getByRole("heading", { name: "Escalation queue" }).waitFor());
  console.log(`/queue loads ${js.files} scripts: ${(js.raw / 1024).toFixed(1)} KB, ${(js.gzip / 1024).toFixed(1)} KB gzipped`);
  await Promise.all([engContext.close(), techContext.close()]);
});
