// The product's central loop in a real browser against the real binary: a technician escalates,
// an engineer sees it arrive live, claims and resolves it, and the technician sees each step.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { escalatePrinter, signedIn } from "./api";
import { expectAccessible, newContext, scriptsOf, shoot, signIn } from "./browser";
import { useRig } from "./rig";
import { probeStreams, streamCounts } from "./stream-probe";


const rig = useRig();

const live = (page: Page) => page.getByRole("status").filter({ hasText: "Live" }).first().waitFor({ timeout: 15_000 });

/** Walks the printer tree to its escalation node in the browser, as a technician does. */
async function runPrinterTree(page: Page, ticket: string) {
  await page.getByRole("button", { name: "Start a session on Printer offline" }).click();
  await page.getByLabel("Ticket").fill(ticket);
  await page.getByLabel("Customer").fill("Northwind Traders");
  await page.getByLabel("Asset").fill("PRN-2F-01");
  await page.getByRole("button", { name: "Start session" }).click();
  await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
  // The focus lands on the card: number keys answer.
  await page.getByRole("heading", { name: /Is only one user affected/ }).waitFor();
  await page.keyboard.press("2");
  await page.getByRole("heading", { name: /Check the printer itself/ }).waitFor();
  await page.getByLabel(/Note for this step/).fill("Display says: no network");
  await page.getByRole("button", { name: "Done, next step" }).click();
  await page.getByRole("button", { name: /No network connection or no IP address/ }).click();
  await page.getByRole("button", { name: "Add a custom step" }).click();
  await page.getByLabel("What you did").fill("Swapped the patch cable at the printer");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByText("Swapped the patch cable at the printer").waitFor();
  await page.getByRole("button", { name: "Done, next step" }).click();
  await page.getByRole("heading", { name: /Does the printer have an IP address now/ }).waitFor();
  await page.getByRole("button", { name: "No", exact: true }).click();
}

