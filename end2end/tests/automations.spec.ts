import { test, expect, screenshot } from "./fixtures";
import type { Page } from "@playwright/test";

// The first demo location's owner builds the automations; no other test
// builds any, so its list starts empty. The team may have been connected
// read-only by another file: write access is given on the Connections page.
async function signInAsOwner(page: Page) {
  await page.goto("/signin");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
  await consent(page);
  await page.goto("/connections");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Let Switchboard make changes in HighLevel").check();
  await page.getByRole("button", { name: /Replace with my HighLevel sign-in|Reconnect with HighLevel/ }).click();
  await consent(page);
}

async function consent(page: Page) {
  await expect(page.getByRole("heading", { name: "Choose a location" })).toBeVisible();
  const locations: Array<{ name: string }> = await (await page.request.get("/sandbox/_sandbox/locations")).json();
  const location = page.locator("form", { has: page.getByRole("button", { name: locations[0].name }) });
  await location.getByLabel("User").selectOption({ index: 0 });
  await location.getByRole("button").click();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

async function connectClubworx(page: Page): Promise<{ id: string; url: string; secret: string }> {
  await page.goto("/apps");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByTestId("connect-app").getByRole("button", { name: /Clubworx/ }).click();
  const form = page.getByTestId("connect-form");
  await form.getByLabel("Name of this connection").fill("Clubworx front desk");
  await form.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByTestId("app-created")).toContainText("Connected");
  const url = (await page.getByTestId("created-url").textContent())!.trim();
  const secret = (await page.getByTestId("created-secret").textContent())!.trim();
  await page.getByTestId("app-created").getByRole("link", { name: "Open the connection" }).click();
  await expect(page.getByTestId("app-connection")).toContainText("Clubworx front desk");
  const id = new URL(page.url()).pathname.split("/").pop()!;
  return { id, url, secret };
}

type LedgerEntry = { method: string; path: string };

async function ledger(page: Page): Promise<LedgerEntry[]> {
  const answer = await (await page.request.get("/sandbox/_sandbox/ledger")).json();
  return answer.entries;
}

/** What was written since `before`: reads (GETs and searches) left out. */
function writesSince(before: LedgerEntry[], after: LedgerEntry[]): string[] {
  return after
    .slice(before.length)
    .map((entry) => `${entry.method} ${entry.path}`)
    .filter((request) => !request.startsWith("GET") && !request.endsWith("/search"));
}

