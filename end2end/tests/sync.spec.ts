import { test, expect, screenshot } from "./fixtures";
import type { Page } from "@playwright/test";

// This file is the only one that signs in to the second demo location (a
// tenth of the first one's contacts), so its first person becomes owner and
// the background sync of the new connection starts at once.
async function signIn(page: Page, userIndex: number) {
  await page.goto("/");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("link", { name: "Sign in", exact: true }).click();
  await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
  await expect(page.getByRole("heading", { name: "Choose a location" })).toBeVisible();
  const locations: Array<{ name: string }> = await (await page.request.get("/sandbox/_sandbox/locations")).json();
  const location = page.locator("form", { has: page.getByRole("button", { name: locations[1].name }) });
  await location.getByLabel("User").selectOption({ index: userIndex });
  await location.getByRole("button").click();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

test("the first sync runs by itself and the Sync page follows it live", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, 0);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sync" }).click();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  const current = page.getByTestId("sync-current");
  await expect(current.getByTestId("sync-status")).toBeVisible({ timeout: 30_000 });
  await expect(current.getByTestId("sync-entities")).toContainText("Contacts");
  await screenshot(page, "sync-running");
  // The page refreshes itself: no reload until the run is done.
  await expect(current.getByTestId("sync-status")).toHaveText("Done", { timeout: 150_000 });
  await expect(current.getByTestId("sync-entities")).toContainText("Notes");
  await expect(page.getByTestId("sync-history")).toContainText("Full sync");
  await expect(page.getByTestId("sync-budget")).toContainText("of 200,000 requests");
  await expect(page.getByTestId("sync-now")).toBeEnabled();
  await page.getByTestId("poll-minutes").selectOption("7");
  await page.getByTestId("sync-schedule").getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("sync-schedule")).toContainText("Every 7 min");
  await screenshot(page, "sync-done");

  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("sync-history")).toContainText("Poll", { timeout: 30_000 });

  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "sync-phone");
});

test("a member watches the sync but cannot start it or change the schedule", async ({ page }) => {
  await signIn(page, 1);
  await page.goto("/sync");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("sync-current")).toBeVisible();
  await expect(page.getByTestId("sync-now")).toHaveCount(0);
  await expect(page.getByTestId("poll-minutes")).toHaveCount(0);
});
