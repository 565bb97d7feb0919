// The staff page: sign-in, the header (search, location picker), routing between the screens.

import { ApiError, json, loadConfig, token } from "./api.js";
import { fill, h } from "./dom.js";
import { renderClient } from "./client.js";
import { MARKETING, renderMarketing } from "./marketing.js";
import { REPORTS, renderReport } from "./reports.js";
import { renderSearch } from "./search.js";

const LOCATIONS_KEY = "studio.staff.locations";
const NAMES_KEY = "studio.staff.location-names";
const main = document.getElementById("main");
const banner = document.getElementById("banner");

const session = {
  me: null,
  isAdmin: () => session.me?.role === "admin",
  /** The chosen locations, or [] for every location the token allows. */
  chosenLocations: () => JSON.parse(sessionStorage.getItem(LOCATIONS_KEY) || "[]"),
  /** The locations a per-location request goes to: the chosen ones, else every allowed one. */
  queryLocations: () => (session.chosenLocations().length ? session.chosenLocations() : session.me?.locations || []),
  choose: (locations) => sessionStorage.setItem(LOCATIONS_KEY, JSON.stringify(locations)),
  /** A location's name as the reports give it (`location_name` on rows), else its id. */
  locationName: (id) => names()[id] || id,
  learnNames(rows) {
    const known = names();
    let changed = false;
    for (const row of rows || []) {
      if (row?.location_id && row.location_name && known[row.location_id] !== row.location_name) {
        known[row.location_id] = row.location_name;
        changed = true;
      }
    }
    if (changed) { sessionStorage.setItem(NAMES_KEY, JSON.stringify(known)); relabelPicker(); }
  },
  fail(error) {
    if (error instanceof ApiError && error.status === 401) { signOut(error.message); return; }
    show("error", error.message || String(error));
  },
  notify: (text) => show("success", text),
  clearBanner: () => { if (banner.dataset.kind === "error") fill(banner); delete banner.dataset.kind; },
};

function names() {
  return JSON.parse(sessionStorage.getItem(NAMES_KEY) || "{}");
}

function show(kind, text) {
  banner.dataset.kind = kind;
  fill(banner, h("div", { class: `banner ${kind}`, role: kind === "error" ? "alert" : "status" },
    h("span", {}, text),
    h("button", { type: "button", class: "link", "aria-label": "Dismiss", onclick: () => fill(banner) }, "Dismiss")));
}

function signOut(reason) {
  token.clear();
  sessionStorage.removeItem(LOCATIONS_KEY);
  session.me = null;
  renderSignIn(reason);
}

function renderSignIn(reason) {
  fill(document.getElementById("who"));
  fill(document.getElementById("tabs"));
  fill(document.getElementById("search"));
  fill(banner);
  const input = h("textarea", { id: "token", name: "token", rows: "4", required: true, autocomplete: "off", spellcheck: "false" });
  const status = h("p", { class: "error-text", role: "alert" }, reason || "");
  fill(main, h("section", { class: "card sign-in", "aria-labelledby": "sign-in-h" },
    h("h2", { id: "sign-in-h" }, "Sign in"),
    h("p", {}, "Paste your staff token. For the demo, print one with ",
      h("code", {}, "make token ROLE=admin LOCATIONS='*'"), " (or ", h("code", {}, "ROLE=reporting LOCATIONS=studio-1"), ")."),
    h("form", { onsubmit: async (e) => {
      e.preventDefault();
      token.set(input.value.trim());
      status.textContent = "";
      await start();
    } },
    h("div", { class: "field" }, h("label", { for: "token" }, "Staff token"), input),
    status,
    h("button", { type: "submit" }, "Sign in"))));
  input.focus();
}

function renderHeader() {
  const me = session.me;
  fill(document.getElementById("search"), searchBox());
  fill(document.getElementById("who"),
    locationPicker(me),
    h("span", { class: "signed-in" }, "Signed in as ", h("strong", {}, me.sub), ` (${me.role})`),
    h("button", { type: "button", class: "secondary", onclick: () => signOut("") }, "Sign out"));
  const tab = (href, id, title) => h("li", {}, h("a", { href, "data-tab": id }, title));
  fill(document.getElementById("tabs"),
    h("ul", { "aria-label": "Reports" }, Object.entries(REPORTS).map(([id, r]) => tab(`#/report/${id}`, id, r.title))),
    session.isAdmin() ? h("ul", { class: "marketing-tabs", "aria-label": "Marketing" },
      Object.entries(MARKETING).map(([id, m]) => tab(`#/marketing/${id}`, id, m.title))) : null);
}

