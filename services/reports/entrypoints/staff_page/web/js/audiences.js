// Audiences: the list with members per location, a condition builder, and an audience's members.

import { json, newKey } from "./api.js";
import { fill, h, instant, moneyCell, toMinor } from "./dom.js";
import {
  CONDITION_FIELDS, CONDITION_OPS, Invalid, audienceById, audiences, backLink, clientLink, conditionText, field, form,
  locationsText, missing, pagedTable,
} from "./marketing.js";

const OWING = { name: "Customers Owing Account Balance", field: "account_balance_minor", op: "lt", value: "0" };

export async function render(root, rest, session) {
  if (rest[0]) { await renderOne(root, rest[0], rest[1] || "", session); return; }
  const chosen = session.chosenLocations();
  const list = await audiences(chosen);
  const shown = list?.filter((a) => !chosen.length || !a.location_ids?.length || a.location_ids.some((l) => chosen.includes(l)));
  fill(root,
    h("div", { class: "report-head" }, h("div", {}, h("h2", {}, "Audiences"),
      h("p", { class: "muted" }, "Clients who meet a condition, kept current as their balances and credits change. "
        + "Use them in journeys and newsletters."))),
    shown ? audienceTable(shown, session) : missing("list audiences"),
    h("section", { class: "card", "aria-labelledby": "new-audience-h" }, h("h3", { id: "new-audience-h" }, "New audience"),
      createForm(session)));
}

function audienceTable(list, session) {
  const columns = locationColumns(list, session);
  const rows = list.length ? list.map((a) => h("tr", { "data-audience": a.audience_id },
    h("td", {}, h("a", { href: `#/marketing/audiences/${encodeURIComponent(a.audience_id)}` }, a.name),
      a.built_in || a.audience_id === "owing-balance" ? h("span", { class: "badge" }, "built in") : null),
    h("td", {}, conditionText(a.condition)),
    h("td", {}, locationsText(a.location_ids, session)),
    columns.map((loc) => h("td", { class: "num", "data-location": loc }, String(a.counts[loc] ?? 0))),
    h("td", { class: "num total" }, String(a.total))))
    : [h("tr", {}, h("td", { colspan: 4 + columns.length, class: "empty" }, "No audiences yet: create one below."))];
  return h("div", { class: "table-wrap" }, h("table", { class: "marketing audiences" },
    h("caption", { class: "visually-hidden" }, "Audiences and their members per location"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Audience"), h("th", { scope: "col" }, "Condition"),
      h("th", { scope: "col" }, "Locations"),
      columns.map((loc) => h("th", { scope: "col", class: "num" }, session.locationName(loc))),
      h("th", { scope: "col", class: "num" }, "Members"))),
    h("tbody", {}, rows)));
}

/** A members column per location that has any (within the chosen locations), at most six. */
function locationColumns(list, session) {
  const chosen = session.chosenLocations();
  const seen = new Set(list.flatMap((a) => Object.keys(a.counts)));
  const locations = [...seen].filter((l) => !chosen.length || chosen.includes(l)).sort();
  return locations.length <= 6 ? locations : [];
}

function createForm(session) {
  const fieldSelect = h("select", { id: "aud-field", name: "field" },
    Object.entries(CONDITION_FIELDS).map(([value, f]) => h("option", { value }, f.label)));
  const opSelect = h("select", { id: "aud-op", name: "op" }, Object.entries(CONDITION_OPS).map(([value, label]) => h("option", { value }, label)));
  const value = h("input", { id: "aud-value", name: "value", inputmode: "decimal", required: true, size: "8" });
  const name = h("input", { id: "aud-name", name: "name", maxlength: "200", required: true });
  const unit = h("small", { class: "muted", id: "aud-unit" });
  const showUnit = () => { unit.textContent = CONDITION_FIELDS[fieldSelect.value].kind === "money" ? "in the location's currency, e.g. 0.00 or -10.00" : "a whole number"; };
  fieldSelect.addEventListener("change", showUnit);
  showUnit();
  const preset = () => {
    name.value = OWING.name; fieldSelect.value = OWING.field; opSelect.value = OWING.op; value.value = OWING.value;
    showUnit();
  };
  const mine = session.me.locations;
  const boxes = mine.map((l) => h("input", { type: "checkbox", name: "location_ids", value: l, id: `aud-loc-${l}`,
    checked: session.chosenLocations().includes(l) }));
  return form("new-audience", [
    h("p", {}, h("button", { type: "button", class: "link preset", onclick: preset }, "Start from “Customers Owing Account Balance”")),
    field("aud-name", "Name", name),
    h("fieldset", { class: "condition" }, h("legend", {}, "Condition"),
      h("div", { class: "condition-row" },
        h("label", { for: "aud-field", class: "visually-hidden" }, "Field"), fieldSelect,
        h("label", { for: "aud-op", class: "visually-hidden" }, "Comparison"), opSelect,
        h("label", { for: "aud-value", class: "visually-hidden" }, "Value"), value), unit),
    h("fieldset", { class: "audience-locations" }, h("legend", {}, "Locations"),
      h("p", { class: "muted small" }, session.me.whole_brand ? "None ticked: every location of the brand."
        : "None ticked: all your locations."),
      boxes.map((b) => h("div", { class: "check" }, b, h("label", { for: b.id }, session.locationName(b.value))))),
  ], "Create audience", async (data) => {
    const kind = CONDITION_FIELDS[data.get("field")].kind;
    const raw = String(data.get("value")).trim();
    const number = kind === "money" ? toMinor(raw, "USD") : /^-?\d+$/.test(raw) ? Number(raw) : null;
    if (number === null) throw new Invalid(kind === "money" ? "Value: write an amount like 0.00 or -10.00." : "Value: write a whole number.");
    const picked = data.getAll("location_ids");
    const body = { name: String(data.get("name")).trim(), condition: { field: data.get("field"), op: data.get("op"), value: number },
      location_ids: picked.length ? picked : (session.me.whole_brand ? null : mine) };
    if (!body.name) throw new Invalid("Name: give the audience a name.");
    const created = await json("notifier", "/v1/audiences", { method: "POST", body, key: newKey() });
    session.freshAudience = created.audience_id;
    location.hash = `#/marketing/audiences/${encodeURIComponent(created.audience_id)}`;
  });
}

