// The three staff reports as tables: location scope, filters, search, sort, pages, CSV export.

import { json } from "./api.js";
import { dateInput, day, fill, h, instant, isoDate, moneyCell, toMinor } from "./dom.js";
import { openCsvDialog } from "./csv.js";
import { openMessageDialog } from "./messages.js";

const col = (key, label, kind = "text", extra = {}) => ({ key, label, kind, sortable: true, ...extra });
// The location shows its name (its id until it is registered) and sorts by the name.
const locationCol = () => col("location_id", "Location", "location", { sortKey: "location_name" });

export const REPORTS = {
  "account-balances": {
    title: "Account Balances",
    path: "/v1/reports/account-balances",
    blurb: "Every client account: owed amounts in red, credit in green.",
    defaultSort: "client_id",
    columns: [
      col("full_name", "Client"), col("client_id", "Client ID", "text", { optional: true }),
      locationCol(), col("email", "Email", "text", { optional: true }),
      col("balance_minor", "Balance", "money"), col("currency", "Currency"),
      col("last_activity_at", "Last activity", "instant"),
    ],
    filters: [{ name: "balance", label: "Balance", kind: "segmented", options: [["all", "All"], ["positive", "Positive"], ["negative", "Negative"]], initial: "all" }],
  },
  "clients-with-account-credit": {
    title: "Clients with Account Credit",
    path: "/v1/reports/clients-with-account-credit",
    blurb: "Clients holding unexpired credit on account.",
    defaultSort: "-account_credit_balance_minor",
    columns: [
      col("full_name", "Client"), col("client_id", "Client ID", "text", { optional: true }),
      locationCol(), col("email", "Email", "text", { optional: true }),
      col("phone", "Phone", "text", { optional: true }),
      col("account_credit_balance_minor", "Account credit", "money"), col("currency", "Currency"),
      col("join_date", "Joined", "date"),
    ],
    csvOnly: ["first_name", "last_name"],
    filters: [
      { name: "min_balance_minor", label: "Minimum credit", kind: "money" },
      { name: "joined_from", label: "Joined from", kind: "date" },
      { name: "joined_to", label: "Joined to", kind: "date" },
    ],
  },
  "session-credits-remaining": {
    title: "Session Credits Remaining",
    path: "/v1/reports/session-credits-remaining",
    blurb: "One row per package: credits purchased, adjusted, used and remaining now.",
    defaultSort: "client_id",
    columns: [
      col("full_name", "Client"), col("client_id", "Client ID", "text", { optional: true }),
      locationCol(), col("package_name", "Package"),
      col("credits_purchased", "Purchased", "int"), col("credits_adjusted", "Adjusted", "int"),
      col("credits_used", "Used", "int"), col("credits_remaining", "Remaining", "int"),
      col("starts_on", "Starts", "date"), col("expires_on", "Expires", "date"),
      col("status", "Status", "status"),
    ],
    csvOnly: ["email", "package_id"],
    filters: [
      { name: "from", label: "Valid from", kind: "date" },
      { name: "to", label: "Valid to", kind: "date" },
      { name: "expiring_within_days", label: "Expiring within (days)", kind: "number" },
      { name: "include_expired", label: "Include expired", kind: "checkbox" },
    ],
  },
};

const states = {};

function stateOf(id) {
  const report = REPORTS[id];
  states[id] ??= {
    sort: report.defaultSort, q: "", limit: 50, cursors: [null],
    filters: Object.fromEntries(report.filters.map((f) => [f.name, f.initial ?? ""])),
  };
  return states[id];
}

export function queryOf(id, session) {
  const state = stateOf(id);
  const filters = { ...state.filters };
  if (filters.include_expired === false) delete filters.include_expired;
  if (filters.min_balance_minor) filters.min_balance_minor = toMinor(filters.min_balance_minor, "USD") ?? filters.min_balance_minor;
  return { location: session.chosenLocations(), sort: state.sort, q: state.q, ...filters };
}

