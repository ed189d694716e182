// Every screen of the console at 1280×800 and 390×844: checked with axe at WCAG 2.1 AA, and
// photographed (docs/screenshots with `make screenshots`, a gitignored folder otherwise).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, test } from "vitest";
import { type Client, escalatePrinter, PRINTER_TO_ESCALATION, signedIn, treeId } from "./api";
import { DESKTOP, expectAccessible, MOBILE, newContext, shoot, signIn } from "./browser";
import { useRig } from "./rig";

// The chat is photographed mid-reply, which the built-in assistant (one burst) cannot show.
const rig = useRig({
  assistant: () =>
    "Two of your trees fit. “Outlook won't start” covers repeated password prompts: its step “It opens but keeps prompting for a password” clears the cached credentials in Credential Manager > Windows Credentials and re-creates the profile if that fails. If the prompts started after an MFA change, “Microsoft 365 MFA lockout” is the better fit. Start a guided session on the first and tell me what you find.",
});
let viewer: Client;

beforeAll(async () => {
  viewer = await signedIn(rig.server.url, rig.server.demo.viewer);
  const seeds: [string, string, "urgent" | "high" | "normal" | "low"][] = [
    ["Whole office lost the printer after the switch firmware update", "Northwind Traders", "urgent"],
    ["Label printer in the warehouse shows offline for everyone", "Fabrikam Logistics", "high"],
    ["Printer on 3F prints blank pages after toner swap", "Contoso Legal", "normal"],
  ];
  for (const [summary, customer, priority] of seeds) {
    await escalatePrinter(viewer, summary, { ticket_ref: `T-${40000 + summary.length}`, customer, priority });
  }
});

/** Runs SQL on the server's database: only to spread the screenshots' sessions over two weeks. */
async function sql(query: string) {
  await promisify(execFile)("psql", [rig.server.databaseUrl, "-qAtc", query]);
}

/** Sessions on the printer tree with every outcome, started over the last two weeks. */
async function printerHistory() {
  const tree = await treeId(viewer, "Printer offline");
  const run = async (steps: { node: string; option?: string }[], outcome?: "resolved" | "abandoned") => {
    const { data: session } = await viewer.POST("/api/v1/sessions", { body: { tree_id: tree } });
    for (const step of steps) {
      await viewer.POST("/api/v1/sessions/{id}/answer", { params: { path: { id: session!.id } }, body: { node_id: step.node, ...(step.option && { option_id: step.option }) } });
    }
    if (outcome) await viewer.POST("/api/v1/sessions/{id}/complete", { params: { path: { id: session!.id } }, body: { outcome } });
  };
  const toHardwareFix = [{ node: "scope", option: "all" }, { node: "printer_panel" }, { node: "panel_result", option: "error" }, { node: "clear_error" }, { node: "clear_result", option: "yes" }];
  const toQueueFix = [{ node: "scope", option: "one" }, { node: "user_queue" }, { node: "user_result", option: "yes" }];
  for (let i = 0; i < 6; i++) await run(toHardwareFix, "resolved");
  for (let i = 0; i < 4; i++) await run(toQueueFix, "resolved");
  for (let i = 0; i < 3; i++) await run(PRINTER_TO_ESCALATION.slice(0, 3), "abandoned");
  for (let i = 0; i < 2; i++) await run(PRINTER_TO_ESCALATION.slice(0, 1));
  for (let i = 0; i < 3; i++) await escalatePrinter(viewer, `Printer offline at the branch office, take ${i + 1}`, { priority: "low" });
  await sql(`
    WITH k AS (SELECT id, (row_number() OVER (ORDER BY id) % 14)::int AS d FROM sessions)
    UPDATE sessions s SET started_at = date_trunc('day', now()) - make_interval(days => k.d, hours => -9) FROM k WHERE k.id = s.id;
    UPDATE session_steps st SET created_at = s.started_at + make_interval(secs => st.seq * (40 + (st.seq * 53) % 150)) FROM sessions s WHERE s.id = st.session_id;
    UPDATE sessions s SET completed_at = s.started_at + interval '12 minutes' WHERE s.completed_at IS NOT NULL;`);
}