async function renderOne(root, id, where, session) {
  const audience = await audienceById(id, session.chosenLocations());
  const name = audience?.name || id;
  const inScope = audience?.location_ids?.length ? audience.location_ids.filter((l) => session.me.locations.includes(l))
    : session.me.locations;
  const picker = h("select", { id: "members-location" }, h("option", { value: "" }, "All locations"),
    inScope.map((l) => h("option", { value: l, selected: l === where }, session.locationName(l))));
  const members = pagedTable(
    [["Client"], ["Location"], ["Email", "optional"], ["Balance", "num"], ["Entry", "num optional"], ["Since"]],
    (m) => h("tr", { "data-client": m.client_id }, h("td", {}, clientLink(m)),
      h("td", {}, m.location_name || session.locationName(m.location_id)), h("td", { class: "optional" }, m.email || "—"),
      h("td", { class: "num" }, m.balance_minor === undefined ? "" : moneyCell(m.balance_minor, m.currency)),
      h("td", { class: "num optional" }, String(m.entry ?? "")), h("td", { class: "nowrap" }, instant(m.since))),
    async (cursor) => {
      const page = await json("notifier", `/v1/audiences/${encodeURIComponent(id)}/members`,
        { params: { location: picker.value || undefined, limit: 25, cursor } });
      session.learnNames(page.items);
      return page;
    }, "Nobody meets the condition right now.");
  // The counts are read after the members, so a new audience's first judgement shows in both.
  const counts = h("div", { class: "counts-slot" }, audience ? countsLine(audience, session) : null);
  const refresh = async (fromStart) => {
    await (fromStart ? members.restart() : members.show());
    const now = await audienceById(id, session.chosenLocations());
    if (now) fill(counts, countsLine(now, session));
    return now;
  };
  picker.addEventListener("change", () => {
    history.replaceState(null, "", `#/marketing/audiences/${encodeURIComponent(id)}/${encodeURIComponent(picker.value)}`);
    refresh(true).catch((error) => session.fail(error));
  });
  fill(root, backLink("#/marketing/audiences", "All audiences"),
    h("section", { class: "card", "aria-labelledby": "audience-h" },
      h("div", { class: "report-head" }, h("div", {}, h("h2", { id: "audience-h" }, name),
        h("p", { class: "muted" }, audience ? `${conditionText(audience.condition)} · ${locationsText(audience.location_ids, session)}` : id)),
      h("div", { class: "head-actions" },
        h("a", { class: "button secondary", href: `#/marketing/journeys/new/${encodeURIComponent(id)}` }, "Start a journey"),
        h("a", { class: "button secondary", href: `#/marketing/newsletters/new/${encodeURIComponent(id)}` }, "Schedule a newsletter"))),
      counts),
    h("section", { class: "card", "aria-labelledby": "members-h" },
      h("div", { class: "report-head" }, h("h3", { id: "members-h" }, "Members"),
        h("div", { class: "head-actions" },
          h("div", { class: "field inline" }, h("label", { for: "members-location" }, "Location"), picker),
          h("button", { type: "button", class: "secondary", onclick: () => refresh(false).catch((e) => session.fail(e)) }, "Refresh"))),
      members.area));
  const now = await refresh(false);
  if (session.freshAudience === id) await whileJudged(root, counts, now, refresh);
}

/** The notifier judges a new audience in the background: look again for a few seconds. */
async function whileJudged(root, counts, audience, refresh) {
  let latest = audience;
  for (let i = 0; i < 10 && root.isConnected && !(latest?.total > 0); i++) {
    counts.append(h("p", { class: "muted small judging" }, "Working out who meets the condition…"));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    latest = await refresh(false);
  }
}

function countsLine(audience, session) {
  const entries = Object.entries(audience.counts).filter(([l]) => session.me.locations.includes(l));
  return h("p", { class: "counts" }, h("strong", {}, `${audience.total} member${audience.total === 1 ? "" : "s"}`),
    entries.length ? ` · ${entries.map(([l, n]) => `${session.locationName(l)}: ${n}`).join(" · ")}` : "");
}
