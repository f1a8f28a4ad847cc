import { test, expect, screenshot } from "./fixtures";
import type { Page } from "@playwright/test";

// The team of the second demo location is shared with other files; its
// first person is the owner. Plain sign-in does not change the team's
// connection, so write access is given the way an owner does it: on the
// Connections page.
async function signIn(page: Page, userIndex: number, write: boolean) {
  await page.goto("/");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("link", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in");
  await page.getByRole("button", { name: "Sign in with HighLevel" }).click();
  await consent(page, userIndex);
  if (!write) return;
  await page.goto("/connections");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Let Switchboard make changes in HighLevel").check();
  await page.getByRole("button", { name: /Replace with my HighLevel sign-in|Reconnect with HighLevel/ }).click();
  await consent(page, userIndex);
}

/** Picks the second demo location and the user at `userIndex` on the consent page. */
async function consent(page: Page, userIndex: number) {
  await expect(page.getByRole("heading", { name: "Choose a location" })).toBeVisible();
  const locations: Array<{ name: string }> = await (await page.request.get("/sandbox/_sandbox/locations")).json();
  const location = page.locator("form", { has: page.getByRole("button", { name: locations[1].name }) });
  await location.getByLabel("User").selectOption({ index: userIndex });
  await location.getByRole("button").click();
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

/** Opens `path` once the sync has put contacts in the cache. */
async function openWithContacts(page: Page, path = "/contacts") {
  await expect(async () => {
    await page.goto(path);
    await expect(page.getByTestId("contact-row").first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 120_000 });
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

/** The dashboard's count of open tasks, read once the first sync has finished. */
async function openTasksOnDashboard(page: Page): Promise<number> {
  await expect(async () => {
    await page.goto("/");
    await expect(page.getByTestId("last-synced")).toContainText("last synced", { timeout: 1_000 });
  }).toPass({ timeout: 150_000, intervals: [2_000] });
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  const shown = await page.getByTestId("kpi-tasks-value").innerText();
  return Number(shown.replace(/[^0-9]/g, ""));
}

async function hydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
}

type LedgerEntry = { method: string; path: string; status: number; body: unknown };

async function ledger(page: Page): Promise<LedgerEntry[]> {
  const answer = await (await page.request.get("/sandbox/_sandbox/ledger")).json();
  return answer.entries;
}

async function phone(page: Page, name: string) {
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, name);
  if (desktop) await page.setViewportSize(desktop);
}

test("the contact list filters by tag and exports exactly what it shows", async ({ page }) => {
  await signIn(page, 0, true);
  await openWithContacts(page);
  await screenshot(page, "workspace-contacts");
  await phone(page, "workspace-contacts-phone");

  // The tag filter offers the tags the first sync counted once it is done.
  let tags: string[] = [];
  await expect(async () => {
    await page.reload();
    tags = (await page.locator("#tag option").allTextContents()).filter((tag) => tag !== "Any tag");
    expect(tags.length).toBeGreaterThan(0);
  }).toPass({ timeout: 120_000 });
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  const tag = tags[0];
  await page.locator("#tag").selectOption(tag);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`tag=${encodeURIComponent(tag)}`));
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  const rows = page.getByTestId("contact-row");
  await expect(rows.first()).toBeVisible();
  for (const row of await rows.all()) {
    await expect(row.locator(".ws-tag", { hasText: tag }).first()).toBeVisible();
  }
  const shown = Number((await page.getByTestId("contact-count").textContent())!.replace(/[^0-9]/g, ""));
  expect(shown).toBeGreaterThan(0);

  const href = await page.getByTestId("export-csv").getAttribute("href");
  expect(href).toContain(`tag=${encodeURIComponent(tag)}`);
  const csv = await page.request.get(href!);
  expect(csv.status()).toBe(200);
  const lines = (await csv.text()).trim().split("\n");
  expect(lines[0]).toContain("Name,Email,Phone");
  expect(lines.length - 1).toBe(shown);
  for (const line of lines.slice(1)) expect(line).toContain(tag);
  await screenshot(page, "workspace-contacts-filtered");

  await page.getByLabel("Search").fill("zzzz-nobody");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("empty-state")).toContainText("No contacts match this filter");
  await screenshot(page, "workspace-contacts-empty");
});

