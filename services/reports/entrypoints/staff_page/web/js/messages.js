// A message to one client, free text or from a template, with the client's real values in a live
// preview; follows it until it is sent, skipped or failed. The notifier renders and judges; the
// page shows what it says.

import { json, newKey, optional, until } from "./api.js";
import { fill, h, instant, money } from "./dom.js";

/** The contract's merge fields: used only when the notifier does not list its own. */
const CONTRACT_FIELDS = [
  { name: "first_name", label: "First name" }, { name: "last_name", label: "Last name" },
  { name: "full_name", label: "Full name" }, { name: "balance", label: "Balance" },
  { name: "location_id", label: "Location" },
];

let fieldsCache = null;

export async function mergeFields() {
  fieldsCache ??= optional("notifier", "/v1/templates/merge-fields").then((answer) => {
    const items = Array.isArray(answer) ? answer : answer?.items || answer?.fields;
    if (!items?.length) return CONTRACT_FIELDS;
    return items.map((f) => (typeof f === "string" ? { name: f, label: f }
      : { name: f.name || f.field, label: f.label || f.description || f.name || f.field }));
  }).catch(() => CONTRACT_FIELDS);
  return fieldsCache;
}

export async function templates() {
  return (await json("notifier", "/v1/templates")).items;
}

export async function templateNames() {
  return new Map((await templates()).map((t) => [t.template_id, t.name]));
}

/** {reachable, reason} from the notifier; before it answers that, only "no email on file" is known. */
export async function reachabilityOf(client) {
  const path = `/v1/locations/${encodeURIComponent(client.location_id)}/clients/${encodeURIComponent(client.client_id)}/reachability`;
  const answer = await optional("notifier", path);
  if (answer) return { reachable: !!answer.reachable, reason: reasonText(answer.reason) || "the notifier cannot email this client" };
  return client.email ? { reachable: true } : { reachable: false, reason: "no email address on file" };
}

