import { test, expect, screenshot } from "./fixtures";
import type { Page } from "@playwright/test";

// This file signs in to the second demo location; its first person is owner.
async function signInAsOwner(page: Page) {
  const locations: Array<{ id: string; name: string }> = await (
    await page.request.get("/sandbox/_sandbox/locations")
  ).json();
  await page.goto("/signin");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
  await expect(page.getByRole("heading", { name: "Choose a location" })).toBeVisible();
  const location = page.locator("form", { has: page.getByRole("button", { name: locations[1].name }) });
  await location.getByLabel("User").selectOption({ index: 0 });
  await location.getByRole("button").click();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  return locations[1];
}

test("incoming events: the empty state gives the webhook URL, then sandbox changes arrive", async ({ page }) => {
  const location = await signInAsOwner(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Incoming events" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Incoming events");
  const empty = page.getByTestId("events-empty");
  await expect(empty).toContainText("No events yet");
  await expect(page.getByTestId("webhook-url")).toHaveText(/^http:\/\/.+\/webhooks\/highlevel$/);
  await screenshot(page, "events-empty");

  // Changes made in the sandbox HighLevel are posted, signed, to this app.
  const simulated = await page.request.post("/sandbox/_sandbox/simulate", {
    data: { entity: "contacts", action: "create", count: 2, locationId: location.id },
  });
  expect(simulated.ok()).toBeTruthy();
  await page.request.post("/sandbox/_sandbox/simulate", {
    data: { entity: "tasks", action: "create", count: 1, locationId: location.id },
  });
  // A request without a signature is refused: it cannot say which team it is
  // for, so no team's page lists it (the operator's `switchboard events` does).
  const forged = await page.request.post("/webhooks/highlevel", {
    data: { type: "ContactDelete", locationId: location.id, id: "x", webhookId: "forged-1" },
  });
  expect(forged.status()).toBe(401);
  expect((await forged.json()).error).toBe("bad_signature");

  const events = page.getByTestId("events");
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(events.locator('tr[data-status="done"]')).toHaveCount(3, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(events.locator('tr[data-status="rejected"]')).toHaveCount(0);
  await expect(events).toContainText("ContactCreate");
  await expect(events).toContainText("TaskCreate");
  await expect(events).toContainText("New contact cached");

  const first = events.locator('tr[data-status="done"]').first();
  await first.getByRole("button", { name: "View body" }).click();
  const body = page.getByTestId("event-body");
  await expect(body).toContainText('"webhookId"');
  await expect(body).toContainText(`"locationId": "${location.id}"`);
  await screenshot(page, "events");

  await page.getByTestId("status-filter").selectOption("done");
  await expect(events.locator("tbody tr[data-testid=event]")).toHaveCount(3);

  await page.getByTestId("status-filter").selectOption("");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(events.locator('tr[data-status="done"]')).toHaveCount(3);
  await screenshot(page, "events-phone");
});
