import { test, expect, openHydrated, screenshot, signInWithChanges } from "./fixtures";
import type { Page } from "@playwright/test";

// The third demo location's owner, with changes allowed (an earlier test may
// have disconnected the team, so the button may connect anew): a tag added on a
// contact's page sets off an automation that alerts the team behind the bell,
// and an automation started by hand runs for that contact.

async function newAutomation(page: Page, name: string, trigger: string) {
  await openHydrated(page, "/automations");
  const create = page.getByTestId("new-automation");
  await create.getByTestId("new-automation-name").fill(name);
  await create.getByTestId("new-automation-trigger").selectOption(trigger);
  await create.getByTestId("create-automation").click();
  await expect(page.getByTestId("automation-builder")).toBeVisible();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

async function addStep(page: Page, kind: string) {
  await page.getByTestId("step-kind").selectOption(kind);
  await page.getByTestId("add-step").click();
}

async function saveAndTurnOn(page: Page) {
  await page.getByTestId("save-automation").click();
  await expect(page.getByTestId("save-result")).toContainText("Saved as version 2");
  await page.getByTestId("turn-on").click();
  await expect(page.getByTestId("automation-state")).toHaveText("On");
}

test("a tag added on a contact's page alerts the team behind the bell, and a contact is run through an automation by hand", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInWithChanges(page);

  await newAutomation(page, "Trial booked alert", "highlevel:tag_added");
  await page.getByTestId("trigger-value").fill("trial");
  await addStep(page, "alert");
  await page.getByTestId("step-title").fill("Trial booked: {{ contact.display_name }}");
  await page.getByTestId("step-message").fill("Book a coach for {{ contact.email }}.");
  await saveAndTurnOn(page);

  await newAutomation(page, "Mark followed up", "manual");
  await addStep(page, "add_tags");
  await page.getByTestId("step-contact_id").fill("{{ contact.id }}");
  await page.getByTestId("step-tags").fill("followed up");
  await saveAndTurnOn(page);

  // A contact of the team, once the first sync has cached them.
  await expect(async () => {
    await page.goto("/contacts");
    await expect(page.getByTestId("contact-row").first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 120_000 });
  await page.getByTestId("contact-row").first().locator("a.ws-name").click();
  await expect(page.getByTestId("contact-name")).toBeVisible();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  const contactPage = page.url();
  const name = (await page.getByTestId("contact-name").textContent())!.trim();
  await expect(page.getByTestId("alert-count")).toHaveCount(0);

  // By hand, from the contact's page.
  const card = page.getByTestId("contact-automations");
  await expect(card).toContainText("Mark followed up");
  await card.getByRole("button", { name: "Run “Mark followed up” for this contact" }).click();
  await expect(card.getByTestId("contact-automation-started")).toContainText("Started");
  await screenshot(page, "contact-automations");
  await card.getByRole("link", { name: "See the run" }).click();
  await expect(page.getByTestId("run-summary")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });

  // The tag "trial", added on the page, raises the alert.
  await openHydrated(page, contactPage);
  await expect(page.getByTestId("contact-tag").filter({ hasText: "followed up" })).toBeVisible();
  const tags = page.getByTestId("contact-tags");
  await tags.getByLabel("New tag").fill("trial");
  await tags.getByRole("button", { name: "Add" }).click();
  await expect(page.getByTestId("contact-tag").filter({ hasText: "trial" })).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("alert-count")).toHaveText("1", { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");

  await page.getByTestId("alert-bell").click();
  const panel = page.getByTestId("alert-panel");
  await expect(panel).toContainText(`Trial booked: ${name}`);
  await expect(panel).toContainText("Book a coach for");
  await expect(page.getByTestId("alert-count")).toHaveCount(0);
  await page.screenshot({ path: "screenshots/alerts-bell.png" });
  await panel.getByRole("link", { name: "Open the run" }).click();
  await expect(page.getByTestId("run-summary")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("alert-panel")).toBeHidden();
  await screenshot(page, "automation-run-highlevel");

  // On a phone the bell stays in reach.
  await page.setViewportSize({ width: 390, height: 844 });
  await openHydrated(page, contactPage);
  await page.getByTestId("alert-bell").click();
  await expect(page.getByTestId("alert-panel")).toContainText(`Trial booked: ${name}`);
  await page.screenshot({ path: "screenshots/alerts-bell-phone.png" });
});
