// The staff page: sign-in, the location picker, routing between the reports and a client.

import { ApiError, json, loadConfig, token } from "./api.js";
import { fill, h } from "./dom.js";
import { renderClient } from "./client.js";
import { REPORTS, renderReport } from "./reports.js";

const LOCATIONS_KEY = "studio.staff.locations";
const main = document.getElementById("main");
const banner = document.getElementById("banner");

const session = {
  me: null,
  isAdmin: () => session.me?.role === "admin",
  /** The chosen locations, or [] for every location the token allows. */
  chosenLocations: () => JSON.parse(sessionStorage.getItem(LOCATIONS_KEY) || "[]"),
  choose: (locations) => sessionStorage.setItem(LOCATIONS_KEY, JSON.stringify(locations)),
  fail(error) {
    if (error instanceof ApiError && error.status === 401) { signOut(error.message); return; }
    show("error", error.message || String(error));
  },
  notify: (text) => show("success", text),
  clearBanner: () => { if (banner.dataset.kind === "error") fill(banner); delete banner.dataset.kind; },
};

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
  fill(document.getElementById("who"),
    locationPicker(me),
    h("span", { class: "signed-in" }, "Signed in as ", h("strong", {}, me.sub), ` (${me.role})`),
    h("button", { type: "button", class: "secondary", onclick: () => signOut("") }, "Sign out"));
  fill(document.getElementById("tabs"), h("ul", {}, Object.entries(REPORTS).map(([id, r]) =>
    h("li", {}, h("a", { href: `#/report/${id}`, "data-tab": id }, r.title)))));
}

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
  const picker = h("details", { class: "locations" }, summary,
    h("fieldset", {}, h("legend", {}, me.whole_brand ? "Locations (whole brand)" : "Locations your token allows"),
      h("div", { class: "check" }, all, h("label", { for: "loc-all" }, "All locations")),
      me.locations.length ? boxes.map((b) => h("div", { class: "check" }, b, h("label", { for: b.id }, nameOf(me, b.value))))
        : h("p", { class: "muted" }, "No locations with data yet.")));
  const close = () => { picker.open = false; };
  document.addEventListener("click", (e) => { if (!picker.contains(e.target)) close(); });
  picker.addEventListener("keydown", (e) => { if (e.key === "Escape") { close(); summary.focus(); } });
  return picker;
}

function summaryText(chosen, me) {
  if (chosen.size === 0) return me.whole_brand ? "All locations" : `All my locations (${me.locations.length})`;
  return chosen.size === 1 ? `Location: ${nameOf(me, [...chosen][0])}` : `${chosen.size} locations`;
}

/** A location's name, or its id until the location is registered. */
function nameOf(me, locationId) {
  return (me.location_names || {})[locationId] || locationId;
}

async function route() {
  if (!session.me) return;
  const [, kind, ...rest] = (location.hash || "#/report/account-balances").slice(1).split("/");
  for (const tab of document.querySelectorAll("#tabs a")) {
    tab.toggleAttribute("aria-current", tab.dataset.tab === rest[0] && kind === "report");
    if (tab.hasAttribute("aria-current")) tab.setAttribute("aria-current", "page");
  }
  if (kind === "client" && rest.length === 2) {
    document.title = "Client · Studio staff";
    await renderClient(main, decodeURIComponent(rest[0]), decodeURIComponent(rest[1]), session);
  } else {
    const id = REPORTS[rest[0]] ? rest[0] : "account-balances";
    document.title = `${REPORTS[id].title} · Studio staff`;
    await renderReport(main, id, session);
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
  session.choose(session.chosenLocations().filter((loc) => allowed.has(loc)));
  renderHeader();
  await route();
}

window.addEventListener("hashchange", route);
window.addEventListener("unhandledrejection", (event) => session.fail(event.reason));
loadConfig().then(start, () => show("error", "The reports service is not answering; reload the page in a moment."));