function searchBox() {
  const input = h("input", { type: "search", id: "client-search", name: "q", placeholder: "Find a client: name, email, phone or id",
    autocomplete: "off", "aria-label": "Find a client", maxlength: "200" });
  const current = decodeURIComponent((location.hash.match(/^#\/search\/(.*)$/) || [])[1] || "");
  input.value = current;
  return h("form", { role: "search", class: "header-search", onsubmit: (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
  } }, input, h("button", { type: "submit", class: "secondary" }, "Search"));
}

let picker = null;

function locationPicker(me) {
  const chosen = new Set(session.chosenLocations());
  const summary = h("summary", { id: "locations-summary" }, summaryText(chosen, me));
  const boxes = me.locations.map((loc) => h("input", { type: "checkbox", value: loc, id: `loc-${loc}`, checked: chosen.has(loc) }));
  const all = h("input", { type: "checkbox", id: "loc-all", checked: chosen.size === 0 });
  const apply = () => {
    const picked = boxes.filter((b) => b.checked).map((b) => b.value);
    session.choose(picked.length === boxes.length ? [] : picked);
    all.checked = session.chosenLocations().length === 0;
    if (all.checked) boxes.forEach((b) => { b.checked = false; });
    summary.textContent = summaryText(new Set(session.chosenLocations()), me);
    route();
  };
  all.addEventListener("change", () => { boxes.forEach((b) => { b.checked = false; }); session.choose([]); apply(); });
  boxes.forEach((b) => b.addEventListener("change", apply));
  const panel = h("fieldset", {}, h("legend", {}, me.whole_brand ? "Locations (whole brand)" : "Locations your token allows"),
    h("div", { class: "check" }, all, h("label", { for: "loc-all" }, "All locations")),
    me.locations.length ? boxes.map((b) => h("div", { class: "check" }, b,
      h("label", { for: b.id, "data-location": b.value }, session.locationName(b.value))))
      : h("p", { class: "muted" }, "No locations with data yet."));
  picker = h("details", { class: "locations" }, summary, panel);
  picker.addEventListener("toggle", () => keepOnScreen(panel));
  const close = () => { picker.open = false; };
  document.addEventListener("click", (e) => { if (picker && !picker.contains(e.target)) close(); });
  picker.addEventListener("keydown", (e) => { if (e.key === "Escape") { close(); summary.focus(); } });
  return picker;
}

/** The panel hangs from the picker's right edge; on a narrow screen that can push it off the left. */
function keepOnScreen(panel) {
  panel.style.left = "";
  panel.style.right = "";
  if (!panel.parentElement.open) return;
  const box = panel.getBoundingClientRect();
  const width = document.documentElement.clientWidth;
  if (box.left < 8 || box.right > width - 8) {
    const anchor = panel.parentElement.getBoundingClientRect();
    panel.style.right = "auto";
    panel.style.left = `${Math.max(8, Math.min(width - box.width - 8, anchor.left)) - anchor.left}px`;
  }
}

function relabelPicker() {
  for (const label of document.querySelectorAll(".locations label[data-location]")) {
    label.textContent = session.locationName(label.dataset.location);
  }
  const summary = document.getElementById("locations-summary");
  if (summary && session.me) summary.textContent = summaryText(new Set(session.chosenLocations()), session.me);
}

function summaryText(chosen, me) {
  if (chosen.size === 0) return me.whole_brand ? "All locations" : `All my locations (${me.locations.length})`;
  return chosen.size === 1 ? `Location: ${session.locationName([...chosen][0])}` : `${chosen.size} locations`;
}

async function route() {
  if (!session.me) return;
  fill(banner); // a banner belongs to the screen it was shown on
  delete banner.dataset.kind;
  const [, kind, ...rest] = (location.hash || "#/report/account-balances").slice(1).split("/");
  for (const tab of document.querySelectorAll("#tabs a")) {
    const here = tab.dataset.tab === rest[0] && (kind === "report" || kind === "marketing");
    tab.toggleAttribute("aria-current", here);
    if (here) tab.setAttribute("aria-current", "page");
  }
  const search = document.getElementById("client-search");
  if (search && kind !== "search") search.value = "";
  // Each navigation renders into its own element: a slower earlier screen then lands off the page.
  const view = h("div", { class: "view" });
  fill(main, view);
  if (kind === "client" && rest.length === 2) {
    document.title = "Client · Studio staff";
    await renderClient(view, decodeURIComponent(rest[0]), decodeURIComponent(rest[1]), session);
  } else if (kind === "search") {
    document.title = "Find a client · Studio staff";
    await renderSearch(view, decodeURIComponent(rest.join("/")), session);
  } else if (kind === "marketing" && MARKETING[rest[0]]) {
    document.title = `${MARKETING[rest[0]].title} · Studio staff`;
    await renderMarketing(view, rest[0], rest.slice(1).map(decodeURIComponent), session);
  } else {
    const id = REPORTS[rest[0]] ? rest[0] : "account-balances";
    document.title = `${REPORTS[id].title} · Studio staff`;
    await renderReport(view, id, session);
  }
  main.focus({ preventScroll: true });
}

async function start() {
  if (!token.get()) { renderSignIn(); return; }
  try {
    session.me = await json("reports", "/v1/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) { signOut(error.message); return; }
    fill(main, h("p", {}, "The page could not start."));
    show("error", error.message);
    return;
  }
  const allowed = new Set(session.me.locations);
  session.learnNames(session.me.location_names ? Object.entries(session.me.location_names)
    .map(([location_id, location_name]) => ({ location_id, location_name })) : []);
  session.choose(session.chosenLocations().filter((loc) => allowed.has(loc)));
  renderHeader();
  await route();
}

window.addEventListener("hashchange", route);
window.addEventListener("unhandledrejection", (event) => session.fail(event.reason));
loadConfig().then(start, () => show("error", "The reports service is not answering; reload the page in a moment."));
