// Journeys: messages that follow a client's entry into an audience, step by step; their entries.

import { json, newKey, optional } from "./api.js";
import { durationText, fill, h, instant } from "./dom.js";
import {
  Invalid, audienceSelect, audiences, backLink, clientLink, field, form, missing, pagedTable, runsIn, scopeOf, templateList,
  templateSelect,
} from "./marketing.js";

const UNITS = { minutes: (n) => `PT${n}M`, hours: (n) => `PT${n}H`, days: (n) => `P${n}D`, weeks: (n) => `P${n}W` };

export async function render(root, rest, session) {
  if (rest[0] && rest[0] !== "new") { await renderOne(root, rest[0], session); return; }
  const [list, auds, tpls] = await Promise.all([optional("notifier", "/v1/journeys"), audiences(), templateList()]);
  const audienceName = nameMap(auds, "audience_id");
  const templateName = nameMap(tpls, "template_id");
  fill(root,
    h("div", { class: "report-head" }, h("div", {}, h("h2", {}, "Journeys"),
      h("p", { class: "muted" }, "Messages that go out after a client enters an audience. Leaving the audience stops what is still to come."))),
    list ? journeyTable(list.items, audienceName, templateName) : missing("list journeys"),
    h("section", { class: "card", "aria-labelledby": "new-journey-h" }, h("h3", { id: "new-journey-h" }, "New journey"),
      createForm(auds, tpls, rest[0] === "new" ? rest[1] : "", session)));
  if (rest[0] === "new") document.getElementById("jr-name")?.focus();
}

function nameMap(items, key) {
  return new Map((items || []).map((x) => [x[key], x.name]));
}

export function stepsText(steps, templateName) {
  return (steps || []).map((s) => `${s.after === "PT0S" || durationText(s.after) === "at once" ? "At once" : `After ${durationText(s.after)}`}: `
    + `${s.template_name || templateName.get(s.template_id) || s.template_id}`);
}