/** Checks and photographs the page as it is, at both sizes. */
async function capture(page: Page, name: string, mobileSetup?: (p: Page) => Promise<void>) {
  await settle(page);
  await expectAccessible(page, `${name} at 1280×800`);
  await shoot(page, `${name}-desktop`);
  await page.setViewportSize(MOBILE);
  if (mobileSetup) await mobileSetup(page);
  await settle(page);
  await expectAccessible(page, `${name} at 390×844`);
  expect(await overflowing(page), `${name} at 390×844 is wider than the screen`).toEqual([]);
  await shoot(page, `${name}-mobile`);
  await page.setViewportSize(DESKTOP);
  await settle(page);
}

/** The page, or an open dialog, when its content is wider than it: a sideways scroll on a phone. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [document.documentElement, ...document.querySelectorAll("dialog[open]")]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.tagName.toLowerCase()}: ${el.scrollWidth} px of content in ${el.clientWidth} px`),
  );
}

/** Waits until nothing is loading. Not "networkidle": an engineer's page always holds its stream. */
async function settle(page: Page) {
  await page.locator(".loading").first().waitFor({ state: "detached", timeout: 10_000 }).catch(() => undefined);
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(200);
}

describe("every screen, at both sizes", () => {
  test("signed out: sign in and sign up", async () => {
    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await page.goto(`${rig.server.url}/login`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await capture(page, "sign-in");
    await page.getByLabel("Email").fill(rig.server.demo.viewer.email);
    await page.getByLabel("Password").fill("a wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    await capture(page, "sign-in-error");
    await page.goto(`${rig.server.url}/signup`);
    await page.getByRole("heading", { name: "Create your MSP's account" }).waitFor();
    await capture(page, "sign-up");
    await page.context().close();
  });

  test("technician: start, run, escalate, follow", async () => {
    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(page, rig.server, rig.server.demo.viewer);
    await page.getByRole("heading", { name: "Start a session" }).waitFor();
    await capture(page, "start-session", async (p) => {
      await p.getByRole("button", { name: "Menu" }).click();
      await p.getByRole("navigation", { name: "Main" }).waitFor();
    });
    await page.reload();
    await page.getByLabel("Search trees").fill("printer offline queue");
    await page.getByRole("list", { name: "Search results" }).waitFor();
    await capture(page, "start-session-search");

    await page.getByRole("button", { name: "Start a session on Printer offline" }).click();
    await page.getByLabel("Ticket").fill("T-40117");
    await page.getByLabel("Customer").fill("Northwind Traders");
    await page.getByLabel("Asset").fill("PRN-2F-01");
    await capture(page, "start-session-dialog");
    await page.getByRole("button", { name: "Start session" }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    await page.getByRole("button", { name: /^Everyone$/ }).click();
    await page.getByRole("button", { name: "Done, next step" }).waitFor();
    await page.getByLabel(/Note for this step/).fill("Display shows no network icon");
    await page.getByRole("button", { name: "Done, next step" }).click();
    await page.getByRole("heading", { name: "What do you find at the printer?" }).waitFor();
    await capture(page, "guided-session");

    await page.getByRole("button", { name: "Add a custom step" }).click();
    await page.getByLabel("What you did").fill("Reseated the network cable at the wall port");
    await capture(page, "custom-step-dialog");
    await page.getByRole("button", { name: "Add step" }).click();
    await page.getByRole("button", { name: "Escalate", exact: true }).click();
    await page.getByRole("dialog", { name: "Escalate to an engineer" }).waitFor();
    await capture(page, "escalate-dialog");
    await page.getByRole("dialog").getByRole("button", { name: "Escalate", exact: true }).click();
    await page.getByText("Waiting for an engineer to claim it").waitFor();
    await capture(page, "session-escalated");

    const engineer = await signedIn(rig.server.url, rig.server.demo.engineer);
    const { data } = await engineer.GET("/api/v1/ai-sessions/escalations", { params: { query: { status: "open" } } });
    const mine = data!.items.find((h) => h.ticket_ref === "T-40117")!;
    await engineer.POST("/api/v1/ai-sessions/escalations/{id}/claim", { params: { path: { id: mine.id } } });
    await page.getByText("Claimed by Eli Engineer").waitFor({ timeout: 10_000 });
    await capture(page, "session-claimed");

    await page.goto(`${rig.server.url}/sessions?status=`);
    await page.getByRole("list", { name: "Sessions" }).waitFor();
    await capture(page, "my-sessions");
    await page.context().close();
  });

  test("engineer: the queue, a handoff's context, resolving", async () => {
    const tree = await treeId(viewer, "Printer offline");
    const { data: open } = await viewer.POST("/api/v1/sessions", { body: { tree_id: tree, ticket_ref: "T-40200", customer: "Tailspin Toys", asset: "PRN-RECEPTION" } });
    for (const step of PRINTER_TO_ESCALATION.slice(0, 3)) {
      await viewer.POST("/api/v1/sessions/{id}/answer", { params: { path: { id: open!.id } }, body: { node_id: step.node, ...(step.option && { option_id: step.option }), note: step.option ? undefined : "Checked on site" } });
    }
    await viewer.POST("/api/v1/sessions/{id}/custom-steps", { params: { path: { id: open!.id } }, body: { text: "Moved the printer to another switch port", note: "No change" } });
    await viewer.POST("/api/v1/sessions/{id}/escalate", { params: { path: { id: open!.id } }, body: { summary: "Reception printer offline after office move", priority: "urgent" } });

    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(page, rig.server, rig.server.demo.engineer, "/queue");
    await page.getByRole("status").filter({ hasText: "Live" }).first().waitFor({ timeout: 15_000 });
    await capture(page, "queue");
    await page.getByRole("link", { name: "Reception printer offline after office move", exact: true }).click();
    await page.getByRole("heading", { name: "What was already tried (4)" }).waitFor();
    await capture(page, "handoff-context");
    await page.getByRole("button", { name: "Claim" }).click();
    await page.getByRole("button", { name: "Resolve" }).click();
    await page.getByLabel("How it was resolved").fill("The new switch port was in the guest VLAN; moved it to the printers VLAN.");
    await capture(page, "resolve-dialog");
    await page.getByRole("dialog").getByRole("button", { name: "Resolve" }).click();
    await page.getByText("The new switch port was in the guest VLAN; moved it to the printers VLAN.").waitFor();
    await capture(page, "handoff-resolved");
    await page.context().close();
  });

  test("trees: the list, the picture with analytics, versions", async () => {
    await printerHistory();
    const admin = await signedIn(rig.server.url, rig.server.demo.admin);
    const slow = await treeId(admin, "Slow PC");
    const { data: current, response } = await admin.GET("/api/v1/trees/{id}", { params: { path: { id: slow } } });
    const definition = structuredClone(current!.definition);
    definition.nodes.find((n) => n.id === "when_slow")!.text = "When exactly is the PC slow, according to the user?";
    await admin.PUT("/api/v1/trees/{id}", {
      params: { path: { id: slow }, header: { "If-Match": response.headers.get("ETag")! } },
      body: { title: current!.title, category: current!.category, description: current!.description, tags: current!.tags, status: "published", definition },
    });

    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(page, rig.server, rig.server.demo.engineer, "/trees");
    await page.getByRole("list", { name: "Trees" }).waitFor();
    await capture(page, "tree-list");

    await page.goto(`${rig.server.url}/trees/${await treeId(viewer, "Printer offline")}`);
    await page.getByRole("tab", { name: "Analytics" }).click();
    await page.getByRole("heading", { name: "Where sessions stop" }).waitFor();
    await page.locator(".tnode-stats").first().waitFor();
    await capture(page, "tree-analytics");

    await page.goto(`${rig.server.url}/trees/${slow}`);
    await page.getByRole("tab", { name: "History" }).click();
    await page.getByText("1 changed").first().waitFor();
    await capture(page, "tree-versions");
    await page.context().close();
  });

  test("editor: a problem on a step, and someone else saved first", async () => {
    const engineer = await signedIn(rig.server.url, rig.server.demo.engineer);
    const { data: draft } = await engineer.POST("/api/v1/trees", {
      body: {
        title: "Scanner not found",
        category: "Scanning",
        tags: ["scanner"],
        status: "draft",
        definition: {
          root: "start",
          nodes: [
            { id: "start", type: "question", text: "Does the scanner show up in Devices and Printers?", options: [{ id: "yes", label: "Yes", next: "reinstall" }, { id: "no", label: "No", next: "cable" }] },
            { id: "cable", type: "action", text: "Reseat the USB cable, or reconnect the scanner to the Wi-Fi, and wait a minute.", next: "esc" },
            { id: "esc", type: "escalation", text: "Escalate with the scanner's model and how it connects." },
          ],
        },
      },
    });
    const [page, other] = await Promise.all(
      [rig.server.demo.engineer, rig.server.demo.admin].map(async (who) => {
        const p = await (await newContext(rig.browser, rig.server)).newPage();
        await signIn(p, rig.server, who, `/trees/${draft!.id}/edit`);
        await p.getByRole("heading", { name: "Step start" }).waitFor();
        return p;
      }),
    );
    await page!.getByRole("button", { name: "Save draft" }).click();
    await page!.getByText('node "start" leads to "reinstall", which is not a node of this tree').waitFor();
    await capture(page!, "editor-problem");

    await page!.getByLabel("Answer 1 leads to").selectOption("esc");
    await page!.getByRole("button", { name: "Save draft" }).click();
    await page!.getByText("Draft saved.", { exact: false }).waitFor();
    await other!.getByLabel("Question", { exact: true }).fill("Does Windows list the scanner in Devices and Printers?");
    await other!.getByRole("button", { name: "Save draft" }).click();
    await other!.getByRole("dialog", { name: "Someone else saved this tree" }).waitFor();
    await capture(other!, "editor-conflict");
    await Promise.all([page!.context().close(), other!.context().close()]);
  });

  test("the assistant mid-reply, and a session's ticket notes", async () => {
    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(page, rig.server, rig.server.demo.viewer, "/assistant");
    await page.getByLabel("What is the problem?").fill("Outlook keeps asking for the password since this morning");
    await page.getByLabel("Ticket").fill("T-40321");
    await page.getByLabel("Customer").fill("Northwind Traders");
    await page.getByRole("button", { name: "Ask the assistant" }).click();
    await page.waitForURL(/\/assistant\/[0-9a-f-]{36}$/);
    await page.getByRole("button", { name: "Start a session on “Outlook won't start”" }).first().waitFor();
    const release = rig.provider.hold(30);
    await page.getByLabel("Message to the assistant").fill("The password is right and it still prompts after a restart");
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.locator('[data-streaming="true"] p').textContent()).toMatch(/the cached credentials $/);
    await capture(page, "chat-streaming", async (p) => {
      await p.locator('[data-streaming="true"]').scrollIntoViewIfNeeded();
    });
    release();
    await expect.poll(() => page.locator("[data-streaming]").count(), { timeout: 10_000 }).toBe(0);

    const tree = await treeId(viewer, "Printer offline");
    const { data: session } = await viewer.POST("/api/v1/sessions", { body: { tree_id: tree, ticket_ref: "T-40400", customer: "Contoso Legal", asset: "PRN-3F-02" } });
    for (const step of PRINTER_TO_ESCALATION.slice(0, 3)) {
      await viewer.POST("/api/v1/sessions/{id}/answer", { params: { path: { id: session!.id } }, body: { node_id: step.node, ...(step.option && { option_id: step.option }), note: step.option ? undefined : "Display shows Credential Manager > Network <none>" } });
    }
    await page.goto(`${rig.server.url}/sessions/${session!.id}`);
    await page.getByRole("heading", { name: "Ticket notes" }).waitFor();
    await page.locator(".export-text").waitFor();
    const toNotes = (p: Page) => p.locator("#export-title").evaluate((h) => h.scrollIntoView({ block: "start" }));
    await toNotes(page);
    await capture(page, "export-preview", toNotes);
    await page.context().close();
  });

  test("administration and profile", async () => {
    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(page, rig.server, rig.server.demo.admin, "/admin/users");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await page.getByText("Val Viewer").first().waitFor();
    await capture(page, "users");
    await page.getByRole("button", { name: "Add a user" }).click();
    await page.getByLabel("Name").fill("Robin Reyes");
    await page.getByLabel("Email").fill("robin@example.com");
    await capture(page, "user-add-dialog");
    await page.goto(`${rig.server.url}/profile`);
    await page.getByRole("heading", { name: "Profile" }).waitFor();
    await capture(page, "profile");
    await page.context().close();
  });
});
