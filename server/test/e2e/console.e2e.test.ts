import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { createArtenicClient, type ArtenicClient } from "@artenic/sdk/node";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { fixtureBytes } from "../support/fixtures.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const CHROMIUM = process.env["ARTENIC_CHROMIUM"] ?? "/usr/bin/chromium";
const SCREENSHOT = join(repo, "var", "console.png");

/**
 * Debian's Chromium, installed with apt-get when it is missing and this process is root (CI runs as
 * root on Debian); otherwise the test fails saying what to install. A present binary costs nothing.
 */
function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: run \`apt-get install -y chromium\` as root, or set ARTENIC_CHROMIUM to a Chromium binary`);
  }
  process.stderr.write("console e2e: Chromium is missing; installing Debian's package with apt-get (once) ...\n");
  const install = () =>
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  try {
    install();
  } catch {
    execFileSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "inherit"] });
    install();
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} does not exist`);
  return CHROMIUM;
}

describe("the browser console at /console/", () => {
  let server: TestServer;
  let artenic: ArtenicClient;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const executablePath = ensureChromium();
    // The build step (scripts/bootstrap.sh) makes it; build it here when the suite runs alone.
    execFileSync(process.execPath, [join(repo, "console", "build.mjs")], { stdio: "inherit" });
    server = await startTestServer("sqlite");
    artenic = createArtenicClient({ baseUrl: server.url, apiKey: server.adminKey });
    await artenic.registry.createModel({ modelId: "console-first", model: { displayName: "Made before the page", framework: "sklearn" } });
    await artenic.uploadArtifact("console-first", fixtureBytes("iris_logreg"));
    await artenic.inference.createService({ serviceId: "console-svc", service: { target: { target: { case: "modelVersion", value: "models/console-first/versions/1" } } } });
    profile = mkdtempSync(join(tmpdir(), "artenic-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => pageErrors.push(e.message));
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await server?.dispose();
  });

  it("is served without a key, with a restrictive content security policy", async () => {
    const res = await fetch(`${server.url}/console/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("connect-src 'self'");
    expect((await fetch(`${server.url}/console`, { redirect: "manual" })).headers.get("location")).toBe("/console/");
    expect((await fetch(`${server.url}/console/app.js`)).headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await fetch(`${server.url}/console/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
  });

  it("shows the reason when the key is wrong", async () => {
    await page.goto(`${server.url}/console/`);
    await page.fill("#api-key", "artenic_not_a_real_key");
    await page.click("#key-form button[type=submit]");
    await page.waitForSelector("#error:not([hidden])");
    expect(await page.textContent("#error")).toMatch(/^UNAUTHENTICATED: .*\[API_KEY_INVALID\]/);
    expect(await page.evaluate(() => sessionStorage.getItem("artenic.apiKey"))).toBeNull();
  });

  it("lists the models and services, and shows a live event of a change made elsewhere", async () => {
    await page.fill("#api-key", server.adminKey);
    await page.click("#key-form button[type=submit]");
    await page.waitForSelector('body[data-state="connected"]');
    expect(await page.isHidden("#error")).toBe(true);
    expect(await page.textContent("#models tbody")).toContain("models/console-first");
    expect(await page.textContent("#services tbody")).toContain("services/console-svc");
    // The recent history is shown, then the stream goes live.
    await page.waitForSelector('#events li[data-resource="models/console-first"]');
    await page.waitForSelector('#events-state[data-state="live"]', { timeout: 15_000 });

    await artenic.registry.createModel({ modelId: "console-live", model: { displayName: "Made while watching" } });
    await page.waitForSelector('#events li[data-type="registry.model.created"][data-resource="models/console-live"]', { timeout: 10_000 });
    // The event also refreshes the models table.
    await page.waitForFunction(() => document.querySelector("#models tbody")?.textContent?.includes("models/console-live"), undefined, { timeout: 5_000 });
    expect(await page.evaluate(() => sessionStorage.getItem("artenic.apiKey"))).toBe(server.adminKey);

    mkdirSync(join(repo, "var"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it("reconnects from the key kept in sessionStorage after a reload", async () => {
    await page.reload();
    await page.waitForSelector('body[data-state="connected"]');
    expect(await page.textContent("#models tbody")).toContain("models/console-live");
    expect(pageErrors).toEqual([]);
  });
});
