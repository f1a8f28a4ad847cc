import { test, expect, screenshot } from "./fixtures";
import type { Page } from "@playwright/test";

// Each run starts with an empty database; this file is the only one that
// signs in to the third demo location, so its first person becomes owner.
async function signIn(page: Page, userIndex: number, write = false) {
  await page.goto("/");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("link", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in");
  if (write) await page.getByLabel("Let Switchboard make changes").check();
  await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
  await expect(page.getByRole("heading", { name: "Choose a location" })).toBeVisible();
  const locations: Array<{ name: string }> = await (await page.request.get("/sandbox/_sandbox/locations")).json();
  const location = page.locator("form", { has: page.getByRole("button", { name: locations[2].name }) });
  const user = location.getByLabel("User");
  const chosen = (await user.locator("option").nth(userIndex).textContent())!.trim();
  await user.selectOption({ index: userIndex });
  await location.getByRole("button").click();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  return { chosen, locationName: locations[2].name };
}

test("sign in with HighLevel, see who you are, and sign out", async ({ page }) => {
  const { chosen, locationName } = await signIn(page, 0);
  await expect(page).toHaveURL(/\/$/);
  const account = page.getByTestId("account");
  await expect(account).toContainText(chosen);
  await expect(account).toContainText(`${locationName} · Owner`);
  await screenshot(page, "signed-in");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connections" }).click();
  const connection = page.getByTestId("connection");
  await expect(connection).toContainText(locationName);
  await expect(connection.getByTestId("connection-status")).toHaveText("Connected");
  await expect(connection.getByTestId("scopes")).toContainText("contacts.readonly");
  await expect(connection.getByTestId("requests-today")).toContainText("of 200,000 allowed per day");
  await expect(connection.getByRole("button", { name: "Disconnect" })).toBeVisible();
  await screenshot(page, "connections-connected");

  await account.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole("link", { name: "Sign in", exact: true })).toBeVisible();
  await screenshot(page, "signin");
});

test("a colleague of the same location joins as a viewer, the team's default", async ({ page }) => {
  const { chosen, locationName } = await signIn(page, 1, true);
  const account = page.getByTestId("account");
  await expect(account).toContainText(chosen);
  await expect(account).toContainText(`${locationName} · Viewer`);
  // They see the connection but cannot change it.
  await page.goto("/connections");
  await expect(page.getByTestId("connection")).toBeVisible();
  await expect(page.getByRole("button", { name: "Disconnect" })).toHaveCount(0);
});

test("an owner changes a colleague's role, removes them and lets them back in", async ({ page }) => {
  await signIn(page, 0);
  await page.goto("/settings");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  const team = page.getByTestId("team");
  await expect(team.locator("tbody tr")).toHaveCount(2);
  const role = team.getByRole("combobox");
  await expect(role).toHaveValue("viewer");
  await role.selectOption("member");
  // The select shows the choice at once: wait for the server's answer.
  await Promise.all([
    page.waitForResponse((answer) => answer.url().endsWith("/api/team/set-role")),
    team.getByRole("button", { name: "Save" }).click(),
  ]);
  await expect(team.getByRole("combobox")).toHaveValue("member");
  await page.reload();
  await expect(page.getByTestId("team").getByRole("combobox")).toHaveValue("member");
  await expect(page.getByLabel("New people from HighLevel join as")).toHaveValue("viewer");
  await screenshot(page, "settings-team");

  const colleague = (await team.locator("tbody tr").nth(1).locator("td").first().textContent())!.trim();
  await team.getByRole("button", { name: `Remove ${colleague}` }).click();
  const removed = page.getByTestId("team-removed");
  await expect(removed).toContainText(colleague);
  await expect(page.getByTestId("team").locator("tbody tr")).toHaveCount(1);
  await screenshot(page, "settings-removed");
  await removed.getByRole("button", { name: `Let back in ${colleague}` }).click();
  await expect(page.getByTestId("team").locator("tbody tr")).toHaveCount(2);
  // Back with the role they had; the next test needs them as a viewer.
  const back = page.getByTestId("team").getByRole("combobox");
  await expect(back).toHaveValue("member");
  await back.selectOption("viewer");
  await Promise.all([
    page.waitForResponse((answer) => answer.url().endsWith("/api/team/set-role")),
    page.getByTestId("team").getByRole("button", { name: "Save" }).click(),
  ]);
  await expect(page.getByTestId("team").getByRole("combobox")).toHaveValue("viewer");
});

test("a viewer sees no write controls and a forged write is refused", async ({ page, allowHttpError }) => {
  const { locationName } = await signIn(page, 1);
  await expect(page.getByTestId("account")).toContainText(`${locationName} · Viewer`);
  await page.goto("/connections");
  await expect(page.getByTestId("connection")).toBeVisible();
  await expect(page.getByRole("button", { name: "Disconnect" })).toHaveCount(0);
  await page.goto("/settings");
  await expect(page.getByTestId("team")).toBeVisible();
  await expect(page.getByTestId("team").getByRole("combobox")).toHaveCount(0);
  // The same request a write control would send, made by hand.
  allowHttpError(403, /^\/api\/highlevel\/call$/);
  const forged = await page.request.post("/api/highlevel/call", {
    data: { operation_id: "create-contact", params: [], body: JSON.stringify({ firstName: "Forged" }) },
  });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toContain("cannot do this");
});

test("an owner disconnects, and a bad token is refused next to the field", async ({ page }) => {
  await signIn(page, 0);
  await page.goto("/connections");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Disconnect" }).click();
  const empty = page.getByTestId("not-connected");
  await expect(empty).toContainText("HighLevel is not connected");
  await empty.getByLabel("Private Integration Token").fill("pit-not-a-real-token");
  await empty.getByRole("button", { name: "Check and connect" }).click();
  await expect(empty.getByRole("alert")).toContainText("HighLevel did not accept this token. Check that you copied all of it");
  await screenshot(page, "connections-empty");
});

test("a refused sign-in says what happened", async ({ page }) => {
  await page.goto("/signin?problem=refused");
  await expect(page.getByTestId("signin-problem")).toContainText("did not give Switchboard access");
});