test("a tag reaches every contact the filter matches, beyond the page shown", async ({ page }) => {
  await signIn(page, 0, true);
  await openWithContacts(page);
  // Walk-ins added in HighLevel reach the list through its webhooks, so the
  // team has more contacts than one page holds.
  const locations: Array<{ id: string }> = await (await page.request.get("/sandbox/_sandbox/locations")).json();
  const locationId = locations[1].id;
  const minted = await page.request.post("/sandbox/_sandbox/tokens", {
    data: { locationId, scopes: ["contacts.write"] },
  });
  const token = (await minted.json()).access_token;
  for (const n of [1, 2, 3]) {
    const created = await page.request.post("/sandbox/contacts/", {
      headers: { Authorization: `Bearer ${token}`, Version: "2021-07-28" },
      data: { locationId, firstName: "Walk-in", lastName: `Visitor ${n}` },
    });
    expect(created.status()).toBe(201);
  }
  const countShown = async () =>
    Number((await page.getByTestId("contact-count").textContent())!.replace(/[^0-9]/g, ""));
  // All three must be in before the total is read, or the server would tag one more.
  // Before the first arrives the list is empty and has no count: look again.
  await expect(async () => {
    await page.goto("/contacts?q=visitor");
    await expect(page.getByTestId("contact-count")).toBeVisible({ timeout: 2_000 });
    expect(await countShown()).toBe(3);
  }).toPass({ timeout: 30_000 });
  await page.goto("/contacts");
  await expect(page.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  const total = await countShown();
  expect(total).toBeGreaterThan(50);

  const bar = page.getByTestId("bulk-tags");
  const pageBox = page.getByLabel("Select every contact on this page");
  await pageBox.check();
  await expect(bar.getByTestId("bulk-count")).toHaveText("50 selected");
  // Each row's box follows the selection, and changes it on its own.
  const rowBoxes = page.getByTestId("contact-row").getByRole("checkbox");
  await expect(rowBoxes).toHaveCount(50);
  for (const box of await rowBoxes.all()) await expect(box).toBeChecked();
  await rowBoxes.first().uncheck();
  await expect(bar.getByTestId("bulk-count")).toHaveText("49 selected");
  await expect(pageBox).not.toBeChecked();
  await rowBoxes.first().check();
  await expect(bar.getByTestId("bulk-count")).toHaveText("50 selected");
  await expect(pageBox).toBeChecked();
  await bar.getByRole("button", { name: `Select all ${total} matching` }).click();
  await expect(bar.getByTestId("bulk-count")).toHaveText(`All ${total} matching contacts selected`);
  await bar.getByLabel("Tag for the selected contacts").fill("Winter Open Day");
  await screenshot(page, "workspace-contacts-bulk");
  await bar.getByRole("button", { name: "Add tag" }).click();
  await expect(bar.getByRole("status")).toHaveText(`Done: ${total} contacts changed.`);
  // The list the browser fetched again shows the new tag on its rows.
  await expect(page.getByTestId("contact-row").first().locator(".ws-tag", { hasText: /winter open day/i })).toBeVisible();

  const sent = (await ledger(page)).filter((e) => e.method === "POST" && e.path === "/contacts/bulk/tags/update/add");
  const contactsSent = sent.flatMap((e) => (e.body as { contacts: string[] }).contacts);
  expect(contactsSent).toHaveLength(total);
  expect(new Set(contactsSent).size).toBe(total);

  await page.goto(`/contacts?tag=${encodeURIComponent("winter open day")}`);
  expect(await countShown()).toBe(total);
});

test("a task created on a contact's page reaches HighLevel once, is completed in place, and the dashboard counts follow", async ({ page }) => {
  await signIn(page, 0, true);
  await openWithContacts(page);
  const openBefore = await openTasksOnDashboard(page);
  await openWithContacts(page);
  await page.getByTestId("contact-row").first().locator("a.ws-name").click();
  await expect(page.getByTestId("contact-name")).toBeVisible();
  await expect(page).toHaveURL(/\/contacts\/[^/]+$/);
  const contactId = new URL(page.url()).pathname.split("/").pop()!;

  const title = `Call about the winter offer ${Date.now()}`;
  const form = page.getByTestId("new-task-form");
  await form.getByLabel("Title").fill(title);
  // Long overdue, so it leads the task list.
  await form.getByLabel("Due (team time)").fill("2020-01-06T09:00");
  await form.getByRole("button", { name: "Add task" }).click();
  const entry = page.getByTestId("timeline-task").filter({ hasText: title });
  await expect(entry).toBeVisible();
  await expect(entry).toContainText(/overdue/i);

  const created = (await ledger(page)).filter(
    (e) => e.method === "POST" && e.path === `/contacts/${contactId}/tasks` && JSON.stringify(e.body).includes(title),
  );
  expect(created).toHaveLength(1);
  expect(created[0].status).toBeLessThan(300);
  // The team is in San Diego: 09:00 there on 6 January is 17:00 UTC.
  expect((created[0].body as { dueDate?: string }).dueDate).toBe("2020-01-06T17:00:00Z");
  await expect(entry).toContainText("2020-01-06 09:00 PST");
  await screenshot(page, "workspace-contact");
  await phone(page, "workspace-contact-phone");

  expect(await openTasksOnDashboard(page)).toBe(openBefore + 1);

  await hydrated(page, "/tasks");
  const task = page.getByTestId("task").filter({ hasText: title });
  await expect(task).toBeVisible();
  await screenshot(page, "workspace-tasks");
  await phone(page, "workspace-tasks-phone");
  await task.getByRole("button", { name: `Complete ${title}` }).click();
  await expect(page.getByTestId("task").filter({ hasText: title })).toHaveCount(0);
  const completed = (await ledger(page)).filter((e) => e.method === "PUT" && e.path.endsWith("/completed") && e.path.startsWith(`/contacts/${contactId}/tasks/`));
  expect(completed).toHaveLength(1);
  await hydrated(page, "/tasks?who=all&show=done");
  await expect(page.getByTestId("task").filter({ hasText: title })).toBeVisible();
  expect(await openTasksOnDashboard(page)).toBe(openBefore);

  // Long lists come in pages of fifty.
  await hydrated(page, "/tasks");
  await expect(page.getByTestId("task")).toHaveCount(50);
  await expect(page.getByTestId("task-summary")).toContainText("showing 1–50");
  const firstOfPageOne = await page.getByTestId("task").first().getAttribute("data-task-id");
  await page.getByTestId("task-pager").getByRole("link", { name: "Next →" }).click();
  await expect(page).toHaveURL(/page=1/);
  await expect(page.getByTestId("task-pager")).toContainText("Page 2");
  await expect(page.getByTestId("task-summary")).toContainText("showing 51–");
  expect(await page.getByTestId("task").first().getAttribute("data-task-id")).not.toBe(firstOfPageOne);
});

test("appointments show week by week", async ({ page }) => {
  await signIn(page, 0, true);
  await hydrated(page, "/appointments");
  await expect(page.getByTestId("week-heading")).toHaveText("This week");
  await screenshot(page, "workspace-appointments");
  await phone(page, "workspace-appointments-phone");
  await page.getByRole("link", { name: "Later →" }).click();
  await expect(page.getByTestId("week-heading")).toHaveText("Next week");
});

test("a viewer sees no write controls", async ({ page, browser }) => {
  // The colleague joins first, then the owner makes them a viewer.
  await signIn(page, 1, false);
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  await signIn(owner, 0, true);
  await owner.goto("/settings");
  await expect(owner.locator(".app-shell")).toHaveAttribute("data-hydrated", "true");
  const team = owner.getByTestId("team");
  await team.getByRole("combobox").selectOption("viewer");
  await team.getByRole("button", { name: "Save" }).click();
  await expect(team.getByRole("combobox")).toHaveValue("viewer");
  await ownerContext.close();

  await openWithContacts(page);
  await expect(page.getByTestId("account")).toContainText("Viewer");
  await expect(page.getByTestId("bulk-tags")).toHaveCount(0);
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await page.getByTestId("contact-row").first().locator("a.ws-name").click();
  await expect(page.getByTestId("contact-name")).toBeVisible();
  await expect(page.getByTestId("contact-details")).toBeVisible();
  await expect(page.getByRole("button", { name: "Delete contact" })).toHaveCount(0);
  await expect(page.getByTestId("add-card")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Add" })).toHaveCount(0);
  await hydrated(page, "/tasks");
  await expect(page.locator(".ws-checkbox")).toHaveCount(0);
  await screenshot(page, "workspace-tasks-viewer");
});
