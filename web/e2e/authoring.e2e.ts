// Authoring in a real browser against the real binary: an engineer builds a tree from nothing,
// the server's problem shows on the node it names, the tree is published and run; two authors
// collide (412); an old version is restored; a tree moves to another account as a file.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { signedIn, treeId } from "./api";
import { expectAccessible, newContext, signIn } from "./browser";
import { useRig } from "./rig";

const rig = useRig();

/** Selects a step of the editor's picture by clicking it. */
async function selectNode(page: Page, id: string) {
  await page.locator(`.react-flow__node[data-id="${id}"]`).click();
  await page.getByRole("heading", { name: `Step ${id}` }).waitFor();
}

describe("authoring", () => {
  test("a tree built from nothing shows the server's problem on its node, is fixed, published, found and run", async () => {
    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(page, rig.server, rig.server.demo.engineer, "/trees");
    await page.getByRole("link", { name: "New tree" }).click();
    // Typed key by key, as a person does: the details stay open once both are filled.
    await page.getByLabel("Title").pressSequentially("Scanner not found");
    await page.getByLabel("Category").pressSequentially("Scanning");
    await page.getByLabel("Tags").pressSequentially("scanner, usb device");
    expect(await page.getByLabel("Tags").inputValue()).toBe("scanner, usb device");
    await page.getByLabel("Question", { exact: true }).fill("Does the scanner show up in Devices and Printers?");
    await page.getByLabel("Answer 1", { exact: true }).fill("Yes");
    await page.getByLabel("Answer 2", { exact: true }).fill("No");
    await page.getByLabel("New steps are").selectOption("solution");
    await page.getByRole("button", { name: "New solution here" }).first().click();
    await page.getByLabel("Outcome", { exact: true }).fill("Reinstall the scanning app from the vendor's site");
    await selectNode(page, "start");
    await page.getByLabel("New steps are").selectOption("escalation");
    await page.getByRole("button", { name: "New escalation here" }).click();
    await page.getByLabel("Outcome", { exact: true }).fill("Escalate with the scanner's model and how it connects");

    // Remove the solution: the first answer now points at a step that is gone.
    await selectNode(page, "solution_1");
    await page.getByRole("button", { name: "Remove this step" }).click();
    // The button went with its step: focus goes on from the step now shown, not the page's top.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Step start/);
    await selectNode(page, "start");
    await expect.poll(() => page.locator('.react-flow__node[data-id="start"] .tnode-issues').textContent()).toContain("1 answer leads nowhere");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.getByText("Draft saved. Fix the marked steps before publishing.").waitFor();
    // The server's own words, on the field they concern.
    await page.getByText('node "start" leads to "solution_1", which is not a node of this tree').waitFor();
    await expectAccessible(page, "the editor with a problem on a node");

    await page.getByLabel("Answer 1 leads to").selectOption("escalation_1");
    await page.getByRole("button", { name: "Publish" }).click();
    await page.getByText(/^Published as version \d+\.$/).waitFor();
    await expect.poll(() => page.locator(".tnode-issues").count()).toBe(0);
    const engineer = await signedIn(rig.server.url, rig.server.demo.engineer);
    const { data: published } = await engineer.GET("/api/v1/trees/{id}", { params: { path: { id: await treeId(engineer, "Scanner not found") } } });
    expect(published!.tags).toEqual(["scanner", "usb device"]);

    const tech = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(tech, rig.server, rig.server.demo.viewer, "/trees");
    await tech.getByLabel("Search trees").fill("scanner devices");
    await tech.getByRole("list", { name: "Search results" }).getByText("Scanner not found").waitFor();
    await tech.getByRole("button", { name: "Start a session on Scanner not found" }).click();
    await tech.getByRole("button", { name: "Start session" }).click();
    await tech.getByRole("heading", { name: "Does the scanner show up in Devices and Printers?" }).waitFor();
    await tech.keyboard.press("1");
    await tech.getByRole("button", { name: "Escalate to an engineer" }).waitFor();
    await Promise.all([page.context().close(), tech.context().close()]);
  });

  test("two engineers edit one tree: the second is told and chooses", async () => {
    const api = await signedIn(rig.server.url, rig.server.demo.admin);
    const id = await treeId(api, "Slow PC");
    const [first, second] = await Promise.all(
      [rig.server.demo.engineer, rig.server.demo.admin].map(async (who) => {
        const page = await (await newContext(rig.browser, rig.server)).newPage();
        await signIn(page, rig.server, who, `/trees/${id}/edit`);
        await page.getByRole("heading", { name: "Step when_slow" }).waitFor();
        return page;
      }),
    );
    await first!.getByLabel("Question", { exact: true }).fill("When exactly is the PC slow?");
    await first!.getByRole("button", { name: "Publish changes" }).click();
    await first!.getByText(/^Published as version 2\.$/).waitFor();

    await second!.getByLabel("Question", { exact: true }).fill("When is the PC slow, according to the user?");
    await second!.getByRole("button", { name: "Publish changes" }).click();
    const conflict = second!.getByRole("dialog", { name: "Someone else saved this tree" });
    await conflict.waitFor();
    await expectAccessible(second!, "the 412 dialog");
    await conflict.getByRole("button", { name: "Reload their version" }).click();
    await expect.poll(() => second!.getByLabel("Question", { exact: true }).inputValue()).toBe("When exactly is the PC slow?");
    await Promise.all([first!.context().close(), second!.context().close()]);
  });

  test("an old version opens read-only and is restored as a new version", async () => {
    const api = await signedIn(rig.server.url, rig.server.demo.admin);
    const id = await treeId(api, "Slow PC");
    const page = await (await newContext(rig.browser, rig.server)).newPage();
    await signIn(page, rig.server, rig.server.demo.engineer, `/trees/${id}`);
    await page.getByRole("tab", { name: "History" }).click();
    await page.getByText("1 changed").first().waitFor();
    await page.getByRole("link", { name: "Open version 1" }).click();
    await page.getByText("Version 1, read-only").waitFor();
    await expectAccessible(page, "an old version");
    await page.getByRole("button", { name: "Restore this version" }).click();
    const restore = page.getByRole("dialog").getByRole("button", { name: /Restore as version \d+/ });
    const version = Number(/\d+/.exec((await restore.textContent())!)![0]);
    await restore.click();
    await page.getByText("Version 1, read-only").waitFor({ state: "detached" });
    await page.getByRole("combobox", { name: "Version" }).getByRole("option", { name: `Version ${version} (current)` }).waitFor({ state: "attached" });
    const { data } = await api.GET("/api/v1/trees/{id}", { params: { path: { id } } });
    expect(data!.current_version).toBe(version);
    expect(data!.definition.nodes.find((n) => n.id === "when_slow")!.text).toBe("When is the PC slow?");
    await page.context().close();
  });

  test("a tree exported to a file is imported into another account as a draft", async () => {
    const context = await newContext(rig.browser, rig.server);
    const page = await context.newPage();
    const api = await signedIn(rig.server.url, rig.server.demo.engineer);
    await signIn(page, rig.server, rig.server.demo.engineer, `/trees/${await treeId(api, "VPN won't connect")}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export" }).click()]);
    expect(download.suggestedFilename()).toBe("vpn-won-t-connect.v1.json");
    // The download lives as long as its context: keep a copy for the other account.
    const file = join(await mkdtemp(join(tmpdir(), "rf-export-")), download.suggestedFilename());
    await download.saveAs(file);
    const exported = JSON.parse(await readFile(file, "utf8")) as { title: string; definition: { nodes: unknown[] } };
    expect(exported.title).toBe("VPN won't connect");
    await context.close();

    const other = await (await newContext(rig.browser, rig.server)).newPage();
    await other.goto(`${rig.server.url}/signup`);
    await other.getByLabel("Company name").fill("Fabrikam IT");
    await other.getByLabel("Your name").fill("Finn Fabrikam");
    await other.getByLabel("Work email").fill("finn@fabrikam-it.example");
    await other.getByLabel("Password").fill("a long passphrase for finn");
    await other.getByRole("button", { name: "Create account" }).click();
    await other.waitForURL(/\/queue$/);
    await other.goto(`${rig.server.url}/trees`);
    await other.locator("#import-tree").setInputFiles(file);
    await other.waitForURL(/\/trees\/[0-9a-f-]{36}\/edit$/);
    await other.getByRole("heading", { name: "Edit: VPN won't connect" }).waitFor();
    await other.getByRole("button", { name: "Publish" }).click();
    await other.getByText(/^Published as version \d+\.$/).waitFor();
    await other.goto(`${rig.server.url}/trees`);
    await other.getByRole("link", { name: "VPN won't connect" }).waitFor();
    expect(await other.locator(".tree-card").count()).toBe(1);
    await other.context().close();
  });
});
