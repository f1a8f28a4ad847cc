// What every page does without wasm: the bell reads its alerts when opened,
// the report filters reload the page with the chosen filter, the reports'
// tables sort, and a page without islands is marked ready (islands mark
// their own page).
(() => {
  const encode = (value) => encodeURIComponent(value);

  document.addEventListener("toggle", (event) => {
    const bell = event.target;
    if (!(bell instanceof HTMLDetailsElement) || !bell.matches("[data-bell]") || !bell.open) return;
    const newest = bell.querySelector("[data-newest]");
    const count = bell.querySelector(".bell-count");
    if (!newest || !count) return;
    fetch("/api/alerts/read", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `newest=${encode(newest.dataset.newest)}`,
    }).then((answer) => answer.ok && count.remove());
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
