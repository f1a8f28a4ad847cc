import { test, expect, screenshot } from "./fixtures";
import type { Page } from "@playwright/test";

// This file signs in to the second demo location as its owner (user 0).
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
}

test("a gym owner connects Clubworx, sends a sample event from it and sees it arrive live", async ({ page, allowHttpError }) => {
  await signInAsOwner(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Apps" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Apps");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await screenshot(page, "apps-empty");

  const connect = page.getByTestId("connect-app");
  await connect.getByRole("button", { name: /Clubworx/ }).click();
  const form = page.getByTestId("connect-form");
  await expect(form.getByLabel("Name of this connection")).toHaveValue("Clubworx");
  await expect(form.getByLabel("Header")).toHaveValue("X-Clubworx-Signature");
  // A header name with a space is refused next to its field.
  await form.getByLabel("Header").fill("not a header");
  allowHttpError(400, /^\/api\/apps\/connect$/);
  await form.getByRole("button", { name: "Connect" }).click();
  await expect(form.getByRole("alert")).toContainText("name of the header");
  await form.getByLabel("Header").fill("X-Clubworx-Signature");
  await form.getByLabel("Name of this connection").fill("Clubworx, main club");
  await screenshot(page, "apps-connect");
  await form.getByRole("button", { name: "Connect" }).click();

  const created = page.getByTestId("app-created");
  await expect(created).toContainText("Connected");
  const url = (await page.getByTestId("created-url").textContent())!.trim();
  const secret = (await page.getByTestId("created-secret").textContent())!.trim();
  expect(url).toMatch(/\/hooks\/[A-Za-z0-9_-]{32}$/);
  expect(secret.length).toBeGreaterThan(30);
  await expect(page.getByTestId("app-card")).toContainText("Clubworx, main club");
  await screenshot(page, "apps-connected");

  await created.getByRole("link", { name: "Open the connection" }).click();
  await expect(page.getByTestId("app-connection")).toContainText("Clubworx, main club");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("incoming-empty")).toBeVisible();
  await page.getByTestId("listen").click();
  await expect(page.getByTestId("incoming").getByRole("status")).toContainText("Listening");

  // The simulated Clubworx sends a member, signed as the form says.
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
  await expect(row).toContainText("member.created");
  await expect(row).toContainText("Received");
  await expect(row).toContainText("New");
  await row.getByRole("button", { name: "View body" }).click();
  await expect(page.getByTestId("incoming-body")).toContainText('"event": "member.created"');
  await screenshot(page, "app-connection");

  // A forged request is refused, kept, and shown with its reason.
  const forged = await page.request.post(url, { data: { event: "member.created" } });
  expect(forged.status()).toBe(401);
  await expect(page.locator('[data-testid="incoming-request"][data-status="refused"]')).toContainText("no signature header");

  // Deliveries never go to this machine or a private network.
  await page.getByTestId("listen").click();
  const outbound = page.getByTestId("outbound-form");
  await outbound.getByLabel("Base URL").fill("http://127.0.0.1:9/hook");
  allowHttpError(400, /^\/api\/apps\/outbound\/save$/);
  await outbound.getByRole("button", { name: "Save" }).click();
  await expect(outbound.getByRole("alert")).toContainText("SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE");
  // What was typed stays, to be corrected.
  await expect(outbound.getByLabel("Base URL")).toHaveValue("http://127.0.0.1:9/hook");
  await screenshot(page, "app-connection-outbound");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "app-connection-phone");
});
