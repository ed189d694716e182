// A server restart while an engineer's queue is open: the stream reconnects by itself, with a
// refreshed token (the restarted server signs with a new key in dev mode), and the handoff
// created while it was down arrives exactly once.
import { expect, test } from "vitest";
import { escalatePrinter, signedIn } from "./api";
import { newContext, signIn } from "./browser";
import { useRig } from "./rig";
import { probeStreams, streamCounts } from "./stream-probe";


const rig = useRig();

test("a handoff created while the server restarts appears once the queue reconnects, exactly once", async () => {
  const context = await newContext(rig.browser, rig.server);
  await probeStreams(context);
  const page = await signInToQueue();
  const before = await escalatePrinter(await signedIn(rig.server.url, rig.server.demo.viewer), "Before the restart");
  await page.locator(`[data-handoff="${before}"]`).waitFor({ timeout: 10_000 });

  await rig.server.kill();
  await page.getByRole("status").filter({ hasText: /Reconnecting|Connecting/ }).first().waitFor({ timeout: 10_000 });

  // While this server is down, another replica on the same database takes a handoff.
  const replica = await rig.server.replica();
  const during = await escalatePrinter(await signedIn(replica.url, rig.server.demo.viewer), "Created during the restart");
  await replica.stop();

  await rig.server.start();
  await page.locator(`[data-handoff="${during}"]`).waitFor({ timeout: 45_000 });
  await page.getByRole("status").filter({ hasText: "Live" }).first().waitFor();
  const { connections, events } = await streamCounts(page);
  expect(connections).toBeGreaterThanOrEqual(2);
  const created = events.filter((e) => e.type === "handoff_created").map((e) => e.handoff);
  expect(created.filter((h) => h === during)).toHaveLength(1);
  expect(created.filter((h) => h === before)).toHaveLength(1);
  const ids = events.map((e) => Number(e.id));
  expect(new Set(ids).size).toBe(ids.length);
  await context.close();

  async function signInToQueue() {
    const p = await context.newPage();
    await signIn(p, rig.server, rig.server.demo.engineer, "/queue");
    await p.getByRole("status").filter({ hasText: "Live" }).first().waitFor({ timeout: 15_000 });
    return p;
  }
});
