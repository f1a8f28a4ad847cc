// What every page does without wasm: the bell fetches and reads its alerts
// when opened, the report filters reload the page with the chosen filter,
// the reports' tables sort, and a page without islands is marked ready
// (islands mark their own page).
(() => {
  const encode = (value) => encodeURIComponent(value);

  // An element with its class and text; text goes in as text, never as markup.
  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  // One alert as the bell lists it.
  const alertItem = (alert) => {
    const item = element("li", alert.unread ? "bell-item unread" : "bell-item");
    const head = element("div", "bell-item-head");
    head.append(element("strong", "", alert.title));
    if (alert.personal) head.append(element("span", "pill pill-muted", "For you"));
    item.append(head);
    if (alert.body) item.append(element("p", "bell-body", alert.body));
    const meta = element("div", "bell-meta muted");
    meta.append(element("span", "", alert.when));
    if (alert.run_id !== null) {
      const run = element("a", "", "Open the run");
      run.href = `/automations/runs/${alert.run_id}`;
      meta.append(run);
    }
    item.append(meta);
    return item;
  };

  const post = (endpoint, body) =>
    fetch(`/api/${endpoint}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
    }).then((answer) => (answer.ok ? answer.json() : Promise.reject(answer.status)));

  // The bell fetches its alerts each time it opens, then reads them up to
  // the newest it showed.
  document.addEventListener("toggle", (event) => {
    const bell = event.target;
    if (!(bell instanceof HTMLDetailsElement) || !bell.matches("[data-bell]") || !bell.open) return;
    const status = bell.querySelector("[data-bell-status]");
    const list = bell.querySelector(".bell-list");
    post("alerts/bell", "")
      .then(({ recent }) => {
        list.replaceChildren(...recent.map(alertItem));
        list.hidden = recent.length === 0;
        status.hidden = recent.length > 0;
        status.textContent = "No alerts yet. An automation’s “Alert the team” step puts them here.";
        if (recent.length === 0) return;
        return post("alerts/read", `newest=${encode(recent[0].id)}`).then(() =>
          bell.querySelector(".bell-count")?.remove(),
        );
      })
      .catch((code) => {
        status.hidden = false;
        status.textContent =
          code === 401
            ? "Sign in to see your team’s alerts."
            : "The alerts could not be loaded. Close the bell and open it again.";
      });
  }, true);

  document.addEventListener("change", (event) => {
    const select = event.target;
    const form = select instanceof HTMLSelectElement && select.closest("form[data-report-filters]");
    if (!form) return;
    // Another team has other tags and people: its filter starts afresh.
    if (select.name === "location") {
      for (const name of ["tag", "assignee"]) {
        if (form.elements[name]) form.elements[name].value = "";
      }
    }
    const query = [...form.querySelectorAll("select")]
      .filter((field) => field.value !== "")
      .map((field) => `${field.name}=${encode(field.value)}`)
      .join("&");
    window.location.assign(`${form.getAttribute("action")}?${query}`);
  });

  // The reports' tables: a click on a column's header sorts by it, a
  // second click the other way round.
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("button[data-sort-column]");
    if (!button) return;
    const header = button.closest("th");
    const table = button.closest("table");
    const column = Number(button.dataset.sortColumn);
    const was = header.getAttribute("aria-sort");
    const descending = was === "none" ? button.dataset.sortFirst === "descending" : was === "ascending";
    for (const other of table.querySelectorAll("thead th")) {
      other.setAttribute("aria-sort", "none");
      other.querySelector(".report-sort-mark").textContent = "↕";
    }
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    button.querySelector(".report-sort-mark").textContent = descending ? "▼" : "▲";
    const key = (row) => {
      const cell = row.cells[column];
      return "sortNumber" in cell.dataset ? Number(cell.dataset.sortNumber) : cell.dataset.sort;
    };
    const body = table.tBodies[0];
    const rows = [...body.rows].sort((a, b) => {
      const order = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
      return descending ? -order : order;
    });
    body.append(...rows);
  });

  document.addEventListener("DOMContentLoaded", () => {
    const shell = document.querySelector(".app-shell");
    if (shell && !document.querySelector("leptos-island")) shell.setAttribute("data-hydrated", "true");
  });
})();
