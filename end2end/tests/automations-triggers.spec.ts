import { test, expect, openHydrated, screenshot } from "./fixtures";
import type { Page } from "@playwright/test";

// The third demo location's owner builds automations with triggers that have
// fields of their own (a schedule, a HighLevel tag): the first
// location's automations belong to automations.spec.ts, whose list starts empty.
async function signIn(page: Page) {
  const locations: Array<{ name: string }> = await (await page.request.get("/sandbox/_sandbox/locations")).json();
  const target = locations[2] ?? locations[1];
  await openHydrated(page, "/signin");
  await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
  await expect(page.getByRole("heading", { name: "Choose a location" })).toBeVisible();
  const location = page.locator("form", { has: page.getByRole("button", { name: target.name }) });
  await location.getByLabel("User").selectOption({ index: 0 });
  await location.getByRole("button").click();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

test("an owner schedules a check for Monday and Thursday mornings and sees when it runs next", async ({ page }) => {
  await signIn(page);
  await openHydrated(page, "/automations");
  const create = page.getByTestId("new-automation");
  await create.getByTestId("new-automation-name").fill("Monday and Thursday check");
  await create.getByTestId("new-automation-trigger").selectOption("schedule");
  await create.getByTestId("create-automation").click();
  await expect(page.getByTestId("automation-builder")).toBeVisible();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");

  // A new schedule runs every day at 9:00, on the team's clock.
  const fields = page.getByTestId("trigger-fields");
  await expect(fields).toHaveAttribute("data-kind", "schedule");
  await expect(page.getByTestId("trigger-every")).toHaveValue("daily");
  await expect(page.getByTestId("trigger-at")).toHaveValue("09:00");
  await expect(page.getByTestId("trigger-minutes")).toHaveCount(0);
  await expect(page.getByTestId("schedule-next").getByRole("listitem")).toHaveCount(3);
  await expect(page.getByTestId("schedule-next")).toContainText("09:00");

  // Every 20 minutes is more than a poll: the problem shows next to the field.
  await page.getByTestId("trigger-every").selectOption("minutes");
  await expect(page.getByTestId("trigger-at")).toHaveCount(0);
  await page.getByTestId("trigger-minutes").fill("20");
  await page.getByTestId("step-kind").selectOption("find_contact");
  await page.getByTestId("add-step").click();
  await page.getByTestId("step-value").fill("front-desk@example.com");
  await page.getByTestId("save-automation").click();
  await expect(fields.getByTestId("form-problem")).toContainText("Every 1 to 15 minutes");

  // Every week on Monday and Thursday at 7:30.
  await page.getByTestId("trigger-every").selectOption("weekly");
  for (const day of ["tue", "wed", "fri"]) {
    await page.getByTestId(`trigger-day-${day}`).uncheck();
  }
  await page.getByTestId("trigger-day-thu").check();
  await page.getByTestId("trigger-at").fill("07:30");
  await page.getByTestId("save-automation").click();
  await expect(page.getByTestId("save-result")).toContainText("Saved as version 2. Next run:");
  const next = page.getByTestId("schedule-next").getByRole("listitem");
  // The list follows the save: read it until it shows the saved schedule.
  await expect(async () => {
    const ticks = await next.allTextContents();
    expect(ticks).toHaveLength(3);
    for (const tick of ticks) {
      expect(tick).toMatch(/^(Mon|Thu) \d{1,2} \w{3} \d{4} 07:30 /);
    }
  }).toPass({ timeout: 15_000 });
  await expect(page.getByTestId("trigger-day-mon")).toBeChecked();
  await expect(page.getByTestId("trigger-day-thu")).toBeChecked();
  await expect(page.getByTestId("trigger-day-tue")).not.toBeChecked();
  await screenshot(page, "automation-schedule");

  // A cron expression that does not read is refused next to its field.
  await page.getByTestId("trigger-every").selectOption("cron");
  await page.getByTestId("trigger-cron").fill("0 7 * *");
  await page.getByTestId("save-automation").click();
  await expect(fields.getByTestId("form-problem")).toContainText("Not a cron expression");

  await openHydrated(page, "/automations");
  await expect(page.getByTestId("automation-card").filter({ hasText: "Monday and Thursday check" })).toContainText(
    "Every Monday and Thursday at 07:30",
  );
});

test("an owner waits for one tag in HighLevel, named in the trigger's own field", async ({ page }) => {
  await signIn(page);
  await openHydrated(page, "/automations");
  const create = page.getByTestId("new-automation");
  await create.getByTestId("new-automation-name").fill("VIP welcome");
  await create.getByTestId("new-automation-trigger").selectOption("highlevel:tag_added");
  await create.getByTestId("create-automation").click();
  await expect(page.getByTestId("automation-builder")).toBeVisible();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");

  await expect(page.getByTestId("trigger-fields")).toHaveAttribute("data-kind", "highlevel:tag_added");
  await page.getByTestId("trigger-value").fill("vip");
  await page.getByTestId("step-kind").selectOption("find_contact");
  await page.getByTestId("add-step").click();
  await page.getByTestId("step-value").fill("{{ contact.email }}");
  await page.getByTestId("save-automation").click();
  await expect(page.getByTestId("save-result")).toContainText("Saved as version 2.");
  await expect(page.getByTestId("trigger-value")).toHaveValue("vip");

  // A change with nothing to narrow it has no fields.
  await page.getByTestId("automation-trigger").selectOption("highlevel:contact_created");
  await expect(page.getByTestId("trigger-fields")).toHaveCount(0);

  await openHydrated(page, "/automations");
  await expect(page.getByTestId("automation-card").filter({ hasText: "VIP welcome" })).toContainText(
    "A tag is added to a contact: vip",
  );
});
