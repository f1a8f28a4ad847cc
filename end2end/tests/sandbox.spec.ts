import { test, expect, openHydrated, screenshot } from "./fixtures";

test("a banner says the app is running against the sandbox", async ({ page }) => {
  await openHydrated(page, "/");
  await expect(page.getByTestId("sandbox-banner")).toContainText("Sandbox mode");
});

test("the sandbox HighLevel is served inside the app", async ({ request }) => {
  const locations = await (await request.get("/sandbox/_sandbox/locations")).json();
  expect(locations.length).toBeGreaterThan(0);
  expect(locations[0].id).toBeTruthy();
  // The simulated API behaves like HighLevel: no token, no data.
  const anonymous = await request.get(`/sandbox/contacts/?locationId=${locations[0].id}`, {
    headers: { Version: "2021-07-28" },
  });
  expect(anonymous.status()).toBe(401);
});

test("the sandbox consent page lists the demo locations and returns a code", async ({ page, baseURL, request }) => {
  const locations: Array<{ id: string; name: string }> = await (
    await request.get("/sandbox/_sandbox/locations")
  ).json();
  const query = new URLSearchParams({
    response_type: "code",
    client_id: "sandbox-client-id",
    redirect_uri: `${baseURL}/auth/callback`,
    scope: "contacts.readonly users.readonly",
    state: "state-123",
  });
  // Like HighLevel, it answers only the callback registered for the app.
  const elsewhere = new URLSearchParams(query);
  elsewhere.set("redirect_uri", "https://elsewhere.example/steal");
  const refused = await request.get(`/sandbox/v2/oauth/chooselocation?${elsewhere}`);
  expect(refused.status()).toBe(400);
  await page.goto(`/sandbox/v2/oauth/chooselocation?${query}`);
  await expect(page.getByText("contacts.readonly")).toBeVisible();
  for (const location of locations) {
    await expect(page.getByRole("button", { name: location.name })).toBeVisible();
  }
  await screenshot(page, "sandbox-consent");
  const callback = page.waitForRequest(/\/auth\/callback\?code=[^&]+&state=state-123$/);
  await page.getByRole("button", { name: locations[0].name }).click();
  await callback;
});