async function ready(page: Page) {
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

/** Waits for the newest run in the history to reach `status`, reloading. */
async function newestRunIs(page: Page, status: string) {
  await expect(async () => {
    await page.goto("/automations/runs");
    await expect(page.getByTestId("run-row").first()).toHaveAttribute("data-status", status, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
}

test("a gym owner builds “welcome new members”, tests it on the sample, turns it on, and retries a failed run from its failed step", async ({
  page,
}) => {
  // A long story, with several runs to wait for, and the dashboard's card
  // waits for the first sync, which takes minutes on a busy machine.
  test.setTimeout(360_000);
  await signInAsOwner(page);
  const clubworx = await connectClubworx(page);

  await page.goto("/automations");
  await ready(page);
  await expect(page.getByTestId("automations-empty")).toBeVisible();
  const create = page.getByTestId("new-automation");
  await create.getByTestId("new-automation-name").fill("Welcome new members");
  await create.getByTestId("new-automation-trigger").selectOption(`app:${clubworx.id}:signup.created`);
  await screenshot(page, "automations-empty");
  await create.getByTestId("create-automation").click();

  // The builder starts with the step that applies the signup's mapping.
  const builder = page.getByTestId("automation-builder");
  await expect(builder).toBeVisible();
  await ready(page);
  await expect(builder.getByTestId("automation-state")).toHaveText("Off");
  const steps = builder.getByTestId("step");
  await expect(steps).toHaveCount(1);
  await expect(steps.first()).toHaveAttribute("data-kind", "apply_mapping");

  // A welcome task due tomorrow at 9:00, with a mistake first.
  await builder.getByTestId("step-kind").selectOption("create_task");
  await builder.getByTestId("add-step").click();
  const task = steps.nth(1);
  await expect(task.getByTestId("step-name")).toHaveValue("task");
  await task.getByTestId("step-contact_id").fill("{{ steps.contact.contact_id }}");
  await task.getByTestId("step-title").fill("Welcome call with {{ data.member.first_name | nope }}");
  await task.getByTestId("step-due").fill("{{ now | date(add_days=1) }}T09:00");
  await builder.getByTestId("save-automation").click();
  await expect(builder.getByTestId("save-result")).toContainText("Not saved");
  await expect(task.getByTestId("form-problem")).toContainText("no filter called “nope”");

  await task.getByTestId("step-title").fill("Welcome call");
  await builder.getByTestId("save-automation").click();
  await expect(builder.getByTestId("save-result")).toContainText("Saved as version 2");
  await screenshot(page, "automation-builder");

  // The test on the sample builds every request and writes nothing.
  const before = await ledger(page);
  await builder.getByTestId("test-automation").click();
  const tested = page.getByTestId("test-result");
  await expect(tested).toContainText("Succeeded");
  await expect(tested.getByTestId("run-step")).toHaveCount(2);
  await expect(tested.getByTestId("step-request").nth(1)).toContainText("Welcome call");
  // 9:00 tomorrow in the team's zone, sent as UTC.
  await expect(tested.getByTestId("step-request").nth(1)).toContainText(/"dueDate": "\d{4}-\d\d-\d\dT\d\d:00:00Z"/);
  expect(writesSince(before, await ledger(page))).toEqual([]);
  await screenshot(page, "automation-test");

  await builder.getByTestId("turn-on").click();
  await expect(builder.getByTestId("automation-state")).toHaveText("On");

  // A signup from the simulated Clubworx runs it: one upsert, one task.
  const sendSignup = async () => {
    const sent = await page.request.post("/sandbox/_sandbox/apps/clubworx/send", {
      data: {
        url: clubworx.url,
        eventType: "signup.created",
        count: 1,
        signing: { mode: "hmac_sha256", header: "X-Clubworx-Signature", secret: clubworx.secret, encoding: "hex", prefix: "" },
      },
    });
    expect(sent.ok()).toBeTruthy();
  };
  const beforeRun = await ledger(page);
  await sendSignup();
  await newestRunIs(page, "succeeded");
  await screenshot(page, "automation-runs");
  await page.getByTestId("run-row").first().getByRole("link").click();
  await expect(page.getByTestId("run-summary")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("run-step")).toHaveCount(2);
  await screenshot(page, "automation-run");
  const writes = writesSince(beforeRun, await ledger(page));
  expect(writes.filter((w) => w === "POST /contacts/upsert")).toHaveLength(1);
  const taskWrites = writes.filter((w) => /^POST \/contacts\/[^/]+\/tasks$/.test(w));
  expect(taskWrites).toHaveLength(1);
  const contactId = taskWrites[0].split("/")[2];

  // The task is on the contact's page.
  await page.goto(`/contacts/${contactId}`);
  await ready(page);
  await expect(page.getByText("Welcome call").first()).toBeVisible();

  // A step that cannot work fails the run with a reason and what to do.
  await page.goto("/automations");
  await page.getByTestId("automation-card").filter({ hasText: "Welcome new members" }).click();
  await ready(page);
  await steps.nth(1).getByTestId("step-due").fill("{{ data.member.first_name }}");
  await builder.getByTestId("save-automation").click();
  await expect(builder.getByTestId("save-result")).toContainText("Saved as version 3");
  const beforeFailure = await ledger(page);
  await sendSignup();
  await newestRunIs(page, "failed");
  await page.getByTestId("run-row").first().getByRole("link").click();
  await ready(page);
  await expect(page.getByTestId("run-error")).toContainText("is not a date");
  await expect(page.getByTestId("run-advice")).toBeVisible();
  await expect(page.getByTestId("run-step").nth(1)).toHaveAttribute("data-status", "failed");
  await screenshot(page, "automation-run-failed");
  const runUrl = page.url();

  // Fixed, then retried from the failed step: the contact is not written
  // again, and the task is made once.
  await page.goto("/automations");
  await page.getByTestId("automation-card").filter({ hasText: "Welcome new members" }).click();
  await ready(page);
  await steps.nth(1).getByTestId("step-due").fill("{{ now | date(add_days=1) }}T09:00");
  await builder.getByTestId("save-automation").click();
  await expect(builder.getByTestId("save-result")).toContainText("Saved as version 4");
  await page.goto(runUrl);
  await ready(page);
  await page.getByTestId("retry-run").click();
  await expect(page.getByTestId("run-summary")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  const retried = writesSince(beforeFailure, await ledger(page));
  expect(retried.filter((w) => w === "POST /contacts/upsert")).toHaveLength(1);
  expect(retried.filter((w) => /^POST \/contacts\/[^/]+\/tasks$/.test(w))).toHaveLength(1);

  // The dashboard counts today's real runs (the test is not one): the first,
  // and the one that failed and then succeeded (once the first sync is done).
  await expect(async () => {
    await page.goto("/");
    await expect(page.getByTestId("dashboard-automations")).toContainText("2 runs today", { timeout: 2_000 });
  }).toPass({ timeout: 200_000 });
  await expect(page.getByTestId("dashboard-automations")).toContainText("0 need attention");

  // On a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/automations");
  await ready(page);
  await page.screenshot({ path: "screenshots/automations-phone.png" });
  await page.getByTestId("automation-card").first().click();
  await ready(page);
  await page.screenshot({ path: "screenshots/automation-builder-phone.png" });
});
