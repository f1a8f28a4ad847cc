import { test as base, expect, type Page } from "@playwright/test";

/**
 * A `page` that fails the test on any console error, uncaught page error, or
 * 4xx/5xx response, unless the test declared that status for that path with
 * `allowHttpError`.
 */
type Guard = {
  allowHttpError: (status: number, pathPattern: RegExp) => void;
};

export const test = base.extend<Guard & { page: Page }>({
  allowHttpError: async ({}, use, testInfo) => {
    const allowed: Array<{ status: number; pathPattern: RegExp }> = [];
    (testInfo as unknown as { allowed: typeof allowed }).allowed = allowed;
    await use((status, pathPattern) => allowed.push({ status, pathPattern }));
  },
  page: async ({ page, allowHttpError: _ }, use, testInfo) => {
    const allowed = (testInfo as unknown as { allowed: Array<{ status: number; pathPattern: RegExp }> })
      .allowed;
    const problems: string[] = [];
    const isAllowed = (status: number, url: string) =>
      allowed.some((rule) => rule.status === status && rule.pathPattern.test(new URL(url).pathname));
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      // Chromium reports every failed response on the console as well; those
      // are judged by status below.
      const failedResource = message.text().startsWith("Failed to load resource");
      if (failedResource && isAllowed(Number(/status of (\d+)/.exec(message.text())?.[1]), message.location().url))
        return;
      problems.push(`console error: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("response", (response) => {
      const status = response.status();
      if (status >= 400 && !isAllowed(status, response.url())) {
        problems.push(`HTTP ${status} for ${response.url()}`);
      }
    });
    await use(page);
    expect(problems, "unexpected errors while the test ran").toEqual([]);
  },
});

export { expect };

/** Opens `path` and waits until the wasm bundle has hydrated the page. */
export async function openHydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

/** Saves a full-page screenshot for people to review. From the top: the
 * sidebar is sticky, and a page scrolled down would show it mid-page. */
export async function screenshot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });
}

/** Signs in as the third demo location's owner with changes allowed in
 * HighLevel: an earlier test may have disconnected the team, so the button
 * may connect it anew. */
export async function signInWithChanges(page: Page) {
  const locations: Array<{ name: string }> = await (await page.request.get("/sandbox/_sandbox/locations")).json();
  const target = locations[2] ?? locations[1];
  const choose = async () => {
    await expect(page.getByRole("heading", { name: "Choose a location" })).toBeVisible();
    const location = page.locator("form", { has: page.getByRole("button", { name: target.name }) });
    await location.getByLabel("User").selectOption({ index: 0 });
    await location.getByRole("button").click();
    await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  };
  await openHydrated(page, "/signin");
  await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
  await choose();
  await openHydrated(page, "/connections");
  await page.getByLabel("Let Switchboard make changes in HighLevel").check();
  await page.getByRole("button", { name: /Replace with my HighLevel sign-in|Reconnect with HighLevel|Connect with HighLevel/ }).click();
  await choose();
}

