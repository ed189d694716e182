// Every screen of the console at 1280×800 and 390×844: checked with axe at WCAG 2.1 AA, and
// photographed (docs/screenshots with `make screenshots`, a gitignored folder otherwise).
import type { Page } from "playwright-core";
import { beforeAll, describe, test } from "vitest";
import { type Client, escalatePrinter, PRINTER_TO_ESCALATION, signedIn, treeId } from "./api";
import { DESKTOP, expectAccessible, MOBILE, newContext, shoot, signIn } from "./browser";
import { useRig } from "./rig";

const rig = useRig();
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

/** Checks and photographs the page as it is, at both sizes. */
async function capture(page: Page, name: string, mobileSetup?: (p: Page) => Promise<void>) {
  await settle(page);
  await expectAccessible(page, `${name} at 1280×800`);
  await shoot(page, `${name}-desktop`);
  await page.setViewportSize(MOBILE);
  if (mobileSetup) await mobileSetup(page);
  await settle(page);
  await expectAccessible(page, `${name} at 390×844`);
  await shoot(page, `${name}-mobile`);
  await page.setViewportSize(DESKTOP);
  await settle(page);
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
});
