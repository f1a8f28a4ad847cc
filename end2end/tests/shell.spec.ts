import { test, expect, openHydrated, screenshot } from "./fixtures";

const pages = [
  { path: "/", heading: "Dashboard", name: "dashboard" },
  { path: "/contacts", heading: "Contacts", name: "contacts" },
  { path: "/tasks", heading: "Tasks", name: "tasks" },
  { path: "/appointments", heading: "Appointments", name: "appointments" },
  { path: "/automations", heading: "Automations", name: "automations" },
  { path: "/connections", heading: "Connections", name: "connections" },
  { path: "/settings", heading: "Settings", name: "settings" },
];

for (const { path, heading, name } of pages) {
  test(`${heading} page renders, hydrates and is titled`, async ({ page }) => {
    await openHydrated(page, path);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
    await expect(page).toHaveTitle(`${heading} · Switchboard`);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: heading })).toHaveAttribute(
      "aria-current",
      "page",
    );
    await screenshot(page, name);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, `${name}-phone`);
  });
}

test("the menu opens each page, marked as the current one, and the page comes alive", async ({ page }) => {
  await openHydrated(page, "/");
  const menu = page.getByRole("navigation", { name: "Main" });
  await menu.getByRole("link", { name: "Tasks" }).click();
  await expect(page).toHaveURL(/\/tasks$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Tasks");
  await expect(menu.getByRole("link", { name: "Tasks" })).toHaveAttribute("aria-current", "page");
  await expect(menu.getByRole("link", { name: "Dashboard" })).not.toHaveAttribute("aria-current", "page");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
});

test("settings show the database this server started", async ({ page }) => {
  await openHydrated(page, "/settings");
  const facts = page.getByTestId("system-status");
  await expect(facts).toContainText("Built-in");
  const starts = Number(await page.getByTestId("server-starts").textContent());
  expect(starts).toBeGreaterThanOrEqual(1);
});

test("an unknown address shows a 404 page that looks like the product", async ({ page, allowHttpError }) => {
  allowHttpError(404, /^\/no-such-page$/);
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("not-found")).toContainText("We couldn't find that page");
  await screenshot(page, "not-found");
  await page.getByRole("link", { name: "Go to the dashboard" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dashboard");
});

test("the health endpoint reports the database as reachable", async ({ request }) => {
  const response = await request.get("/healthz");
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body.status).toBe("ok");
  expect(body.database.reachable).toBe(true);
  expect(body.database.server_starts).toBeGreaterThanOrEqual(1);
});
