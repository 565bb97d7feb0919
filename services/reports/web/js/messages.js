// A message to one client from a notifier template; follows it until it is sent, skipped or failed.

import { json, newKey, until } from "./api.js";
import { fill, h, instant, money } from "./dom.js";

export function openMessageDialog(client, session, onDone = () => {}) {
  const dialog = document.getElementById("message-dialog");
  const status = h("p", { class: "dialog-status", role: "status", "aria-live": "polite" });
  const picker = h("select", { id: "message-template", required: true }, h("option", { value: "" }, "Loading templates…"));
  const preview = h("div", { class: "preview", "aria-label": "Template preview" });
  let templates = [];
  const showPreview = () => {
    const t = templates.find((x) => x.template_id === picker.value);
    fill(preview, t ? [h("p", {}, h("strong", {}, "Subject: "), t.subject), h("pre", {}, t.body)] : []);
  };
  picker.addEventListener("change", showPreview);
  const loadTemplates = async (select) => {
    templates = (await json("notifier", "/v1/templates")).items;
    fill(picker, h("option", { value: "" }, templates.length ? "Choose a template" : "No templates yet: create one below"),
      templates.map((t) => h("option", { value: t.template_id, selected: t.template_id === select }, t.name)));
    showPreview();
  };
  const send = async (event) => {
    event.preventDefault();
    if (!picker.value) { status.textContent = "Choose a template first."; picker.focus(); return; }
    status.textContent = "Queuing the message…";
    try {
      const body = { location_id: client.location_id, client_id: client.client_id, template_id: picker.value };
      const { message_id: id } = await json("notifier", "/v1/messages", { method: "POST", body, key: newKey() });
      status.textContent = "Queued; waiting for the mail server…";
      const settled = await until(async () => {
        const { items } = await json("notifier", "/v1/messages", { params: { location: client.location_id, client_id: client.client_id } });
        const found = items.find((m) => m.message_id === id);
        return found && found.status !== "queued" ? found : null;
      });
      status.textContent = outcome(settled, client);
      status.dataset.outcome = settled ? settled.status : "queued";
      onDone();
    } catch (error) {
      status.textContent = error.message;
    }
  };
  fill(dialog, h("form", { onsubmit: send },
    h("h2", {}, `Message ${client.full_name || client.client_id}`),
    h("p", { class: "muted" }, `${client.email || "no email on file"} · ${client.location_id}`,
      client.balance_minor !== undefined ? ` · balance ${money(client.balance_minor, client.currency)}` : ""),
    h("div", { class: "field" }, h("label", { for: "message-template" }, "Template"), picker),
    preview,
    newTemplateForm(loadTemplates, status),
    status,
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, "Close"),
      h("button", { type: "submit" }, "Send message"))));
  dialog.showModal();
  loadTemplates().catch((error) => { status.textContent = error.message; });
}

function outcome(message, client) {
  if (!message) return "Still queued after 20 s; check the client's messages later.";
  if (message.status === "sent") return `Sent to ${client.email || client.client_id} at ${instant(message.updated_at)}.`;
  return `Not sent (${message.status}): ${message.reason || "no reason given"}.`;
}

function newTemplateForm(reload, status) {
  const name = h("input", { id: "tpl-name", maxlength: "100" });
  const subject = h("input", { id: "tpl-subject", value: "About your balance at {{location_id}}" });
  const body = h("textarea", { id: "tpl-body", rows: "4" }, "Dear {{first_name}}, your balance is {{balance}}. Please settle it at the desk.");
  const create = async () => {
    if (!name.value.trim()) { status.textContent = "Give the new template a name."; name.focus(); return; }
    try {
      const created = await json("notifier", "/v1/templates", { method: "POST", key: newKey(),
        body: { name: name.value.trim(), subject: subject.value, body: body.value } });
      await reload(created.template_id);
      details.open = false;
      status.textContent = `Template "${created.name}" created and chosen.`;
    } catch (error) {
      status.textContent = error.message;
    }
  };
  const details = h("details", { class: "new-template" }, h("summary", {}, "Create a template"),
    h("p", { class: "muted" }, "Merge fields: {{first_name}} {{last_name}} {{full_name}} {{balance}} {{location_id}}"),
    h("div", { class: "field" }, h("label", { for: "tpl-name" }, "Name"), name),
    h("div", { class: "field" }, h("label", { for: "tpl-subject" }, "Subject"), subject),
    h("div", { class: "field" }, h("label", { for: "tpl-body" }, "Body"), body),
    h("button", { type: "button", class: "secondary", onclick: create }, "Create template"));
  return details;
}
