import { test, expect, screenshot } from "./fixtures";
import type { Page } from "@playwright/test";

// The second demo location is the one no other file signs in to: its first
// sync (started by the server right after sign-in) fills the reports.
async function signIn(page: Page) {
  await page.goto("/signin");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
  await expect(page.getByRole("heading", { name: "Choose a location" })).toBeVisible();
  const locations: Array<{ name: string }> = await (await page.request.get("/sandbox/_sandbox/locations")).json();
  const location = page.locator("form", { has: page.getByRole("button", { name: locations[1].name }) });
  await location.getByRole("button").click();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

/** Reloads the dashboard until the first sync has finished (or the deadline). */
async function waitForFirstSync(page: Page) {
  await expect(async () => {
    await page.goto("/");
    await expect(page.getByTestId("last-synced")).toContainText("last synced", { timeout: 1_000 });
  }).toPass({ timeout: 150_000, intervals: [2_000] });
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

test("signed out, the dashboard and reports ask to sign in", async ({ page }) => {
  for (const path of ["/", "/reports"]) {
    await page.goto(path);
    await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
    await expect(page.getByTestId("report-signed-out")).toContainText("Sign in to see your numbers");
  }
});

test("the dashboard shows the synced figures, and the filters change them", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page);
  await waitForFirstSync(page);

  const contacts = page.getByTestId("kpi-contacts-value");
  await expect(contacts).not.toHaveText("0");
  for (const key of ["new-contacts", "by-source", "top-tags", "tasks-by-assignee", "appointments-by-week"]) {
    await expect(page.getByTestId(`chart-${key}`)).toBeVisible();
  }
  // Every bar explains itself on hover.
  expect(await page.locator('[data-testid="chart-by-source"] svg title').count()).toBeGreaterThan(0);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await screenshot(page, "dashboard-synced");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "dashboard-synced-phone");
  const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(scrolls, "the phone layout does not scroll sideways").toBe(false);
  await page.setViewportSize({ width: 1440, height: 1000 });

  // A longer period: the address, and the new-contacts chart, change.
  const chart = page.getByTestId("chart-new-contacts");
  const before = await chart.innerHTML();
  await page.getByTestId("filter-period").selectOption("365d");
  await expect(page).toHaveURL(/period=365d/);
  await expect(chart).toContainText("per week");
  expect(await chart.innerHTML()).not.toEqual(before);

  // A tag narrows the contacts; the filtered page can be shared.
  const everyone = await contacts.textContent();
  const tag = page.getByTestId("filter-tag");
  const firstTag = await tag.locator("option").nth(1).getAttribute("value");
  await tag.selectOption(firstTag!);
  await expect(page).toHaveURL(new RegExp(`tag=${encodeURIComponent(firstTag!)}`));
  await expect(contacts).not.toHaveText(everyone!);
  const filtered = page.url();
  await page.goto(filtered);
  await expect(page.getByTestId("filter-tag")).toHaveValue(firstTag!);
  await screenshot(page, "dashboard-filtered");

  await page.getByTestId("filter-reset").click();
  await expect(page).not.toHaveURL(/tag=/);
  await expect(contacts).toHaveText(everyone!);
});

test("team reports: sortable tables whose CSV follows the filter", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page);
  await waitForFirstSync(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Reports");

  const assignees = page.getByTestId("table-assignees");
  await expect(assignees.locator("tbody tr").first()).toBeVisible();
  await expect(page.getByTestId("table-businesses").locator("tbody tr").first()).toBeVisible();

  // Sorting by "Open" puts the largest first, then the smallest.
  const openHeader = assignees.getByRole("button", { name: /^Open/ });
  const openColumn = assignees.locator("th", { has: page.getByRole("button", { name: /^Open/ }) });
  await openHeader.click();
  await expect(openColumn).toHaveAttribute("aria-sort", "descending");
  const open = async () =>
    (await assignees.locator("tbody tr td:nth-child(2)").allTextContents()).map((cell) => Number(cell));
  const descending = await open();
  expect(descending).toEqual([...descending].sort((a, b) => b - a));
  await openHeader.click();
  await expect(openColumn).toHaveAttribute("aria-sort", "ascending");
  const ascending = await open();
  expect(ascending).toEqual([...ascending].sort((a, b) => a - b));

  const csv = page.getByTestId("csv-assignees");
  const allCsv = decodeURIComponent((await csv.getAttribute("href"))!.split(",").slice(1).join(","));
  expect(allCsv.split("\n")[0]).toBe("Assignee,Open,Overdue,Completed in period,Median hours to complete");
  const download = page.waitForEvent("download");
  await csv.click();
  expect((await download).suggestedFilename()).toBe("switchboard-assignees.csv");

  await screenshot(page, "reports");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "reports-phone");
  await page.setViewportSize({ width: 1440, height: 1000 });

  const assignee = page.getByTestId("filter-assignee");
  const person = await assignee.locator("option").nth(1).getAttribute("value");
  await assignee.selectOption(person!);
  await expect(page).toHaveURL(/assignee=/);
  await expect
    .poll(async () => decodeURIComponent((await csv.getAttribute("href"))!.split(",").slice(1).join(",")))
    .not.toEqual(allCsv);
  await screenshot(page, "reports-filtered");
});