describe("the central loop", () => {
  test("a technician escalates; the engineer sees it live, claims and resolves; the technician sees each step", async () => {
    const techContext = await newContext(rig.browser, rig.server);
    const engContext = await newContext(rig.browser, rig.server);
    const tech = await techContext.newPage();
    const eng = await engContext.newPage();

    await signIn(eng, rig.server, rig.server.demo.engineer);
    await eng.waitForURL(/\/queue$/);
    await live(eng);
    await expectAccessible(eng, "the empty queue");

    await signIn(tech, rig.server, rig.server.demo.viewer);
    await tech.waitForURL(/\/trees$/);
    await expectAccessible(tech, "start a session");
    await runPrinterTree(tech, "T-20001");
    await tech.getByRole("button", { name: "Escalate to an engineer" }).waitFor();
    await expectAccessible(tech, "a guided session at its escalation node");

    await tech.getByRole("button", { name: "Escalate to an engineer" }).click();
    const dialog = tech.getByRole("dialog", { name: "Escalate to an engineer" });
    await dialog.waitFor();
    await dialog.getByLabel("What should the engineer know first?").fill("Printer on 2F lost its network: no IP after cable swap");
    await dialog.getByRole("radio", { name: "Urgent" }).check();
    await expectAccessible(tech, "the escalate form");
    await dialog.getByRole("button", { name: "Escalate", exact: true }).click();
    await tech.getByRole("heading", { name: "Escalation" }).waitFor();
    await tech.getByText("Waiting for an engineer to claim it").waitFor();

    // The engineer's queue, open all along, shows it without a reload.
    const card = eng.getByRole("link", { name: "Printer on 2F lost its network: no IP after cable swap", exact: true });
    await card.waitFor({ timeout: 10_000 });
    await expectAccessible(eng, "the queue with a handoff");
    await card.click();
    await eng.waitForURL(/\/escalations\/[0-9a-f-]{36}$/);
    await eng.getByText("Swapped the patch cable at the printer").waitFor();
    await eng.getByText("Display says: no network").waitFor();
    expect(await eng.getByText("Northwind Traders").count()).toBeGreaterThan(0);
    await expectAccessible(eng, "the handoff context");

    await eng.getByRole("button", { name: "Claim" }).click();
    await eng.getByRole("button", { name: "Resolve" }).waitFor();
    await tech.getByText("Claimed by Eli Engineer").waitFor({ timeout: 10_000 });

    await eng.getByRole("button", { name: "Resolve" }).click();
    const resolve = eng.getByRole("dialog", { name: "Resolve the escalation" });
    await resolve.getByLabel("How it was resolved").fill("The switch port was disabled; re-enabled it and the printer took a lease.");
    await expectAccessible(eng, "the resolve form");
    await resolve.getByRole("button", { name: "Resolve" }).click();
    await eng.getByText("The switch port was disabled; re-enabled it and the printer took a lease.").waitFor();

    await tech.getByText("The switch port was disabled; re-enabled it and the printer took a lease.").first().waitFor({ timeout: 10_000 });
    await tech.getByText("Resolved", { exact: true }).first().waitFor();
    await expectAccessible(tech, "the session after its escalation was resolved");

    await tech.getByRole("link", { name: "My sessions" }).first().click();
    await tech.getByRole("button", { name: "Resolved" }).click();
    await tech.getByRole("link", { name: /Printer offline/ }).first().waitFor();
    await expectAccessible(tech, "my sessions");
    await Promise.all([techContext.close(), engContext.close()]);
  });

  test("two tabs of one engineer share one stream, and both update", async () => {
    const context = await newContext(rig.browser, rig.server);
    await probeStreams(context);
    const first = await context.newPage();
    await signIn(first, rig.server, rig.server.demo.engineer, "/queue");
    await live(first);
    const second = await context.newPage();
    await second.goto(`${rig.server.url}/queue`);
    await live(second);

    const tech = await signedIn(rig.server.url, rig.server.demo.viewer);
    const id = await escalatePrinter(tech, "Two tabs, one stream", { ticket_ref: "T-20002" });
    for (const page of [first, second]) await page.locator(`[data-handoff="${id}"]`).waitFor({ timeout: 10_000 });
    const counts = await Promise.all([streamCounts(first), streamCounts(second)]);
    expect(counts.map((c) => c.connections).sort()).toEqual([0, 1]);

    // The tab holding the stream closes: the other takes over and stays live.
    const leader = counts[0]!.connections === 1 ? first : second;
    const follower = leader === first ? second : first;
    await leader.close();
    await follower.waitForFunction(() => window.__stream.connections === 1, undefined, { timeout: 10_000 });
    const after = await escalatePrinter(tech, "After the leader left");
    await follower.locator(`[data-handoff="${after}"]`).waitFor({ timeout: 10_000 });
    await context.close();
  });

  test("while the tab is hidden, new handoffs flash their count in its title", async () => {
    const context = await newContext(rig.browser, rig.server);
    // Headless pages are always visible: let the test say when this one is hidden.
    await context.addInitScript(() => {
      Object.defineProperty(document, "visibilityState", { get: () => ((window as unknown as { __hidden?: boolean }).__hidden ? "hidden" : "visible") });
    });
    const page = await context.newPage();
    await signIn(page, rig.server, rig.server.demo.engineer, "/queue");
    await live(page);
    const title = await page.title();
    await page.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = true;
      document.dispatchEvent(new Event("visibilitychange"));
    });
    const tech = await signedIn(rig.server.url, rig.server.demo.viewer);
    await escalatePrinter(tech, "Hidden tab, first");
    await escalatePrinter(tech, "Hidden tab, second");
    await page.waitForFunction(() => document.title.startsWith("(2) New escalations"), undefined, { timeout: 10_000 });
    await page.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = false;
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await page.waitForFunction((t) => document.title === t, title);
    await context.close();
  });

  test("two engineers claim at once: one wins, the other is told who did", async () => {
    const admin = await signedIn(rig.server.url, rig.server.demo.admin);
    const { data: second } = await admin.POST("/api/v1/users", {
      body: { email: "second.engineer@demo-msp.example", name: "Sam Second", role: "engineer", password: "a long demo passphrase" },
    });
    expect(second?.name).toBe("Sam Second");
    const tech = await signedIn(rig.server.url, rig.server.demo.viewer);
    const id = await escalatePrinter(tech, "Who gets it first?");

    const pages = await Promise.all(
      [rig.server.demo.engineer, { email: "second.engineer@demo-msp.example", password: "a long demo passphrase" }].map(async (who) => {
        const page = await (await newContext(rig.browser, rig.server)).newPage();
        await signIn(page, rig.server, who, `/escalations/${id}`);
        await page.getByRole("button", { name: "Claim" }).waitFor();
        return page;
      }),
    );
    // Both claims leave their browsers before either reaches the server: otherwise the winner's
    // live update can take the other page's button away before it is clicked.
    let arrived = 0;
    let release: () => void = () => undefined;
    const bothSent = new Promise<void>((resolve) => (release = resolve));
    for (const p of pages) {
      await p.route("**/claim", async (route) => {
        if (++arrived === pages.length) release();
        await bothSent;
        await route.continue();
      });
    }
    await Promise.all(pages.map((p) => p.getByRole("button", { name: "Claim" }).click()));
    const outcomes = await Promise.all(
      pages.map((p) =>
        Promise.race([
          p.getByRole("alert").filter({ hasText: "Someone else got there first" }).waitFor({ timeout: 10_000 }).then(() => "lost"),
          p.getByRole("button", { name: "Resolve" }).waitFor({ timeout: 10_000 }).then(() => "won"),
        ]),
      ),
    );
    expect([...outcomes].sort()).toEqual(["lost", "won"]);
    const loser = pages[outcomes.indexOf("lost")]!;
    const winnerName = outcomes.indexOf("won") === 0 ? "Eli Engineer" : "Sam Second";
    await loser.getByRole("alert").filter({ hasText: `${winnerName} claimed this handoff` }).waitFor();
    await expectAccessible(loser, "the handoff after losing the claim");
    await shoot(loser, "claim-conflict-1280");
    await Promise.all(pages.map((p) => p.context().close()));
  });

  test("a handoff email's link opens the handoff after signing in", async () => {
    const tech = await signedIn(rig.server.url, rig.server.demo.viewer);
    const id = await escalatePrinter(tech, "Opened from the email");
    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await page.goto(`${rig.server.url}/escalations/${id}`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByText("Sign in to open the escalation you were sent.").waitFor();
    await page.getByLabel("Email").fill(rig.server.demo.engineer.email);
    await page.getByLabel("Password").fill(rig.server.demo.engineer.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${rig.server.url}/escalations/${id}`);
    await page.getByRole("heading", { name: "Opened from the email" }).waitFor();
    await page.context().close();
  });
});

describe("the queue's weight", () => {
  test("the queue route loads at most 200 KB of JavaScript, gzipped", async () => {
    const context = await newContext(rig.browser, rig.server);
    const page = await context.newPage();
    await signIn(page, rig.server, rig.server.demo.engineer, "/queue");
    const fresh = await context.newPage();
    const js = await scriptsOf(fresh, `${rig.server.url}/queue`, () => fresh.getByRole("heading", { name: "Escalation queue" }).waitFor());
    console.log(`/queue loads ${js.files} scripts: ${(js.raw / 1024).toFixed(1)} KB, ${(js.gzip / 1024).toFixed(1)} KB gzipped`);
    expect(js.gzip).toBeLessThanOrEqual(200 * 1024);
    await context.close();
  });
});

describe("signing in", () => {
  test("a wrong password is explained, and a new MSP can sign up", async () => {
    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await page.goto(`${rig.server.url}/login`);
    await expectAccessible(page, "sign in");
    await page.getByLabel("Email").fill(rig.server.demo.viewer.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "the email or password is wrong" }).waitFor();

    await page.getByRole("link", { name: "Create an account for your MSP" }).click();
    await page.getByLabel("Company name").fill("Contoso Managed IT");
    await page.getByLabel("Your name").fill("Casey Contoso");
    await page.getByLabel("Work email").fill("casey@contoso-it.example");
    await page.getByLabel("Password").fill("short");
    await page.getByText("7 more characters needed").waitFor();
    await expectAccessible(page, "sign up");
    await page.getByLabel("Password").fill("a long passphrase for casey");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/queue$/);
    await page.getByText("Contoso Managed IT · admin").waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${rig.server.url}/queue`);
    await page.waitForURL(/\/login\?next=%2Fqueue/);
    await page.context().close();
  });

  test("too many attempts say when to try again", async () => {
    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await page.goto(`${rig.server.url}/login`);
    await page.getByLabel("Email").fill("nobody@contoso-it.example");
    for (let i = 0; i < 6; i++) {
      await page.getByLabel("Password").fill(`wrong ${i}`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").waitFor();
    }
    await page.getByRole("alert").filter({ hasText: /Try again in \d+ minutes \(at \d\d:\d\d\)/ }).waitFor();
    await page.context().close();
  });
});
