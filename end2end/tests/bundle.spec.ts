import { test, expect, openHydrated } from "./fixtures";
import type { Page } from "@playwright/test";

// Only islands run in the browser, and a page's island is lazy
// (`#[island(lazy)]`, `cargo leptos --split`): its code is a wasm file named
// after it, `split_<page>_loader…`. The dashboard, the reports and the
// appointments have no island (the filter bar, the sortable tables and the
// bell are plain HTML with the page's inline script): they load no bundle.

/** Records the bundle files (/pkg/*.wasm and *.js) the page fetches from now on. */
function recordBundle(page: Page, extension = ".wasm") {
  const fetched: string[] = [];
  page.on("response", (response) => {
    const { pathname } = new URL(response.url());
    if (pathname.startsWith("/pkg/") && pathname.endsWith(extension)) fetched.push(pathname.slice("/pkg/".length));
  });
  return fetched;
}

const pageChunks = (files: string[]) => files.filter((file) => file.startsWith("split_"));

test("the report pages load no bundle, and a page's island comes with that page", async ({ page }) => {
  const fetched = recordBundle(page);
  const scripts = recordBundle(page, ".js");
  for (const path of ["/reports", "/appointments", "/"]) {
    await openHydrated(page, path);
    await page.waitForLoadState("networkidle");
  }
  expect(fetched).toEqual([]);
  expect(scripts).toEqual([]);

  // Signed out, the tasks page asks to sign in (without failing requests).
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tasks" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Tasks");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await expect.poll(() => pageChunks(fetched)).toEqual([expect.stringMatching(/^split_tasks_page_loader_/)]);
  expect(fetched.filter((file) => /^switchboard\.[^.]+\.wasm$/.test(file))).toHaveLength(1);
  expect(fetched.filter((file) => /automation_builder|mapping_builder/.test(file))).toEqual([]);
});

test("a page opened first fetches its own chunk and no other page's", async ({ page }) => {
  const fetched = recordBundle(page);
  await openHydrated(page, "/automations/templates");
  await page.waitForLoadState("networkidle");
  expect(pageChunks(fetched)).toEqual([expect.stringMatching(/^split_recipes_page_loader_/)]);
});

test("the bundle's files have hashed names, are cached for good and sent compressed", async ({ page }) => {
  await openHydrated(page, "/tasks");
  const bundle = [
    await page.locator('link[rel="stylesheet"]').first().getAttribute("href"),
    await page.locator('link[rel="preload"][type="application/wasm"]').first().getAttribute("href"),
    await page.locator('link[rel="modulepreload"]').first().getAttribute("href"),
  ];
  for (const href of bundle) {
    expect(href).toMatch(/^\/pkg\/[^/]+\.[A-Za-z0-9_-]{22}\.(css|wasm|js)$/);
    const response = await page.request.get(href!, { headers: { "Accept-Encoding": "br, gzip" } });
    expect(response.status()).toBe(200);
    expect(response.headers()["cache-control"]).toContain("immutable");
    expect(response.headers()["content-encoding"]).toMatch(/^(br|gzip)$/);
    expect(response.headers()["vary"]).toMatch(/accept-encoding/i);
  }
});
