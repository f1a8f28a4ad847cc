import { test, expect, openHydrated } from "./fixtures";
import type { Page } from "@playwright/test";

// Only islands run in the browser, and a page's island is lazy
// (`#[island(lazy)]`, `cargo leptos --split`): its code is a wasm file named
// after it, `split_<page>_loader…`. The dashboard's islands (the filter bar
// and the bell) are in the main file.

/** Records the bundle files (/pkg/*.wasm) the page fetches from now on. */
function recordWasm(page: Page) {
  const fetched: string[] = [];
  page.on("response", (response) => {
    const { pathname } = new URL(response.url());
    if (pathname.startsWith("/pkg/") && pathname.endsWith(".wasm")) fetched.push(pathname.slice("/pkg/".length));
  });
  return fetched;
}

const pageChunks = (files: string[]) => files.filter((file) => file.startsWith("split_"));

test("the dashboard loads only the main wasm, and another page's island comes with that page", async ({ page }) => {
  const fetched = recordWasm(page);
  await openHydrated(page, "/");
  await page.waitForLoadState("networkidle");
  expect(fetched.filter((file) => /^switchboard\.[^.]+\.wasm$/.test(file))).toHaveLength(1);
  // No other page's code: not the automation builder's, nor the mapping builder's, nor any.
  expect(fetched.filter((file) => /automation_builder|mapping_builder/.test(file))).toEqual([]);
  expect(pageChunks(fetched)).toEqual([]);

  // Signed out, the tasks page asks to sign in (without failing requests).
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tasks" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Tasks");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await expect.poll(() => pageChunks(fetched)).toEqual([expect.stringMatching(/^split_tasks_page_loader_/)]);
  expect(fetched.filter((file) => /automation_builder|mapping_builder/.test(file))).toEqual([]);
});

test("a page opened first fetches its own chunk and no other page's", async ({ page }) => {
  const fetched = recordWasm(page);
  await openHydrated(page, "/automations/templates");
  await page.waitForLoadState("networkidle");
  expect(pageChunks(fetched)).toEqual([expect.stringMatching(/^split_recipes_page_loader_/)]);
});

test("the bundle's files have hashed names, are cached for good and sent compressed", async ({ page }) => {
  await openHydrated(page, "/");
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
