// CSV export: pick the columns, download every row matching the table's location, filters and sort.

import { filenameOf, request } from "./api.js";
import { fill, h } from "./dom.js";

export function openCsvDialog(report, query, session) {
  const dialog = document.getElementById("csv-dialog");
  const columns = [...report.columns.map((c) => [c.key, c.label]), ...(report.csvOnly || []).map((k) => [k, k])];
  const boxes = columns.map(([key, label]) => h("input", { type: "checkbox", id: `csv-${key}`, value: key, checked: true }));
  const status = h("p", { class: "dialog-status", role: "status" });
  const download = async (event) => {
    event.preventDefault();
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!chosen.length) { status.textContent = "Choose at least one column."; return; }
    status.textContent = "Preparing the file…";
    try {
      const response = await request("reports", report.path, { params: { ...query, format: "csv", columns: chosen.join(",") } });
      save(await response.blob(), filenameOf(response, "report.csv"));
      dialog.close();
    } catch (error) {
      status.textContent = error.message;
    }
  };
  fill(dialog, h("form", { method: "dialog", onsubmit: download },
    h("h2", {}, `Export ${report.title} as CSV`),
    h("p", { class: "muted" }, "Every row matching the current locations, search, filters and sort; columns in this order."),
    h("fieldset", { class: "columns" }, h("legend", {}, "Columns"),
      columns.map(([key, label], i) => h("div", { class: "check" }, boxes[i], h("label", { for: `csv-${key}` }, label, " ", h("code", {}, key))))),
    h("div", { class: "select-all" },
      h("button", { type: "button", class: "link", onclick: () => boxes.forEach((b) => { b.checked = true; }) }, "Select all"),
      h("button", { type: "button", class: "link", onclick: () => boxes.forEach((b) => { b.checked = false; }) }, "Select none")),
    status,
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, "Cancel"),
      h("button", { type: "submit" }, "Download CSV"))));
  dialog.showModal();
  session.clearBanner();
}

function save(blob, filename) {
  const link = h("a", { href: URL.createObjectURL(blob), download: filename, hidden: true });
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}
