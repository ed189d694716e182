// The rest of the console in a real browser against the real binary: the assistant's streamed
// reply (from a stand-in provider) and its escalation, ticket notes copied to the clipboard, a
// user an admin adds, and a password change.
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { paths } from "../../gen/ts/schema";
import { escalatePrinter, PRINTER_TO_ESCALATION, signedIn, treeId } from "./api";
import { expectAccessible, newContext, signIn } from "./browser";
import { type Server, startServer } from "./harness";
import { type Provider, providerEnv, startProvider } from "./provider";
import { useRig } from "./rig";

const rig = useRig();

/** Counts the different texts the streaming reply shows before it is done. */
function countStreamedRenders() {
  const seen = new Set<string>();
  (window as unknown as { __renders: Set<string> }).__renders = seen;
  new MutationObserver(() => {
    const bubble = document.querySelector('[data-streaming="true"] p');
    if (bubble?.textContent && bubble.textContent !== "…") seen.add(bubble.textContent);
  }).observe(document, { childList: true, subtree: true, characterData: true });
}

describe("the assistant", () => {
  test("the built-in assistant names the account's trees, and a session starts on one from the chat", async () => {
    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(page, rig.server, rig.server.demo.viewer, "/assistant");
    await page.getByLabel("What is the problem?").fill("The printer on the second floor shows offline for everyone");
    await page.getByRole("button", { name: "Ask the assistant" }).click();
    await page.waitForURL(/\/assistant\/[0-9a-f-]{36}$/);
    await page.getByText("I'm ResolutionFlow's built-in assistant", { exact: false }).waitFor();
    await page.getByRole("button", { name: "Start a session on “Printer offline”" }).first().click();
    await page.getByRole("button", { name: "Start session" }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    await page.getByRole("heading", { name: "Is only one user affected, or everyone who prints to this printer?" }).waitFor();
    await page.context().close();
  });

  let provider: Provider;
  let server: Server;
  beforeAll(async () => {
    // The reply names the tree the system prompt offered, the way a model that follows it would.
    provider = await startProvider((req) => {
      const tree = /Tree “([^”]+)”/.exec(req.messages[0]!.content)?.[1] ?? "none";
      return `The account's trees suggest “${tree}”. Check whether the prompt comes back after clearing the saved credentials.`;
    });
    server = await startServer(providerEnv(provider));
  });
  afterAll(async () => {
    await server?.stop();
    await provider?.stop();
  });

  test("a reply streams in, the conversation is escalated, and the queue shows it live with its transcript", async () => {
    const eng = await (await newContext(rig.browser, server)).newPage();
    await signIn(eng, server, server.demo.engineer, "/queue");
    await eng.getByRole("status").filter({ hasText: "Live" }).first().waitFor({ timeout: 15_000 });

    const techContext = await newContext(rig.browser, server);
    await techContext.addInitScript(countStreamedRenders);
    const tech = await techContext.newPage();
    await signIn(tech, server, server.demo.viewer, "/assistant");
    await tech.getByLabel("What is the problem?").fill("Outlook keeps asking for my password");
    await tech.getByLabel("Customer").fill("Northwind Traders");
    await tech.getByRole("button", { name: "Ask the assistant" }).click();
    await tech.waitForURL(/\/assistant\/[0-9a-f-]{36}$/);
    await tech.getByRole("button", { name: "Start a session on “Outlook won't start”" }).first().waitFor();
    await expectAccessible(tech, "the chat");

    await tech.getByLabel("Message to the assistant").fill("It still prompts after a restart, and the password is right");
    await tech.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => tech.locator(".bubble-assistant:not([data-streaming])").count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => tech.locator("[data-streaming]").count()).toBe(0);
    const renders = await tech.evaluate(() => [...(window as unknown as { __renders: Set<string> }).__renders]);
    expect(renders.length, `streamed renders: ${JSON.stringify(renders)}`).toBeGreaterThanOrEqual(5);
    const final = await tech.locator(".bubble-assistant").last().locator("p").textContent();
    expect(final).toBe("The account's trees suggest “Outlook won't start”. Check whether the prompt comes back after clearing the saved credentials.");
    expect(renders.every((r) => final!.startsWith(r)), `every render is the reply so far: ${JSON.stringify(renders)}`).toBe(true);
    const asked = provider.requests.at(-1)!;
    expect(asked.model).toBe("test-model");
    expect(asked.messages.at(-1)).toEqual({ role: "user", content: "It still prompts after a restart, and the password is right" });

    await tech.getByRole("button", { name: "Escalate" }).click();
    const dialog = tech.getByRole("dialog", { name: "Escalate to an engineer" });
    await dialog.getByLabel("What should the engineer know first?").fill("Outlook password prompts for Northwind: assistant could not solve it");
    await dialog.getByRole("button", { name: "Escalate", exact: true }).click();
    await tech.getByText("Escalated", { exact: true }).first().waitFor();

    const card = eng.getByRole("link", { name: "Outlook password prompts for Northwind: assistant could not solve it", exact: true });
    await card.waitFor({ timeout: 10_000 });
    await card.click();
    await eng.getByRole("heading", { name: "Conversation with the assistant" }).waitFor();
    await eng.getByText("It still prompts after a restart, and the password is right").waitFor();
    await eng.getByRole("heading", { name: "The assistant's assessment" }).waitFor();
    await Promise.all([eng.context().close(), techContext.close()]);
  });
});

