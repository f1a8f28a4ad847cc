import { test, expect, screenshot } from "./fixtures";
import type { Locator, Page } from "@playwright/test";

// Signs in to the third demo location as its owner (user 0), so the
// connections made here are the only ones of that team.
async function signInAsOwner(page: Page) {
  const locations: Array<{ id: string; name: string }> = await (
    await page.request.get("/sandbox/_sandbox/locations")
  ).json();
  const target = locations[2] ?? locations[1];
  await page.goto("/signin");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
  await expect(page.getByRole("heading", { name: "Choose a location" })).toBeVisible();
  const location = page.locator("form", { has: page.getByRole("button", { name: target.name }) });
  await location.getByLabel("User").selectOption({ index: 0 });
  await location.getByRole("button").click();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

async function connectClubworx(page: Page): Promise<{ url: string; secret: string }> {
  await page.goto("/apps");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByTestId("connect-app").getByRole("button", { name: /Clubworx/ }).click();
  const form = page.getByTestId("connect-form");
  await form.getByLabel("Name of this connection").fill("Clubworx, mapping");
  await form.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByTestId("app-created")).toContainText("Connected");
  const url = (await page.getByTestId("created-url").textContent())!.trim();
  const secret = (await page.getByTestId("created-secret").textContent())!.trim();
  await page.getByTestId("app-created").getByRole("link", { name: "Open the connection" }).click();
  await expect(page.getByTestId("app-connection")).toContainText("Clubworx, mapping");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  return { url, secret };
}

/** The row of the mapping that fills `target`. */
function ruleFor(page: Page, target: string): Locator {
  return page.locator(`[data-testid="mapping-rule"][data-target="${target}"]`);
}

async function sampleValue(page: Page, path: string): Promise<string> {
  const field = page.locator(`[data-testid="sample-field"][data-path="${path}"] span`);
  await expect(field).toHaveCount(1);
  return (await field.innerText()).trim();
}