/** The notifier's sentence, to follow a colon: "No email address on file." → "no email address on file". */
function reasonText(reason) {
  const text = String(reason || "").trim().replace(/\.$/, "");
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

/** What became of a message, as a sentence (the mail library's raw answer made readable). */
export function outcomeSentence(message, client) {
  if (!message) return "Still queued after 20 s; check the client's messages later.";
  if (message.status === "sent") return `Sent to ${client?.email || client?.client_id} at ${instant(message.updated_at)}.`;
  if (message.status === "queued") return "Queued: not sent yet.";
  if (message.status === "skipped") return `Not sent: ${reasonText(message.reason) || "no reason given"}.`;
  return `Could not be delivered: ${reasonText(message.reason) || "no reason given"}.`;
}

export function messageLine(m, names, client) {
  const name = m.template_name || names.get(m.template_id);
  const what = m.template_id ? `Template “${name || "a deleted template"}”` : `“${m.subject || "Free text"}”`;
  const origin = m.origin === "journey" || m.origin === "newsletter"
    ? ` · from the ${m.origin}${m.origin_name ? ` “${m.origin_name}”` : ""}` : "";
  return h("li", { "data-message": m.message_id },
    h("span", { class: `badge ${m.status}` }, m.status), " ",
    h("span", {}, `${instant(m.created_at)} · ${what}${origin}`),
    h("span", { class: "outcome" }, outcomeSentence(m, client)));
}

/** Buttons that put {{field}} where the cursor was in the last of `targets` that had focus. */
export function mergeFieldPicker(targets, onInsert = () => {}) {
  let last = targets[targets.length - 1];
  for (const t of targets) t.addEventListener("focus", () => { last = t; });
  const list = h("div", { class: "merge-fields", role: "group", "aria-label": "Merge fields" },
    h("span", { class: "muted" }, "Insert:"));
  mergeFields().then((fields) => list.append(...fields.map((f) => h("button", {
    type: "button", class: "chip", "data-field": f.name, title: `Insert {{${f.name}}}`,
    onclick: () => {
      const tag = `{{${f.name}}}`;
      const at = last.selectionStart ?? last.value.length;
      last.setRangeText(tag, at, last.selectionEnd ?? at, "end");
      last.focus();
      onInsert();
    },
  }, f.label || f.name))));
  return list;
}

/** A preview area the notifier fills with the client's real values; stale answers are dropped. */
export function livePreview(clientOf) {
  const area = h("div", { class: "preview", "aria-live": "polite", "aria-label": "Preview with the client's values" });
  let turn = 0;
  let pause;
  const update = (content) => {
    clearTimeout(pause);
    pause = setTimeout(async () => {
      const mine = ++turn;
      const client = typeof clientOf === "function" ? clientOf() : clientOf;
      if (!content) { fill(area); return; }
      if (!client) { fill(area, h("p", { class: "muted" }, "Choose a client to preview with their values.")); return; }
      if (content.subject !== undefined && (!content.subject.trim() || !content.body.trim())) {
        fill(area, h("p", { class: "muted" }, "Write a subject and a message to see the preview."));
        return;
      }
      try {
        const body = { location_id: client.location_id, client_id: client.client_id, ...content };
        const shown = await optional("notifier", "/v1/messages/preview", { method: "POST", body });
        if (mine !== turn) return;
        fill(area, shown
          ? [h("p", { class: "preview-label muted" }, `Preview for ${client.full_name || client.client_id}`),
            h("p", { class: "preview-subject" }, h("strong", {}, "Subject: "), shown.subject), h("pre", { class: "preview-body" }, shown.body)]
          : [h("p", { class: "muted" }, "This notifier cannot preview with the client's values yet; merge fields are shown as written."),
            h("p", {}, h("strong", {}, "Subject: "), content.subject ?? ""), h("pre", {}, content.body ?? "")]);
      } catch (error) {
        if (mine === turn) fill(area, h("p", { class: "error-text preview-error" }, error.message));
      }
    }, 250);
  };
  return { area, update };
}

export function openMessageDialog(client, session, onDone = () => {}) {
  const dialog = document.getElementById("message-dialog");
  const status = h("p", { class: "dialog-status", role: "status", "aria-live": "polite" });
  const sendButton = h("button", { type: "submit" }, "Send message");
  const { area: preview, update } = livePreview(client);
  const picker = h("select", { id: "message-template" }, h("option", { value: "" }, "Loading templates…"));
  const subject = h("input", { id: "message-subject", maxlength: "500", value: "About your balance, {{first_name}}" });
  const body = h("textarea", { id: "message-body", rows: "5", maxlength: "50000" },
    "Dear {{first_name}},\n\nyour balance at the studio is {{balance}}. Please settle it at the desk on your next visit.\n");
  const mode = () => dialog.querySelector("input[name=message-mode]:checked")?.value || "write";
  const content = () => (mode() === "template"
    ? (picker.value ? { template_id: picker.value } : null)
    : { subject: subject.value, body: body.value });
  const refreshPreview = () => update(content());
  const writePart = h("div", { class: "write-part" },
    h("div", { class: "field" }, h("label", { for: "message-subject" }, "Subject"), subject),
    h("div", { class: "field" }, h("label", { for: "message-body" }, "Message"), body),
    mergeFieldPicker([subject, body], refreshPreview));
  const templatePart = h("div", { class: "field template-part", hidden: true },
    h("label", { for: "message-template" }, "Template"), picker);
  const switchMode = () => {
    writePart.hidden = mode() !== "write";
    templatePart.hidden = mode() !== "template";
    refreshPreview();
  };
  for (const input of [subject, body]) input.addEventListener("input", refreshPreview);
  picker.addEventListener("change", refreshPreview);
  const send = async (event) => {
    event.preventDefault();
    const chosen = content();
    if (!chosen) { status.textContent = "Choose a template first."; picker.focus(); return; }
    if (chosen.subject !== undefined && (!chosen.subject.trim() || !chosen.body.trim())) {
      status.textContent = "Write a subject and a message first."; (chosen.subject.trim() ? body : subject).focus(); return;
    }
    sendButton.disabled = true;
    delete status.dataset.outcome;
    status.textContent = "Queuing the message…";
    try {
      const request = { location_id: client.location_id, client_id: client.client_id, ...chosen };
      const { message_id: id } = await json("notifier", "/v1/messages", { method: "POST", body: request, key: newKey() });
      status.textContent = "Queued; waiting for the mail server…";
      const settled = await until(async () => {
        const { items } = await json("notifier", "/v1/messages", { params: { location: client.location_id, client_id: client.client_id } });
        const found = items.find((m) => m.message_id === id);
        return found && found.status !== "queued" ? found : null;
      });
      status.textContent = outcomeSentence(settled, client);
      status.dataset.outcome = settled ? settled.status : "queued";
      onDone();
    } catch (error) {
      status.textContent = error.message;
    } finally {
      sendButton.disabled = false;
    }
  };
  const reach = h("p", { class: "reach muted" });
  fill(dialog, h("form", { onsubmit: send },
    h("h2", {}, `Message ${client.full_name || client.client_id}`),
    h("p", { class: "muted" }, `${client.email || "no email on file"} · ${session.locationName(client.location_id)}`,
      client.balance_minor !== undefined && client.balance_minor !== null ? ` · balance ${money(client.balance_minor, client.currency)}` : ""),
    reach,
    h("fieldset", { class: "segmented small" }, h("legend", {}, "Compose"),
      h("label", {}, h("input", { type: "radio", name: "message-mode", value: "write", checked: true, onchange: switchMode }), h("span", {}, "Write a message")),
      h("label", {}, h("input", { type: "radio", name: "message-mode", value: "template", onchange: switchMode }), h("span", {}, "Use a template"))),
    writePart, templatePart,
    preview,
    status,
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, "Close"),
      sendButton)));
  dialog.showModal();
  refreshPreview();
  reachabilityOf(client).then((r) => {
    if (r.reachable) return;
    fill(reach, `This client cannot be emailed: ${r.reason}.`);
    reach.className = "reach error-text";
    sendButton.disabled = true;
    sendButton.title = `Not offered: ${r.reason}`;
  }).catch(() => {});
  templates().then((items) => fill(picker,
    h("option", { value: "" }, items.length ? "Choose a template" : "No templates yet: create one under Templates"),
    items.map((t) => h("option", { value: t.template_id }, t.name))))
    .catch((error) => { status.textContent = error.message; });
}
