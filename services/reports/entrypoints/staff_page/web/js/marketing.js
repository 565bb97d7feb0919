// The marketing screens (admins): audiences, journeys, newsletters, templates. Shared pieces here:
// the screen registry, the audience and template lookups, a paged table, a form with a status line.

import { ApiError, json, optional } from "./api.js";
import { fill, h } from "./dom.js";

export const MARKETING = {
  audiences: { title: "Audiences", load: () => import("./audiences.js") },
  journeys: { title: "Journeys", load: () => import("./journeys.js") },
  newsletters: { title: "Newsletters", load: () => import("./newsletters.js") },
  templates: { title: "Templates", load: () => import("./templates.js") },
};

export async function renderMarketing(root, id, rest, session) {
  if (!session.isAdmin()) {
    fill(root, h("p", {}, "The marketing screens are for admins."));
    return;
  }
  fill(root, h("p", { class: "muted" }, "Loading…"));
  const screen = await MARKETING[id].load();
  try {
    await screen.render(root, rest, session);
  } catch (error) {
    if (!root.childElementCount || root.textContent === "Loading…") fill(root, h("p", { class: "muted" }, "Nothing to show."));
    session.fail(error);
  }
}

/** The contract's condition fields and comparisons, in the words of the page. */
export const CONDITION_FIELDS = {
  account_balance_minor: { label: "Account balance", kind: "money" },
  session_credits_remaining: { label: "Session credits remaining", kind: "int" },
  credits_expiring_within_days: { label: "Days until session credits expire", kind: "int" },
};
export const CONDITION_OPS = { lt: "is less than", lte: "is at most", gt: "is more than", gte: "is at least", eq: "is exactly" };

export function conditionText(condition) {
  if (!condition) return "";
  const field = CONDITION_FIELDS[condition.field];
  const value = field?.kind === "money" ? majorText(condition.value) : String(condition.value);
  return `${field?.label || condition.field} ${CONDITION_OPS[condition.op] || condition.op} ${value}`;
}

/** Minor units shown in major units with two places: an audience spans locations and currencies. */
function majorText(minor) {
  const n = Number(minor);
  const sign = n < 0 ? "-" : "";
  const abs = String(Math.abs(n)).padStart(3, "0");
  return `${sign}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}

/** Every audience the admin may use, members counted in `locations` (default: all allowed); null
 * when this notifier cannot list them yet. */
export async function audiences(locations = []) {
  const answer = await optional("notifier", "/v1/audiences", { params: { location: locations } });
  return answer ? answer.items.map(normalAudience) : null;
}

function normalAudience(a) {
  const raw = a.members_by_location ?? a.counts ?? a.member_counts ?? {};
  const counts = Array.isArray(raw)
    ? Object.fromEntries(raw.map((c) => [c.location_id, c.count ?? c.members ?? 0]))
    : { ...raw };
  const total = a.total ?? a.member_count ?? (typeof a.members === "number" ? a.members : undefined)
    ?? Object.values(counts).reduce((sum, n) => sum + Number(n || 0), 0);
  return { ...a, audience_id: a.audience_id ?? a.id, counts, total };
}

export async function audienceById(id, locations = []) {
  const all = await audiences(locations);
  return all?.find((a) => a.audience_id === id) || null;
}

export async function templateList() {
  return (await json("notifier", "/v1/templates")).items;
}

export function locationsText(ids, session) {
  return ids?.length ? ids.map(session.locationName).join(", ") : "Every location";
}

/** A select of audiences (or a text box for the id when the notifier cannot list them); two
 * audiences may share a name, so each option also says where it reaches. */
export function audienceSelect(id, list, chosen, session) {
  if (!list) return h("input", { id, name: "audience_id", required: true, value: chosen || "", placeholder: "audience id" });
  const where = (a) => (a.built_in ? "built in, every location" : a.location_ids?.length
    ? a.location_ids.map(session.locationName).join(", ") : "every location");
  return h("select", { id, name: "audience_id", required: true },
    h("option", { value: "" }, list.length ? "Choose an audience" : "No audiences yet"),
    list.map((a) => h("option", { value: a.audience_id, selected: a.audience_id === chosen }, `${a.name} (${where(a)})`)));
}

export function templateSelect(id, list, name = "template_id") {
  return h("select", { id, name, required: true },
    h("option", { value: "" }, list.length ? "Choose a template" : "No templates yet: create one under Templates"),
    list.map((t) => h("option", { value: t.template_id }, t.name)));
}

/** A journey or newsletter runs in the chosen locations (the notifier: else every one the token allows). */
export function scopeOf(session) {
  const chosen = session.chosenLocations();
  return chosen.length ? { location_ids: chosen } : {};
}

export function runsIn(session) {
  const chosen = session.chosenLocations();
  return h("p", { class: "muted small runs-in" }, "Runs in ", chosen.length ? chosen.map(session.locationName).join(", ")
    : session.me.whole_brand ? "every location of the audience" : "all your locations of the audience",
  " (the location picker above chooses).");
}

export function field(id, label, control, hint) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint ? h("small", { class: "muted" }, hint) : null);
}

export class Invalid extends Error {}

/** A form whose submit runs `submit(form)`; its errors land in its status line, in sentences. */
export function form(id, controls, submitLabel, submit) {
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  const button = h("button", { type: "submit" }, submitLabel);
  const node = h("form", { class: "stack-form", id, novalidate: true }, controls, status, h("div", { class: "form-actions" }, button));
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.className = "form-status";
    status.textContent = "";
    try {
      await submit(new FormData(node), (text) => { status.textContent = text; });
    } catch (error) {
      status.className = "form-status error-text";
      status.textContent = error instanceof ApiError || error instanceof Invalid ? error.message : String(error);
      for (const name of error.fields || []) node.querySelector(`[name="${name.split(".")[0]}"]`)?.setAttribute("aria-invalid", "true");
    } finally {
      button.disabled = false;
    }
  });
  return node;
}

/** A table over a cursor-paged endpoint with Previous / Next. `load(cursor)` → {items, next_cursor}. */
export function pagedTable(headers, rowOf, load, empty) {
  const area = h("div", { class: "paged", "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  const cursors = [null];
  const show = async () => {
    const page = await load(cursors[cursors.length - 1]);
    const rows = page.items.length ? page.items.map(rowOf)
      : [h("tr", {}, h("td", { colspan: headers.length, class: "empty" }, empty))];
    fill(area, h("div", { class: "table-wrap" }, h("table", { class: "marketing" },
      h("thead", {}, h("tr", {}, headers.map(([label, cls]) => h("th", { scope: "col", class: cls }, label)))),
      h("tbody", {}, rows))),
    cursors.length > 1 || page.next_cursor ? h("nav", { class: "pager", "aria-label": "Pages" },
      h("button", { type: "button", class: "secondary", disabled: cursors.length === 1, onclick: () => { cursors.pop(); show(); } }, "← Previous"),
      h("span", {}, `Page ${cursors.length}`),
      h("button", { type: "button", class: "secondary", disabled: !page.next_cursor,
        onclick: () => { cursors.push(page.next_cursor); show(); } }, "Next →")) : null);
  };
  return { area, show, restart: () => { cursors.splice(1); return show(); } };
}

export function backLink(href, text) {
  return h("p", {}, h("a", { href }, `← ${text}`));
}

export function clientLink(row) {
  return h("a", { href: `#/client/${encodeURIComponent(row.location_id)}/${encodeURIComponent(row.client_id)}` },
    row.full_name || row.client_id);
}

export function missing(what) {
  return h("p", { class: "muted degraded" }, `This notifier cannot ${what} yet.`);
}
