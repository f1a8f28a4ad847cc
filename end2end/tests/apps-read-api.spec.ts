import { test, expect, openHydrated, screenshot } from "./fixtures";
import type { Page } from "@playwright/test";

// This file is the only one that signs in to the first demo location, so
// its first person becomes the owner of that team and the next a viewer.
async function signIn(page: Page, userIndex: number) {
  const locations: Array<{ id: string; name: string }> = await (
    await page.request.get("/sandbox/_sandbox/locations")
  ).json();
  await openHydrated(page, "/signin");
  await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
  await expect(page.getByRole("heading", { name: "Choose a location" })).toBeVisible();
  const location = page.locator("form", { has: page.getByRole("button", { name: locations[0].name }) });
  await location.getByLabel("User").selectOption({ index: userIndex });
  await location.getByRole("button").click();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

/** Connects Clubworx with its template's settings and opens the connection. */
async function connectClubworx(page: Page) {
  await openHydrated(page, "/apps");
  await page.getByTestId("connect-app").getByRole("button", { name: /Clubworx/ }).click();
  const form = page.getByTestId("connect-form");
  await form.getByLabel("Name of this connection").fill("Clubworx, read API");
  await form.getByRole("button", { name: "Connect" }).click();
  await page.getByTestId("app-created").getByRole("link", { name: "Open the connection" }).click();
  await expect(page.getByTestId("app-connection")).toContainText("Clubworx, read API");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

function readContacts(page: Page, key: string) {
  return page.request.get("/apps/api/v1/contacts?q=ann", { headers: { Authorization: `Bearer ${key}` } });
}

test("an owner creates a read key, uses it, rotates it, and sends a sample event that arrives live", async ({ page, browser }) => {
  await signIn(page, 0);
  await connectClubworx(page);
  const readApi = page.getByTestId("read-api");
  await expect(readApi).toContainText("Workiom or ConvertCalculator");
  await expect(readApi.getByTestId("read-key-empty")).toHaveText(/No key yet/);

  // The example request names this server's own address.
  const origin = new URL(page.url()).origin;
  await expect(readApi.getByTestId("read-api-example")).toContainText('Authorization: Bearer <key>');
  await expect(readApi.getByTestId("read-api-example")).toContainText(
    `${origin}/apps/api/v1/contacts/{id}?include=tasks,notes`,
  );
  await expect(readApi.getByTestId("read-api-openapi")).toHaveAttribute("href", `${origin}/apps/api/v1/openapi.json`);

  // A new key is shown once, in full, and the card then knows it by its start.
  await expect(readApi.getByTestId("read-key-issue")).toHaveText("Create key");
  await readApi.getByTestId("read-key-issue").click();
  const shown = readApi.getByTestId("read-key-value");
  await expect(shown).toHaveText(/^sb_live_[A-Za-z0-9_-]{43}$/);
  const key = (await shown.innerText()).trim();
  await expect(readApi.getByTestId("read-key-new")).toContainText("it will not be shown again");
  await expect(readApi.getByTestId("read-key-prefix")).toHaveText(`${key.slice(0, 16)}…`);
  await expect(readApi.getByTestId("read-key-last-used")).toHaveText("Not yet");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await readApi.getByTestId("read-key-copy").click();
  await expect(readApi.getByTestId("read-key-new")).toContainText("Copied.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await expect(readApi.getByTestId("read-key-issue")).toHaveText("Rotate key");

  const read = await readContacts(page, key);
  expect(read.status()).toBe(200);
  expect(await read.json()).toHaveProperty("contacts");

  // The fields the key reads: one more, saved.
  await expect(readApi.getByTestId("read-field-email")).toBeChecked();
  await expect(readApi.getByTestId("read-field-website")).not.toBeChecked();
  await readApi.getByTestId("read-field-website").check();
  await readApi.getByTestId("read-fields-save").click();
  await expect(readApi.getByTestId("read-fields-saved")).toHaveText("Saved.");

  await screenshot(page, "app-connection-read-api");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "app-connection-read-api-phone");
  await readApi.screenshot({ path: "screenshots/app-read-api-card-phone.png" });
  await page.setViewportSize({ width: 1280, height: 720 });

  // After a reload the key is never shown again, its use is noted and the
  // fields are kept.
  await page.reload();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await expect(readApi.getByTestId("read-key-prefix")).toHaveText(`${key.slice(0, 16)}…`);
  await expect(readApi.getByTestId("read-key-value")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(key);
  await expect(readApi.getByTestId("read-key-last-used")).not.toHaveText("Not yet");
  await expect(readApi.getByTestId("read-field-website")).toBeChecked();

  // Rotating asks first; keeping the key changes nothing.
  await readApi.getByTestId("read-key-issue").click();
  await expect(readApi.getByTestId("read-key-confirm")).toContainText("stops working at once");
  await readApi.getByTestId("read-key-cancel").click();
  await expect(readApi.getByTestId("read-key-confirm")).toHaveCount(0);
  await readApi.getByTestId("read-key-issue").click();
  await readApi.getByTestId("read-key-rotate").click();
  await expect(shown).toHaveText(/^sb_live_/);
  await expect(shown).not.toHaveText(key);
  const rotated = (await shown.innerText()).trim();
  await expect(readApi.getByTestId("read-key-prefix")).toHaveText(`${rotated.slice(0, 16)}…`);
  expect((await readContacts(page, key)).status()).toBe(401);
  expect((await readContacts(page, rotated)).status()).toBe(200);

  // Listening, a sample event from the simulated Clubworx arrives without a reload.
  const incoming = page.getByTestId("incoming");
  await expect(incoming.getByTestId("incoming-empty")).toBeVisible();
  await incoming.getByTestId("listen").click();
  await expect(incoming.getByRole("status")).toContainText("Listening");
  const sample = incoming.getByTestId("send-sample");
  await sample.getByTestId("sample-event-type").selectOption("member.updated");
  await sample.getByTestId("send-sample-button").click();
  await expect(incoming.getByTestId("sample-result")).toContainText("answered 200");
  await expect(incoming.getByTestId("sample-result")).toHaveAttribute("data-accepted", "true");
  const row = incoming.getByTestId("incoming-request").first();
  await expect(row).toContainText("member.updated");
  await expect(row).toContainText("Received");
  await expect(row).toContainText("New");

  await screenshot(page, "app-connection-sample");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "app-connection-sample-phone");
  await incoming.screenshot({ path: "screenshots/app-incoming-sample-phone.png" });

  // A viewer of the team sees the key's start and its fields, and changes nothing.
  const context = await browser.newContext({ baseURL: new URL(page.url()).origin });
  const viewer = await context.newPage();
  await signIn(viewer, 1);
  await openHydrated(viewer, new URL(page.url()).pathname);
  await expect(viewer.getByTestId("incoming-request").first()).toContainText("member.updated");
  const seen = viewer.getByTestId("read-api");
  await expect(seen.getByTestId("read-key-prefix")).toHaveText(`${rotated.slice(0, 16)}…`);
  await expect(seen.getByTestId("read-field-website")).toBeChecked();
  await expect(seen.getByTestId("read-field-website")).toBeDisabled();
  await expect(seen.getByTestId("read-key-issue")).toHaveCount(0);
  await expect(seen.getByTestId("read-fields-save")).toHaveCount(0);
  await expect(viewer.getByTestId("send-sample")).toHaveCount(0);
  await context.close();
});
