import { chromium } from "@playwright/test";
const baseURL = process.argv[2];
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless","--no-sandbox","--disable-gpu","--disable-quic","--no-first-run","--disable-background-networking","--disable-component-update","--disable-sync"] });
const context = await browser.newContext({ baseURL });
const page = await context.newPage();
const errors = [];
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
page.on("pageerror", (e) => errors.push(String(e)));
const locations = await (await page.request.get("/sandbox/_sandbox/locations")).json();
await page.goto("/signin");
await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
await page.getByRole("heading", { name: "Choose a location" }).waitFor();
const location = page.locator("form", { has: page.getByRole("button", { name: locations[0].name }) });
await location.getByLabel("User").selectOption({ index: 0 });
await location.getByRole("button").click();
await page.waitForURL(baseURL + "/");
// A fresh load of the dashboard, counting the wasm it fetches.
const wasm = [];
page.on("response", async (r) => { if (r.url().endsWith(".wasm")) wasm.push([r.url(), (await r.body()).length]); });
await page.goto("/");
await page.locator('.app-shell[data-hydrated="true"]').waitFor({ timeout: 60000 });
console.log("wasm fetched:", JSON.stringify(wasm));
console.log("islands in the page:", await page.locator("leptos-island").count());
for (let i = 0; i < 60 && !(await page.getByTestId("kpi-contacts-value").count()); i++) {
  await page.waitForTimeout(1000);
  await page.goto("/");
}
console.log("contacts figure:", await page.getByTestId("kpi-contacts-value").textContent());
await page.screenshot({ path: "/tmp/spike-shots/dashboard.png", fullPage: true });
// The bell is an island: it opens its panel.
await page.getByTestId("alert-bell").click();
await page.getByTestId("alert-panel").waitFor();
console.log("bell panel:", (await page.getByTestId("alert-panel").textContent()).slice(0, 80));
// The filter bar is an island: choosing a period goes to its address.
await page.getByTestId("filter-period").selectOption("365d");
await page.waitForURL(/period=365d/);
await page.locator('.app-shell[data-hydrated="true"]').waitFor();
console.log("after the filter:", page.url(), await page.getByTestId("kpi-contacts-value").textContent());
// A menu link: a full page load without the islands router.
await page.evaluate(() => { window.__kept = 1; });
await page.locator("nav a[href='/reports']").click();
await page.waitForURL(/\/reports/);
await page.getByTestId("report-filters").waitFor();
console.log("menu navigation kept the window:", await page.evaluate(() => window.__kept === 1));
await page.screenshot({ path: "/tmp/spike-shots/reports.png", fullPage: true });
console.log("console errors:", JSON.stringify(errors));
await browser.close();
