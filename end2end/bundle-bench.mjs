// Prints, for every page of the app, the wasm and JavaScript its first load
// fetches: each page is opened in a fresh browser context (empty cache) and
// counted once it has hydrated. Sizes come from the served files and their
// precompressed .gz/.br twins in the site's pkg folder.
//
// Usage: node end2end/bundle-bench.mjs <base URL> <site pkg folder>
// (benches/bundle.sh builds the release bundle and starts the server.)
import { chromium } from "@playwright/test";
import { statSync } from "node:fs";
import { join } from "node:path";

const [baseURL, pkgDir] = process.argv.slice(2);
if (!baseURL || !pkgDir) {
  console.error("usage: node end2end/bundle-bench.mjs <base URL> <site pkg folder>");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
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

const hydrated = (page) => page.locator('.app-shell[data-hydrated="true"]').waitFor({ timeout: 30_000 });

/** Signs in to the first demo location as its owner; returns the cookies. */
async function signIn() {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const locations = await (await page.request.get("/sandbox/_sandbox/locations")).json();
  await page.goto("/signin");
  await hydrated(page);
  await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
  await page.getByRole("heading", { name: "Choose a location" }).waitFor();
  const location = page.locator("form", { has: page.getByRole("button", { name: locations[0].name }) });
  await location.getByLabel("User").selectOption({ index: 0 });
  await location.getByRole("button").click();
  await hydrated(page);
  return { context, page };
}

/** Ids for the pages whose address names a record: a synced contact, an app
 * connection and an automation made for the occasion. A run needs an
 * automation to have run; without one, its page shows "not found". */
async function recordIds(page) {
  const ids = { contact: null, app: null, automation: null, run: null };
  const firstLink = async (path, pattern) => {
    await page.goto(path);
    await hydrated(page);
    await page.waitForLoadState("networkidle");
    const hrefs = await page.locator("a[href]").evaluateAll((links) => links.map((link) => link.getAttribute("href")));
    return hrefs.map((href) => pattern.exec(href ?? "")?.[1]).find(Boolean) ?? null;
  };
  await page.goto("/apps");
  await hydrated(page);
  await page.getByTestId("connect-app").getByRole("button", { name: /Clubworx/ }).click();
  await page.getByTestId("connect-form").getByRole("button", { name: "Connect" }).click();
  const opened = page.getByTestId("app-created").getByRole("link", { name: "Open the connection" });
  ids.app = /\/apps\/([^/?]+)/.exec((await opened.getAttribute("href")) ?? "")?.[1] ?? null;
  await page.goto("/automations");
  await hydrated(page);
  await page.getByTestId("new-automation-name").fill("Bundle bench");
  await page.getByTestId("create-automation").click();
  await page.getByTestId("automation-builder").waitFor();
  ids.automation = /\/automations\/([^/?]+)$/.exec(page.url())?.[1] ?? null;
  ids.contact = await firstLink("/contacts", /^\/contacts\/([^/?]+)$/);
  ids.run = await firstLink("/automations/runs", /^\/automations\/runs\/([^/?]+)$/);
  return ids;
}

const { context: signedIn, page } = await signIn();
const ids = await recordIds(page);
const state = await signedIn.storageState();
await signedIn.close();

const placeholder = "00000000-0000-0000-0000-000000000000";
const routes = [
  ["/", "/"],
  ["/contacts", "/contacts"],
  ["/contacts/:id", `/contacts/${ids.contact ?? placeholder}`],
  ["/tasks", "/tasks"],
  ["/appointments", "/appointments"],
  ["/reports", "/reports"],
  ["/apps", "/apps"],
  ["/apps/:id", `/apps/${ids.app ?? placeholder}`],
  ["/apps/:id/mapping", `/apps/${ids.app ?? placeholder}/mapping`],
  ["/automations", "/automations"],
  ["/automations/runs", "/automations/runs"],
  ["/automations/templates", "/automations/templates"],
  ["/automations/runs/:id", `/automations/runs/${ids.run ?? placeholder}`],
  ["/automations/:id", `/automations/${ids.automation ?? placeholder}`],
  ["/connections", "/connections"],
  ["/events", "/events"],
  ["/sync", "/sync"],
  ["/settings", "/settings"],
  ["/signin", "/signin"],
  ["(not found)", "/no-such-page"],
];

const sizes = (name) => {
  const size = (file) => {
    try {
      return statSync(join(pkgDir, file)).size;
    } catch {
      return NaN;
    }
  };
  return { raw: size(name), gzip: size(`${name}.gz`), br: size(`${name}.br`) };
};

const rows = [];
for (const [route, path] of routes) {
  const context = await browser.newContext({ baseURL, storageState: state });
  const page = await context.newPage();
  console.error(`opening ${path}`);
  page.on("pageerror", (error) => console.error(`  ${path}: ${error.message}`));
  page.on("console", (message) => message.type() === "error" && console.error(`  ${path}: ${message.text()}`));
  const fetched = new Set();
  page.on("response", (response) => {
    const { pathname } = new URL(response.url());
    if (pathname.startsWith("/pkg/") && /\.(wasm|js)$/.test(pathname)) fetched.add(pathname.slice("/pkg/".length));
  });
  // A page that fails to hydrate is reported (its errors above), not waited for.
  let failed = false;
  try {
    await page.goto(path, { waitUntil: "commit" });
    await hydrated(page);
    await page.waitForLoadState("networkidle");
  } catch {
    failed = true;
  }
  await context.close();
  const total = (extension) =>
    [...fetched]
      .filter((file) => file.endsWith(extension))
      .map(sizes)
      .reduce((sum, file) => ({ raw: sum.raw + file.raw, gzip: sum.gzip + file.gzip, br: sum.br + file.br }), {
        raw: 0,
        gzip: 0,
        br: 0,
      });
  const wasm = total(".wasm");
  const js = total(".js");
  const files = [...fetched].filter((file) => file.endsWith(".wasm")).length;
  rows.push({ route: failed ? `${route} (did not hydrate)` : route, files, wasm, js });
}
await browser.close();

const kb = (bytes) => (bytes / 1000).toFixed(1);
const header = ["page", "wasm files", "wasm kB", "gzip kB", "brotli kB", "js kB", "js brotli kB"];
const lines = rows.map(({ route, files, wasm, js }) => [
  route,
  String(files),
  kb(wasm.raw),
  kb(wasm.gzip),
  kb(wasm.br),
  kb(js.raw),
  kb(js.br),
]);
const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
const format = (cells) => `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(" | ")} |`;
console.log(format(header));
console.log(`|${widths.map((width, column) => (column === 0 ? ":" : "-") + "-".repeat(width) + (column === 0 ? "-" : ":")).join("|")}|`);
for (const line of lines) console.log(format(line));
if (!ids.run) console.log("\n/automations/runs/:id: no run yet, so its page shows \"not found\" (same code, same chunks).");