export async function renderReport(root, id, session) {
  const report = REPORTS[id];
  const state = stateOf(id);
  const table = h("div", { class: "table-area", "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  fill(root,
    h("div", { class: "report-head" },
      h("div", {}, h("h2", {}, report.title), h("p", { class: "muted" }, report.blurb)),
      h("button", { type: "button", class: "secondary", onclick: () => openCsvDialog(report, queryOf(id, session), session) }, "Export CSV…")),
    filterBar(id, report, state, () => reload(true)),
    table);
  const reload = async (fromStart) => {
    if (fromStart) state.cursors = [null];
    await loadPage(table, id, report, state, session, reload);
  };
  await reload(false);
}

function filterBar(id, report, state, apply) {
  const search = h("input", { type: "search", id: `q-${id}`, name: "q", value: state.q, placeholder: "Name, email or phone" });
  const form = h("form", { class: "filters", role: "search", onsubmit: (e) => { e.preventDefault(); state.q = search.value.trim(); apply(); } },
    h("div", { class: "field" }, h("label", { for: `q-${id}` }, "Search"), search),
    report.filters.map((f) => filterControl(id, f, state, apply)),
    h("div", { class: "field actions" }, h("button", { type: "submit" }, "Apply")));
  let pause;
  search.addEventListener("input", () => {
    clearTimeout(pause);
    pause = setTimeout(() => { state.q = search.value.trim(); apply(); }, 350);
  });
  return form;
}

function filterControl(id, filter, state, apply) {
  const fieldId = `f-${id}-${filter.name}`;
  if (filter.kind === "segmented") {
    return h("fieldset", { class: "segmented" }, h("legend", {}, filter.label),
      filter.options.map(([value, label]) => h("label", {},
        h("input", { type: "radio", name: fieldId, value, checked: state.filters[filter.name] === value,
          onchange: () => { state.filters[filter.name] = value; apply(); } }), h("span", {}, label))));
  }
  if (filter.kind === "checkbox") {
    return h("div", { class: "field check" }, h("input", { type: "checkbox", id: fieldId, checked: !!state.filters[filter.name],
      onchange: (e) => { state.filters[filter.name] = e.target.checked; apply(); } }), h("label", { for: fieldId }, filter.label));
  }
  const hint = h("small", { class: "field-error", id: `${fieldId}-error`, role: "alert" });
  const onchange = (e) => {
    const value = e.target.value.trim();
    const problem = value ? formatProblem(filter, value) : "";
    hint.textContent = problem;
    e.target.toggleAttribute("aria-invalid", !!problem);
    if (problem) return;
    state.filters[filter.name] = value;
    apply();
  };
  const attrs = { id: fieldId, value: state.filters[filter.name] ?? "", onchange, "aria-errormessage": `${fieldId}-error` };
  const input = filter.kind === "date" ? dateInput(attrs)
    : h("input", { ...attrs, type: filter.kind === "number" ? "number" : "text", min: filter.kind === "number" ? "0" : undefined,
      inputmode: filter.kind === "money" ? "decimal" : undefined, placeholder: filter.kind === "money" ? "e.g. 10.00" : undefined });
  return h("div", { class: "field" }, h("label", { for: fieldId }, filter.label), input, hint);
}

/** How the value is written, not whether it is allowed: the reports service judges that. */
function formatProblem(filter, value) {
  if (filter.kind === "date" && !isoDate(value)) return `${filter.label}: write the date as yyyy-mm-dd.`;
  if (filter.kind === "money" && toMinor(value, "USD") === null) return `${filter.label}: write an amount like 10.00.`;
  return "";
}

async function loadPage(target, id, report, state, session, reload) {
  const cursor = state.cursors[state.cursors.length - 1];
  // Filters changed quickly send requests one after the other, and their answers may come back
  // in any order: only the latest request's answer is shown (an older one would put its rows,
  // or clear the newer one's error, over what the staff member asked for last).
  const request = (state.request = (state.request || 0) + 1);
  let page;
  try {
    page = await json("reports", report.path, { params: { ...queryOf(id, session), limit: state.limit, cursor } });
  } catch (error) {
    if (request !== state.request) return;
    fill(target, h("p", { class: "muted" }, "No rows to show."));
    for (const name of error.fields || []) document.getElementById(`f-${id}-${name}`)?.setAttribute("aria-invalid", "true");
    session.fail(error);
    return;
  }
  if (request !== state.request) return;
  session.clearBanner();
  session.learnNames(page.items);
  fill(target,
    h("div", { class: "table-wrap" }, reportTable(report, state, page.items, session, reload)),
    pager(state, page, reload));
}

function reportTable(report, state, rows, session, reload) {
  const withActions = report === REPORTS["account-balances"] && session.isAdmin();
  const head = h("tr", {}, report.columns.map((c) => headerCell(c, state, reload)),
    withActions ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")) : null);
  const body = rows.length
    ? rows.map((row) => h("tr", {}, report.columns.map((c) => cell(c, row, session)), withActions ? h("td", {}, envelope(row, session)) : null))
    : [h("tr", {}, h("td", { colspan: report.columns.length + (withActions ? 1 : 0), class: "empty" }, "No rows match."))];
  return h("table", { class: "report", "data-report": report.path.split("/").pop() },
    h("caption", { class: "visually-hidden" }, report.title), h("thead", {}, head), h("tbody", {}, body));
}

function headerCell(column, state, reload) {
  const cls = column.optional ? "optional" : undefined;
  const numeric = ["money", "int"].includes(column.kind) ? "num" : "";
  if (!column.sortable) return h("th", { scope: "col", class: [cls, numeric].filter(Boolean).join(" ") }, column.label);
  const key = column.sortKey || column.key;
  const direction = state.sort === key ? "ascending" : state.sort === `-${key}` ? "descending" : "none";
  const next = direction === "ascending" ? `-${key}` : key;
  const arrow = { ascending: "▲", descending: "▼", none: "↕" }[direction];
  return h("th", { scope: "col", "aria-sort": direction, class: [cls, numeric].filter(Boolean).join(" ") },
    h("button", { type: "button", class: "sort", "data-column": column.key,
      onclick: () => { state.sort = next; reload(true); } },
    column.label, h("span", { class: "arrow", "aria-hidden": "true" }, arrow)));
}

function cell(column, row, session) {
  const value = row[column.key];
  const cls = [column.optional ? "optional" : "", ["money", "int"].includes(column.kind) ? "num" : "",
    ["date", "instant"].includes(column.kind) ? "nowrap" : ""].filter(Boolean).join(" ") || undefined;
  if (column.key === "full_name") {
    return h("td", { class: cls }, h("a", { href: `#/client/${encodeURIComponent(row.location_id)}/${encodeURIComponent(row.client_id)}` },
      value || row.client_id));
  }
  const shown = {
    money: () => moneyCell(value, row.currency),
    date: () => day(value),
    instant: () => instant(value),
    status: () => h("span", { class: `badge ${value}` }, value),
    location: () => h("span", { title: value }, row.location_name || session.locationName(value)),
  }[column.kind];
  return h("td", { class: cls, "data-column": column.key }, shown ? shown() : value ?? "");
}

function envelope(row, session) {
  if (!(row.balance_minor < 0)) return null;
  return h("button", { type: "button", class: "icon", title: `Message ${row.full_name || row.client_id} about the balance`,
    "aria-label": `Message ${row.full_name || row.client_id}`, onclick: () => openMessageDialog(row, session) }, "✉");
}

function pager(state, page, reload) {
  const number = state.cursors.length;
  const previous = () => { state.cursors.pop(); reload(false); };
  const next = () => { state.cursors.push(page.next_cursor); reload(false); };
  const size = h("select", { id: "page-size", onchange: (e) => { state.limit = Number(e.target.value); reload(true); } },
    [25, 50, 100, 200].map((n) => h("option", { value: n, selected: n === state.limit }, n)));
  return h("nav", { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", class: "secondary", disabled: number === 1, onclick: previous }, "← Previous"),
    h("span", {}, `Page ${number}`),
    h("button", { type: "button", class: "secondary", disabled: !page.next_cursor, onclick: next }, "Next →"),
    h("label", { for: "page-size" }, "Rows per page"), size,
    h("span", { class: "muted as-of" }, page.as_of ? `Data as of ${instant(page.as_of)}` : "No data yet"));
}
