// Templates: the list, a new one with the merge-field picker, and a preview with a real client's values.

import { json, newKey } from "./api.js";
import { fill, h } from "./dom.js";
import { livePreview, mergeFieldPicker } from "./messages.js";
import { Invalid, field, form, templateList } from "./marketing.js";

export async function render(root, rest, session) {
  const [list, sample] = await Promise.all([templateList(), sampleClient(session)]);
  const location = h("select", { id: "pv-location" }, session.me.locations.map((l) =>
    h("option", { value: l, selected: l === sample?.location_id }, session.locationName(l))));
  const clientId = h("input", { id: "pv-client", value: sample?.client_id || "", size: "16", autocomplete: "off" });
  const who = () => (clientId.value.trim() ? { location_id: location.value, client_id: clientId.value.trim(),
    full_name: clientId.value.trim() === sample?.client_id ? sample.full_name : "" } : null);
  const { area, update } = livePreview(who);
  let shown = null;
  const previewOf = (content) => { shown = content; update(content); };
  for (const control of [location, clientId]) control.addEventListener("change", () => update(shown));
  fill(root,
    h("div", { class: "report-head" }, h("div", {}, h("h2", {}, "Templates"),
      h("p", { class: "muted" }, "Reusable messages for one-off messages, journeys and newsletters."))),
    h("div", { class: "templates-layout" },
      h("div", {}, templateTable(list, previewOf),
        h("section", { class: "card", "aria-labelledby": "new-template-h" }, h("h3", { id: "new-template-h" }, "New template"),
          createForm(previewOf, session, root))),
      h("section", { class: "card preview-card", "aria-labelledby": "preview-h" }, h("h3", { id: "preview-h" }, "Preview"),
        h("div", { class: "preview-for" },
          field("pv-location", "Location", location), field("pv-client", "Client ID", clientId)),
        area)));
  if (list.length) previewOf({ template_id: list[0].template_id });
}

/** The client last opened, else the first account in the chosen locations: a real person to preview with. */
async function sampleClient(session) {
  if (session.lastClient) return session.lastClient;
  try {
    const page = await json("reports", "/v1/reports/account-balances", { params: { location: session.chosenLocations(), limit: 1 } });
    return page.items[0] || null;
  } catch { return null; }
}

function templateTable(list, previewOf) {
  const rows = list.length ? list.map((t) => h("tr", { "data-template": t.template_id },
    h("td", {}, t.name), h("td", {}, t.subject), h("td", { class: "optional excerpt" }, excerpt(t.body)),
    h("td", {}, h("button", { type: "button", class: "secondary small", "aria-label": `Preview ${t.name}`,
      onclick: () => { previewOf({ template_id: t.template_id }); showPreviewCard(); } }, "Preview"))))
    : [h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No templates yet: create one below."))];
  return h("div", { class: "table-wrap" }, h("table", { class: "marketing templates" },
    h("caption", { class: "visually-hidden" }, "Templates"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Subject"),
      h("th", { scope: "col", class: "optional" }, "Body"), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
    h("tbody", {}, rows)));
}

/** On a narrow screen the preview sits below the form: bring it into view. */
function showPreviewCard() {
  const card = document.querySelector(".preview-card");
  const box = card?.getBoundingClientRect();
  if (box && (box.top > window.innerHeight || box.bottom < 0)) card.scrollIntoView({ behavior: "smooth", block: "start" });
}

function excerpt(text) {
  const flat = String(text || "").replace(/\s+/g, " ").trim();
  return flat.length > 90 ? `${flat.slice(0, 88)}…` : flat;
}

function createForm(previewOf, session, root) {
  const name = h("input", { id: "tpl-name", name: "name", maxlength: "200", required: true });
  const subject = h("input", { id: "tpl-subject", name: "subject", maxlength: "500", required: true });
  const body = h("textarea", { id: "tpl-body", name: "body", rows: "6", required: true });
  const typed = () => previewOf({ subject: subject.value, body: body.value });
  for (const input of [subject, body]) input.addEventListener("input", typed);
  return form("new-template", [
    field("tpl-name", "Name", name),
    field("tpl-subject", "Subject", subject),
    field("tpl-body", "Body", body),
    mergeFieldPicker([subject, body], typed),
  ], "Create template", async (data) => {
    const request = { name: String(data.get("name")).trim(), subject: String(data.get("subject")), body: String(data.get("body")) };
    if (!request.name) throw new Invalid("Name: give the template a name.");
    if (!request.subject.trim() || !request.body.trim()) throw new Invalid("Write a subject and a body.");
    const created = await json("notifier", "/v1/templates", { method: "POST", body: request, key: newKey() });
    await render(root, [], session);
    session.notify(`Template “${created.name}” created.`);
  });
}