test("a gym owner maps a received Clubworx member to a HighLevel contact, with a live preview, problems next to their field and versions", async ({
  page,
}) => {
  await signInAsOwner(page);
  const { url, secret } = await connectClubworx(page);

  // The Clubworx event types are listed with their starting mappings.
  const types = page.getByTestId("mappable-type");
  await expect(types.filter({ hasText: "member.created" })).toContainText("Starting mapping");
  await expect(types.filter({ hasText: "member.created" })).toContainText("the app's example");

  // A member arrives live from the simulated Clubworx, and becomes the sample.
  await page.getByTestId("listen").click();
  const sent = await page.request.post("/sandbox/_sandbox/apps/clubworx/send", {
    data: {
      url,
      eventType: "member.created",
      count: 1,
      signing: { mode: "hmac_sha256", header: "X-Clubworx-Signature", secret, encoding: "hex", prefix: "" },
    },
  });
  expect(sent.ok()).toBeTruthy();
  const row = page.getByTestId("incoming-request").first();
  await expect(row).toContainText("New");
  await row.getByTestId("use-as-sample").click();
  await expect(page.getByTestId("sample-picked")).toContainText("member.created");
  await expect(types.filter({ hasText: "member.created" })).toContainText("a received request");
  await screenshot(page, "app-connection-mappings");
  await page.getByTestId("sample-picked").getByRole("link", { name: "Map it" }).click();

  const builder = page.getByTestId("mapping-builder");
  await expect(builder).toBeVisible();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("mapping-event")).toHaveText("A member is added");
  await expect(builder).toContainText("The request received");

  const fullName = await sampleValue(page, "data.member.name");
  const email = await sampleValue(page, "data.member.email");
  const memberId = await sampleValue(page, "data.member.id");
  const [first, last] = fullName.split(" ");
  const requests = page.getByTestId("mapping-requests");
  // The starting mapping already reads the received member; its AU mobile
  // is sent in E.164.
  await expect(requests).toContainText(`"email": "${email.toLowerCase()}"`);
  await expect(requests).toContainText(/"phone": "\+614\d{8}"/);
  await expect(page.getByTestId("mapping-hint")).toHaveText("No problems: ready to save.");

  // Opened directly (a reload), the builder hydrates and checks the mapping again.
  await page.reload();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("mapping-hint")).toHaveText("No problems: ready to save.");
  await expect(requests).toContainText(`"email": "${email.toLowerCase()}"`);

  // Names split from the full name; the preview follows each keystroke.
  const firstName = ruleFor(page, "contact.firstName");
  await firstName.getByTestId("rule-expression").fill("{{ data.member.name | first_name }}");
  await expect(firstName.getByTestId("rule-value")).toHaveText(`→ ${first}`);
  await firstName.getByTestId("rule-expression").fill("{{ data.member.name | first_name | upper }}");
  await expect(requests).toContainText(`"firstName": "${first.toUpperCase()}"`);
  await ruleFor(page, "contact.lastName").getByTestId("rule-expression").fill("{{ data.member.name | last_name }}");
  await expect(requests).toContainText(`"lastName": "${last}"`);

  // A wrong expression is refused next to its field, and blocks the save.
  const emailRule = ruleFor(page, "contact.email");
  await emailRule.getByTestId("rule-expression").fill("{{ data.member.email | lower");
  await expect(emailRule.getByTestId("rule-problem")).toContainText("Line 1, column");
  await expect(page.getByTestId("save-mapping")).toBeDisabled();
  await expect(page.getByTestId("mapping-hint")).toContainText("Fix the");
  await emailRule.getByTestId("rule-expression").fill("{{ data.member.email | trim | lower }}");
  await expect(emailRule.getByTestId("rule-problem")).toHaveCount(0);

  // A custom field of the location, filled by clicking a field of the sample.
  await page.getByTestId("add-rule").click();
  const custom = page.getByTestId("mapping-rule").last();
  await custom.getByTestId("rule-target").selectOption({ label: "Referral Code" });
  await page.locator('[data-testid="sample-field"][data-path="data.member.id"]').click();
  await expect(custom.getByTestId("rule-expression")).toHaveValue("{{ data.member.id }}");
  await expect(custom.getByTestId("rule-value")).toHaveText(`→ ${memberId}`);
  await expect(requests).toContainText(`"field_value": "${memberId}"`);

  // A tag from a lookup table: their "Active" is our "member".
  const tags = ruleFor(page, "contact.tags");
  await tags.getByTestId("rule-expression").fill('{{ data.member.status | lookup("status") }}');
  await expect(tags.getByTestId("rule-problem")).toContainText("no lookup table called “status”");
  await page.getByText("Lookup tables").click();
  await page.getByTestId("add-lookup").click();
  const lookup = page.getByTestId("lookup-row").last();
  await lookup.getByLabel("Table").fill("status");
  await lookup.getByLabel("Their value").fill("Active");
  await lookup.getByLabel("Our value").fill("member");
  await expect(tags.getByTestId("rule-value")).toHaveText("→ member");
  await expect(requests).toContainText(/"tags": \[\s*"member"\s*\]/);
  await screenshot(page, "app-mapping");

  // Saved as version 1; a change saves version 2; restoring 1 saves it as 3.
  await page.getByTestId("save-mapping").click();
  await expect(page.getByTestId("mapping-saved")).toHaveText("Saved as version 1.");
  await expect(page.getByTestId("mapping-version")).toHaveCount(1);
  await ruleFor(page, "contact.firstName").getByTestId("rule-expression").fill("{{ data.member.first_name }}");
  await expect(requests).toContainText(`"firstName": "${first}"`);
  await page.getByTestId("save-mapping").click();
  await expect(page.getByTestId("mapping-saved")).toHaveText("Saved as version 2.");
  await expect(page.getByTestId("mapping-version")).toHaveCount(2);
  await page.getByTestId("mapping-version").filter({ hasText: "Version 1" }).getByTestId("restore-version").click();
  await expect(page.getByTestId("mapping-version")).toHaveCount(3);
  await expect(ruleFor(page, "contact.firstName").getByTestId("rule-expression")).toHaveValue(
    "{{ data.member.name | first_name | upper }}",
  );
  await expect(requests).toContainText(`"firstName": "${first.toUpperCase()}"`);

  // The connection page shows the saved version.
  await page.getByRole("link", { name: "← Clubworx, mapping" }).click();
  await expect(types.filter({ hasText: "member.created" })).toContainText("Version 3");

  // The other way: the body Switchboard sends Clubworx for a contact, built
  // from the team's newest synced contact, with paths typed freely.
  await page.getByTestId("sent-mappings").getByTestId("mappable-type").filter({ hasText: "contact" }).getByRole("link").click();
  await expect(page.getByTestId("mapping-builder")).toContainText("Fields the app gets");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  const contactEmail = await sampleValue(page, "email");
  await page.getByTestId("add-rule").click();
  const nested = page.getByTestId("mapping-rule").last();
  await nested.getByTestId("rule-target").fill("member.contact.email");
  await page.locator('[data-testid="sample-field"][data-path="email"]').click();
  await expect(nested.getByTestId("rule-expression")).toHaveValue("{{ email }}");
  await expect(requests).toContainText(/"member": \{\s*"contact": \{\s*"email": "/);
  await expect(requests).toContainText(contactEmail);
  await nested.getByTestId("rule-target").fill("member contact");
  await expect(nested.getByTestId("rule-problem")).toContainText("joined by dots");
  await nested.getByTestId("rule-target").fill("member.contact.email");
  await page.getByTestId("save-mapping").click();
  await expect(page.getByTestId("mapping-saved")).toHaveText("Saved as version 1.");
  await expect(page.getByTestId("mapping-hint")).toHaveText("No problems: ready to save.");
  await screenshot(page, "app-mapping-send");
  await page.goBack();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goBack();
  await expect(page.getByTestId("mapping-builder")).toBeVisible();
  await screenshot(page, "app-mapping-phone");
  await ruleFor(page, "contact.firstName").scrollIntoViewIfNeeded();
  await page.screenshot({ path: "screenshots/app-mapping-phone-rules.png" });
});