describe("ticket notes", () => {
  test("the markdown notes of a session are copied to the clipboard as the API renders them", async () => {
    const api = await signedIn(rig.server.url, rig.server.demo.viewer);
    const tree = await treeId(api, "Printer offline");
    const { data: session } = await api.POST("/api/v1/sessions", { body: { tree_id: tree, ticket_ref: "T-60001", customer: "Contoso" } });
    for (const step of PRINTER_TO_ESCALATION.slice(0, 2)) {
      await api.POST("/api/v1/sessions/{id}/answer", { params: { path: { id: session!.id } }, body: { node_id: step.node, ...(step.option && { option_id: step.option }) } });
    }
    const context = await newContext(rig.browser, rig.server);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: rig.server.url });
    const page = await context.newPage();
    await signIn(page, rig.server, rig.server.demo.viewer, `/sessions/${session!.id}`);
    await page.getByRole("heading", { name: "Ticket notes" }).waitFor();
    await page.locator(".export-text").waitFor();
    await page.getByRole("button", { name: "Copy" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const { data: notes } = await api.POST("/api/v1/sessions/{id}/export", { params: { path: { id: session!.id } }, body: { format: "markdown" } });
    expect(copied).toBe(notes!.content);
    expect(copied).toContain("## Troubleshooting: Printer offline");
    expect(copied).toContain("**Ticket:** T-60001");

    // The formats are one tab stop; arrow keys move between them.
    await page.getByRole("tab", { name: "Markdown" }).focus();
    await page.keyboard.press("ArrowRight");
    await page.getByRole("tabpanel", { name: "Plain text" }).getByText("Ticket: T-60001").waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Plain text");
    await page.keyboard.press("End");
    await page.getByRole("tabpanel", { name: "JSON" }).waitFor();

    await page.getByRole("tab", { name: "HTML" }).click();
    await page.locator(".export-html h2").filter({ hasText: "Troubleshooting: Printer offline" }).waitFor();
    await expectAccessible(page, "the export preview");
    await page.getByRole("button", { name: "Show source" }).click();
    await page.locator(".export-text").filter({ hasText: '<section class="resolutionflow-notes">' }).waitFor();
    await context.close();
  });
});

