import { test, expect, openHydrated, screenshot, signInWithChanges } from "./fixtures";
import type { Page } from "@playwright/test";

// The third demo location's owner, with changes allowed, starts from the
// ready-made automations as a new user would: Clubworx's "tag new sign-ups"
// made, tested on the sample, turned on and run by an event from the
// simulated Clubworx; Workiom's "opening a contact loads its tasks" read
// with the connection's key.

/** Connects `app` on the Apps page under `name`; opens the connection. */
async function connect(page: Page, app: RegExp, name: string) {
  await openHydrated(page, "/apps");
  await page.getByTestId("connect-app").getByRole("button", { name: app }).click();
  const form = page.getByTestId("connect-form");
  await form.getByLabel("Name of this connection").fill(name);
  await form.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByTestId("app-created")).toContainText("Connected");
  await page.getByTestId("app-created").getByRole("link", { name: "Open the connection" }).click();
  await expect(page.getByTestId("app-connection")).toContainText(name);
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

test("a gym owner makes Clubworx's and Workiom's ready-made automations work from the gallery", async ({
  page,
  allowHttpError,
}) => {
  test.setTimeout(180_000);
  // The refused time below is answered 400 with its reason.
  allowHttpError(400, /^\/api\/automations\/recipes\/apply$/);
  await signInWithChanges(page);

  // From the connection's page to its app's recipes.
  await connect(page, /Clubworx/, "Clubworx recipes desk");
  const connectionUrl = page.url();
  await page.getByTestId("connection-recipes").click();
  await expect(page).toHaveURL(/\/automations\/templates\?app=clubworx/);
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  const shownApps = page.getByTestId("recipe-app");
  await expect(shownApps).toHaveCount(1);
  await expect(shownApps).toHaveAttribute("data-app", "clubworx");
  await expect(shownApps.getByTestId("recipe")).toHaveCount(6);
  await screenshot(page, "recipes");

  // A time that is not one is refused next to its field, and nothing is made.
  const summary = page.locator('[data-key="clubworx.daily_summary"]');
  await summary.getByTestId("use-recipe").click();
  await summary.getByTestId("recipe-connection").selectOption({ label: "Clubworx recipes desk" });
  await summary.getByTestId("recipe-input-at").fill("25:00");
  await summary.getByTestId("apply-recipe").click();
  await expect(summary.getByRole("alert")).toHaveText("A time of day such as 18:00.");
  await expect(summary.getByTestId("recipe-applied")).toHaveCount(0);

  // Tag new sign-ups: made, off, with a link to test it.
  const signup = page.locator('[data-key="clubworx.signup"]');
  await signup.getByTestId("use-recipe").click();
  await signup.getByTestId("recipe-connection").selectOption({ label: "Clubworx recipes desk" });
  await expect(signup.getByTestId("recipe-input-tag")).toHaveValue("new member");
  await signup.getByTestId("recipe-input-tag").fill("trial booked");
  await signup.getByTestId("apply-recipe").click();
  await expect(signup.getByTestId("recipe-applied")).toContainText("off until you turn it on");
  await screenshot(page, "recipe-applied");
  await signup.getByTestId("made-automation").click();

  const builder = page.getByTestId("automation-builder");
  await expect(builder).toBeVisible();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await expect(builder.getByTestId("automation-state")).toHaveText("Off");
  await builder.getByTestId("test-automation").click();
  const tested = page.getByTestId("test-result");
  await expect(tested).toContainText("Succeeded");
  await expect(tested.getByTestId("step-request").nth(1)).toContainText("trial booked");
  await builder.getByTestId("turn-on").click();
  await expect(builder.getByTestId("automation-state")).toHaveText("On");
  const automation = new URL(page.url()).pathname.split("/").pop();

  // A sign-up from the simulated Clubworx: the first run succeeds.
  await page.goto(connectionUrl);
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  const sample = page.getByTestId("send-sample");
  await sample.getByTestId("sample-event-type").selectOption("signup.created");
  await sample.getByTestId("send-sample-button").click();
  await expect(page.getByTestId("sample-result")).toHaveAttribute("data-accepted", "true");
  await expect(async () => {
    await page.goto(`/automations/runs?automation=${automation}`);
    await expect(page.getByTestId("run-row").first()).toHaveAttribute("data-status", "succeeded", { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId("run-row").first()).toContainText("App event signup.created");

  // Workiom pulls: the recipe is the request to give it, and it answers.
  await connect(page, /Workiom/, "Workiom recipes desk");
  const readApi = page.getByTestId("read-api");
  await readApi.getByTestId("read-key-issue").click();
  const key = (await readApi.getByTestId("read-key-value").innerText()).trim();
  await openHydrated(page, "/automations/templates");
  await page.getByTestId("recipe-app-workiom").click();
  await expect(page.getByTestId("recipe-app")).toHaveCount(1);
  const opening = page.locator('[data-key="workiom.contact_tasks"]');
  await opening.getByTestId("use-recipe").click();
  await opening.getByTestId("recipe-connection").selectOption({ label: "Workiom recipes desk" });
  await opening.getByTestId("apply-recipe").click();
  const request = opening.getByTestId("read-request");
  await expect(request).toContainText("/apps/api/v1/contacts/{contactId}?include=tasks");
  const address = (await request.innerText()).replace(/^GET /, "").trim();
  const contacts = await (await page.request.get("/apps/api/v1/contacts?q=a", { headers: { Authorization: `Bearer ${key}` } })).json();
  const contactId = contacts.contacts[0].id;
  const read = await page.request.get(address.replace("{contactId}", contactId), { headers: { Authorization: `Bearer ${key}` } });
  expect(read.status()).toBe(200);
  const answer = await read.json();
  expect(answer.contact.id).toBe(contactId);
  expect(Array.isArray(answer.tasks)).toBeTruthy();

  await page.setViewportSize({ width: 390, height: 844 });
  await openHydrated(page, "/automations/templates?app=workiom");
  await screenshot(page, "recipes-phone");
  await openHydrated(page, `/automations/${automation}`);
  await expect(page.getByTestId("automation-state")).toHaveText("On");
  await screenshot(page, "recipe-automation-phone");
});
