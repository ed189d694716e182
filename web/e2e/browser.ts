// Debian's chromium driven by playwright-core (a test tool's own browser download does not work
// on these machines), with axe for accessibility and fixed settings for screenshots.
import { mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { resolve } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import type { Account, Server } from "./harness";

export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 390, height: 844 };

/** Where screenshots go: a gitignored folder, or docs/screenshots for `make screenshots`. */
export const SHOTS = resolve(import.meta.dirname, process.env.SCREENSHOT_DIR ?? ".artifacts");

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    // Without the background-networking flags chromium floods the closed network with
    // connections that are refused.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

/** A fresh browser profile that may talk to the server under test only. */
export async function newContext(browser: Browser, server: Server, viewport = DESKTOP): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: "en-GB", timezoneId: "UTC", reducedMotion: "reduce", colorScheme: "light" });
  await context.route(
    (url) => url.origin !== server.url,
    (route) => route.abort("blockedbyclient"),
  );
  return context;
}

export async function signIn(page: Page, server: Server, who: Account, next = "/"): Promise<void> {
  await page.goto(`${server.url}/login${next === "/" ? "" : `?next=${encodeURIComponent(next)}`}`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

/** Fails the test on any WCAG 2.1 A or AA violation of the page as it is now. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(found, `axe on ${screen}`).toEqual([]);
}

/** A stable picture: animations off, caret hidden, live times masked. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // Times change from run to run: blank them in place. Through the CSSOM, which the console's
  // Content-Security-Policy allows (a <style> element, as Playwright's `style` option adds, is
  // refused); and not with Playwright's masks, which are painted over what a scrolled box clips.
  const blank = (on: boolean) =>
    page.evaluate((on) => {
      for (const el of document.querySelectorAll<HTMLElement>("time, .waiting")) {
        el.style.setProperty("color", on ? "transparent" : "");
        el.style.setProperty("background", on ? "#dfe3ea" : "");
        el.style.setProperty("border-radius", on ? "3px" : "");
      }
    }, on);
  await blank(true);
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), animations: "disabled", caret: "hide" });
  await blank(false);
}

/** The JavaScript a page loads, as the browser received it: bytes on the wire and gzipped size. */
export async function scriptsOf(page: Page, url: string, ready: () => Promise<void>): Promise<{ files: number; raw: number; gzip: number }> {
  const bodies: Promise<Buffer>[] = [];
  page.on("response", (r) => {
    if (r.request().resourceType() === "script" && r.ok()) bodies.push(r.body());
  });
  await page.goto(url);
  await ready();
  const all = await Promise.all(bodies);
  return {
    files: all.length,
    raw: all.reduce((n, b) => n + b.length, 0),
    gzip: all.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0),
  };
}