function journeyTable(items, audienceName, templateName) {
  const rows = items.length ? items.map((j) => h("tr", { "data-journey": j.journey_id },
    h("td", {}, h("a", { href: `#/marketing/journeys/${encodeURIComponent(j.journey_id)}` }, j.name)),
    h("td", {}, h("a", { href: `#/marketing/audiences/${encodeURIComponent(j.audience_id)}` },
      j.audience_name || audienceName.get(j.audience_id) || j.audience_id)),
    h("td", {}, h("ol", { class: "steps" }, stepsText(j.steps, templateName).map((t) => h("li", {}, t)))),
    h("td", { class: "num optional" }, h("a", { href: `#/marketing/journeys/${encodeURIComponent(j.journey_id)}`,
      "aria-label": `Entries of ${j.name}` }, "Entries →"))))
    : [h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No journeys yet: create one below."))];
  return h("div", { class: "table-wrap" }, h("table", { class: "marketing journeys" },
    h("caption", { class: "visually-hidden" }, "Journeys"),
    h("thead", {}, h("tr", {}, ["Journey", "Audience", "Steps"].map((t) => h("th", { scope: "col" }, t)), h("th", { scope: "col", class: "num optional" }, h("span", { class: "visually-hidden" }, "Entries")))),
    h("tbody", {}, rows)));
}

function stepRow(index, tpls, remove) {
  const id = `jr-step-${index}`;
  const row = h("li", { class: "step-row", "data-step": index },
    h("div", { class: "field" }, h("label", { for: `${id}-n` }, "Wait"),
      h("input", { id: `${id}-n`, name: "after_n", type: "number", min: "0", step: "1", value: index === 0 ? "0" : "3", required: true })),
    h("div", { class: "field" }, h("label", { for: `${id}-unit`, class: "visually-hidden" }, "Unit"),
      h("select", { id: `${id}-unit`, name: "after_unit" }, Object.keys(UNITS).map((u) => h("option", { value: u, selected: u === (index === 0 ? "minutes" : "days") }, u)))),
    h("div", { class: "field grow" }, h("label", { for: `${id}-tpl` }, "then send"), templateSelect(`${id}-tpl`, tpls, "step_template")),
    h("button", { type: "button", class: "link remove-step", "aria-label": `Remove step ${index + 1}`, onclick: () => remove(row) }, "Remove"));
  return row;
}

function createForm(auds, tpls, chosenAudience, session) {
  const steps = h("ol", { class: "step-list" });
  let count = 0;
  const remove = (row) => { if (steps.children.length > 1) row.remove(); };
  const add = () => steps.append(stepRow(count++, tpls, remove));
  add();
  return form("new-journey", [
    field("jr-name", "Name", h("input", { id: "jr-name", name: "name", maxlength: "200", required: true })),
    field("jr-audience", "Audience", audienceSelect("jr-audience", auds, chosenAudience, session)),
    h("fieldset", { class: "steps-fieldset" }, h("legend", {}, "Steps (each counted from the entry into the audience)"), steps,
      h("button", { type: "button", class: "secondary add-step", onclick: add }, "+ Add a step")),
    h("div", { class: "field check" }, h("input", { type: "checkbox", id: "jr-existing", name: "include_existing" }),
      h("label", { for: "jr-existing" }, "Also start it for the clients in the audience now")),
    runsIn(session),
  ], "Create journey", async (data) => {
    const ns = data.getAll("after_n");
    const units = data.getAll("after_unit");
    const templates = data.getAll("step_template");
    const body = {
      name: String(data.get("name")).trim(), audience_id: data.get("audience_id"), include_existing: data.get("include_existing") === "on",
      ...scopeOf(session),
      steps: ns.map((n, i) => {
        if (!/^\d+$/.test(String(n).trim())) throw new Invalid(`Step ${i + 1} delay: write a whole number of ${units[i]}.`);
        if (!templates[i]) throw new Invalid(`Step ${i + 1} template: choose the template to send.`);
        return { after: Number(n) === 0 ? "PT0S" : UNITS[units[i]](Number(n)), template_id: templates[i] };
      }),
    };
    if (!body.name) throw new Invalid("Name: give the journey a name.");
    if (!body.audience_id) throw new Invalid("Audience: choose who the journey is for.");
    const created = await json("notifier", "/v1/journeys", { method: "POST", body, key: newKey() });
    location.hash = `#/marketing/journeys/${encodeURIComponent(created.journey_id)}`;
  });
}

async function renderOne(root, id, session) {
  const [list, auds, tpls] = await Promise.all([optional("notifier", "/v1/journeys"), audiences(), templateList()]);
  const journey = list?.items.find((j) => j.journey_id === id);
  const templateName = nameMap(tpls, "template_id");
  const audienceName = nameMap(auds, "audience_id");
  let absent = false;
  const entries = pagedTable([["Client"], ["Location"], ["Entry", "num"], ["Steps"]],
    (e) => h("tr", { "data-client": e.client_id }, h("td", {}, clientLink(e)),
      h("td", {}, e.location_name || session.locationName(e.location_id)), h("td", { class: "num" }, String(e.entry ?? "")),
      h("td", {}, progressList(e, templateName))),
    async (cursor) => {
      const page = await optional("notifier", `/v1/journeys/${encodeURIComponent(id)}/entries`,
        { params: { location: session.chosenLocations(), limit: 25, cursor } });
      if (!page) { absent = true; return { items: [], next_cursor: null }; }
      session.learnNames(page.items);
      return page;
    }, "Nobody has entered this journey yet.");
  fill(root, backLink("#/marketing/journeys", "All journeys"),
    h("section", { class: "card", "aria-labelledby": "journey-h" },
      h("h2", { id: "journey-h" }, journey?.name || id),
      journey ? h("p", { class: "muted" }, "On the audience ",
        h("a", { href: `#/marketing/audiences/${encodeURIComponent(journey.audience_id)}` }, audienceName.get(journey.audience_id) || journey.audience_id),
        journey.include_existing ? " · started for its members at creation" : " · for clients entering it from now on") : null,
      journey ? h("ol", { class: "steps" }, stepsText(journey.steps, templateName).map((t) => h("li", {}, t))) : null),
    h("section", { class: "card", "aria-labelledby": "entries-h" },
      h("div", { class: "report-head" }, h("h3", { id: "entries-h" }, "Entries"),
        h("button", { type: "button", class: "secondary", onclick: () => entries.show().catch((e) => session.fail(e)) }, "Refresh")),
      entries.area));
  await entries.show();
  if (absent) fill(entries.area, missing("list a journey's entries"));
}

const STEP_STATES = { pending: "due", queued: "queued", sent: "sent", skipped: "not sent", failed: "not delivered", cancelled: "cancelled" };

/** Each step of an entry: sent, not sent and why, or when it is due. */
function progressList(entry, templateName) {
  return h("ol", { class: "steps" }, (entry.steps || []).map((s) => h("li", { "data-status": s.status },
    `${s.template_name || templateName.get(s.template_id) || "template"}: `,
    h("span", { class: `badge ${s.status}` }, STEP_STATES[s.status] || s.status),
    s.status === "pending" && s.due_at ? ` ${instant(s.due_at)}` : "",
    s.reason ? ` (${s.reason.replace(/\.$/, "")})` : "")));
}