describe("the team", () => {
  test("an admin adds a user, who signs in with the password shown once", async () => {
    const admin = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(admin, rig.server, rig.server.demo.admin, "/admin/users");
    await admin.getByRole("button", { name: "Add a user" }).click();
    const dialog = admin.getByRole("dialog", { name: "Add a user" });
    await dialog.getByLabel("Name").fill("Nia Newcomer");
    await dialog.getByLabel("Email").fill("nia@demo-msp.example");
    await dialog.getByLabel("Role").selectOption("engineer");
    await dialog.getByRole("button", { name: "Add user" }).click();
    const shown = admin.getByRole("dialog", { name: "Nia Newcomer can sign in" });
    await shown.waitFor();
    await expectAccessible(admin, "the new user's first password");
    const password = (await shown.locator(".secret").textContent())!;
    await shown.getByRole("button", { name: "Done" }).click();
    await admin.getByRole("cell", { name: /Nia Newcomer/ }).first().waitFor();
    await expectAccessible(admin, "users");

    const nia = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(nia, rig.server, { email: "nia@demo-msp.example", password });
    await nia.waitForURL(/\/queue$/);
    await nia.getByText("Nia Newcomer").first().waitFor();
    await Promise.all([admin.context().close(), nia.context().close()]);
  });

  test("the last admin cannot be demoted, and says why", async () => {
    const admin = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(admin, rig.server, rig.server.demo.admin, "/admin/users");
    // Playwright picks an option without focusing the select, as a person choosing one does.
    await admin.getByLabel("Role of Dana Admin").focus();
    await admin.getByLabel("Role of Dana Admin").selectOption("viewer");
    // A change to oneself is confirmed first; the server then refuses it, and the page says why.
    const confirm = admin.getByRole("dialog", { name: "Give up your admin role?" });
    await confirm.getByRole("button", { name: "Change my role" }).click();
    await admin.getByText("Dana Admin is the last active admin of this account").waitFor();
    // Focus is back on the role the admin changed.
    await expect.poll(() => admin.evaluate(() => document.activeElement?.id ?? "")).toMatch(/^role-/);
    await admin.context().close();
  });

  test("an admin sets a new password for a user who lost theirs", async () => {
    const api = await signedIn(rig.server.url, rig.server.demo.admin);
    await api.POST("/api/v1/users", { body: { email: "robin@demo-msp.example", name: "Robin Reset", role: "viewer", password: "a passphrase robin forgot" } });
    const admin = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(admin, rig.server, rig.server.demo.admin, "/admin/users");
    await admin.getByRole("button", { name: "Set a new password for Robin Reset" }).click();
    await admin.getByRole("dialog", { name: "Set a new password for Robin Reset?" }).getByRole("button", { name: "Set a new password" }).click();
    const shown = admin.getByRole("dialog", { name: "A new password for Robin Reset" });
    await shown.waitFor();
    // Focus is on the way to hand the password over, not lost with the button that was pressed.
    await expect.poll(() => admin.evaluate(() => document.activeElement?.textContent)).toBe("Copy the password");
    const password = (await shown.locator(".secret").textContent())!;
    await shown.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => admin.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Set a new password for Robin Reset");

    const old = await createClient<paths>({ baseUrl: rig.server.url }).POST("/api/v1/auth/login/json", { body: { email: "robin@demo-msp.example", password: "a passphrase robin forgot" } });
    expect(old.response.status).toBe(401);
    await signedIn(rig.server.url, { email: "robin@demo-msp.example", password });
    await admin.context().close();
  });

  test("a changed password keeps this tab signed in and signs the other tabs out", async () => {
    const admin = await signedIn(rig.server.url, rig.server.demo.admin);
    await admin.POST("/api/v1/users", { body: { email: "pat@demo-msp.example", name: "Pat Password", role: "viewer", password: "the first passphrase" } });
    const context = await newContext(rig.browser, rig.server);
    const here = await context.newPage();
    await signIn(here, rig.server, { email: "pat@demo-msp.example", password: "the first passphrase" }, "/profile");
    const there = await context.newPage();
    await there.goto(`${rig.server.url}/sessions`);
    await there.getByRole("heading", { name: "My sessions" }).waitFor();

    await here.getByLabel("Current password").fill("the first passphrase");
    await here.getByLabel("New password", { exact: true }).fill("a second, longer passphrase");
    await here.getByLabel("New password again").fill("a second, longer passphrase");
    await expectAccessible(here, "the profile");
    await here.getByRole("button", { name: "Change password" }).click();
    await here.getByText("Your password is changed.").waitFor();
    await there.getByText("Your password was changed in another tab: sign in with the new one.").waitFor();
    await here.getByRole("link", { name: "My sessions" }).click();
    await here.getByRole("heading", { name: "My sessions" }).waitFor();
    await context.close();
  });
});

describe("the handoff's lifecycle", () => {
  test("a technician withdraws an escalation nobody claimed, and an engineer releases one back to the queue", async () => {
    const viewer = await signedIn(rig.server.url, rig.server.demo.viewer);
    const engineer = await signedIn(rig.server.url, rig.server.demo.engineer);
    const withdrawn = await escalatePrinter(viewer, "Printer back after a restart: withdraw me", { ticket_ref: "T-70001" });
    const { data: detail } = await engineer.GET("/api/v1/ai-sessions/escalations/{id}", { params: { path: { id: withdrawn } } });
    const tech = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(tech, rig.server, rig.server.demo.viewer, `/sessions/${detail!.session_id}`);
    await tech.getByRole("button", { name: "Withdraw the escalation" }).click();
    const dialog = tech.getByRole("dialog", { name: "Withdraw the escalation?" });
    await dialog.getByLabel("Reason").fill("The user restarted the printer and it works again");
    await expectAccessible(tech, "withdrawing an escalation");
    await dialog.getByRole("button", { name: "Withdraw" }).click();
    await dialog.waitFor({ state: "detached" });
    await tech.locator(".progress").getByText("The user restarted the printer and it works again").waitFor();
    const { data: after } = await engineer.GET("/api/v1/ai-sessions/escalations/{id}", { params: { path: { id: withdrawn } } });
    expect(after!.status).toBe("cancelled");

    const released = await escalatePrinter(viewer, "Label printer jams: release me", { ticket_ref: "T-70002" });
    await engineer.POST("/api/v1/ai-sessions/escalations/{id}/claim", { params: { path: { id: released } } });
    const eng = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(eng, rig.server, rig.server.demo.engineer, `/escalations/${released}`);
    await eng.getByRole("button", { name: "Release to the queue" }).click();
    await eng.getByRole("button", { name: "Claim" }).waitFor();
    const { data: open } = await engineer.GET("/api/v1/ai-sessions/escalations/{id}", { params: { path: { id: released } } });
    expect(open!.status).toBe("open");
    expect(open!.claimed_by).toBeUndefined();
    await Promise.all([tech.context().close(), eng.context().close()]);
  });
});
