// The header's search box: clients by name, email, phone or id, across the chosen locations.
// One request per location (the reports' search is per location), a few at a time.

import { json, optional } from "./api.js";
import { fill, h, moneyCell } from "./dom.js";

const PER_LOCATION = 20;
const AT_ONCE = 6;

export async function renderSearch(root, q, session) {
  const results = h("div", { class: "search-results", "aria-live": "polite" }, h("p", { class: "muted" }, "Searching…"));
  fill(root, h("div", { class: "report-head" }, h("div", {},
    h("h2", {}, `Clients matching “${q}”`),
    h("p", { class: "muted" }, `Name, email, phone or client id, in ${scopeText(session)}.`))), results);
  if (!q) { fill(results, h("p", { class: "muted" }, "Type a name, email, phone or client id in the search box.")); return; }
  let found;
  try {
    found = await searchAll(q, session.queryLocations());
  } catch (error) {
    fill(results, h("p", { class: "muted" }, "No results to show."));
    session.fail(error);
    return;
  }
  session.learnNames(found.rows);
  fill(results, found.fallback ? h("p", { class: "muted" }, "This reports service cannot search by client id yet: "
    + "matching names, emails and phones from the Account Balances report.") : null,
  resultsTable(found.rows, session, q),
  found.more.length ? h("p", { class: "muted" }, `More than ${PER_LOCATION} matches in ${found.more.map(session.locationName).join(", ")}: `
    + "type more of the name, or choose one location.") : null);
}

function scopeText(session) {
  const chosen = session.chosenLocations();
  if (!chosen.length) return session.me.whole_brand ? "every location" : "all your locations";
  return chosen.map(session.locationName).join(", ");
}

async function searchAll(q, locations) {
  const rows = [];
  const more = [];
  let fallback = false;
  const queue = [...locations];
  const worker = async () => {
    while (queue.length) {
      const loc = queue.shift();
      const page = await optional("reports", `/v1/locations/${encodeURIComponent(loc)}/clients`, { params: { q, limit: PER_LOCATION } });
      if (page === null) { fallback = true; queue.length = 0; return; }
      rows.push(...page.items.map((r) => ({ location_id: loc, ...r })));
      if (page.next_cursor) more.push(loc);
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, locations.length) }, worker));
  if (fallback) {
    const page = await json("reports", "/v1/reports/account-balances", { params: { location: locations, q, limit: 100, sort: "full_name" } });
    return { rows: page.items, more: page.next_cursor ? locations : [], fallback };
  }
  rows.sort((a, b) => (a.full_name || "").localeCompare(b.full_name || "") || a.client_id.localeCompare(b.client_id));
  return { rows, more, fallback };
}

function resultsTable(rows, session, q) {
  const link = (r) => `#/client/${encodeURIComponent(r.location_id)}/${encodeURIComponent(r.client_id)}`;
  const body = rows.length ? rows.map((r) => h("tr", { "data-client": r.client_id },
    h("td", {}, h("a", { href: link(r) }, r.full_name || r.client_id)),
    h("td", { class: "optional" }, r.client_id),
    h("td", {}, r.location_name || session.locationName(r.location_id)),
    h("td", { class: "optional" }, r.email || ""),
    h("td", { class: "optional" }, r.phone || ""),
    h("td", { class: "num" }, r.balance_minor === undefined || r.balance_minor === null ? "—" : moneyCell(r.balance_minor, r.currency))))
    : [h("tr", {}, h("td", { colspan: 6, class: "empty" }, `No client matches “${q}”.`))];
  return h("div", { class: "table-wrap" }, h("table", { class: "search" },
    h("caption", { class: "visually-hidden" }, "Matching clients"),
    h("thead", {}, h("tr", {}, ["Client", "Client ID", "Location", "Email", "Phone", "Balance"].map((t, i) =>
      h("th", { scope: "col", class: [[1, 3, 4].includes(i) ? "optional" : "", i === 5 ? "num" : ""].join(" ").trim() || undefined }, t)))),
    h("tbody", {}, body)));
}
