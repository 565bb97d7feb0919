// Newsletters: one template to an audience at a set time; what became of it, counted by outcome.

import { json, newKey, optional } from "./api.js";
import { fill, h, instant, isoDate } from "./dom.js";
import {
  Invalid, audienceSelect, audiences, field, form, missing, runsIn, scopeOf, templateList, templateSelect,
} from "./marketing.js";

const OUTCOMES = ["sent", "skipped", "failed", "queued"];
const POLL_MS = 2000;

export async function render(root, rest, session) {
  const [auds, tpls] = await Promise.all([audiences(), templateList()]);
  const listArea = h("div", { class: "newsletter-list", "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  fill(root,
    h("div", { class: "report-head" }, h("div", {}, h("h2", {}, "Newsletters"),
      h("p", { class: "muted" }, "One message to everyone in an audience at the time you set; each client gets it once."))),
    listArea,
    h("section", { class: "card", "aria-labelledby": "new-newsletter-h" }, h("h3", { id: "new-newsletter-h" }, "Schedule a newsletter"),
      createForm(auds, tpls, rest[0] === "new" ? rest[1] : "", session, () => poll())));
  const names = { audience: new Map((auds || []).map((a) => [a.audience_id, a.name])), template: new Map(tpls.map((t) => [t.template_id, t.name])) };
  const refresh = async () => {
    const list = await optional("notifier", "/v1/newsletters", { params: { location: session.chosenLocations() } });
    if (!list) { fill(listArea, missing("list newsletters")); return false; }
    fill(listArea, newsletterTable(list.items, names));
    return list.items.some(changing);
  };
  let timer;
  const poll = async () => {
    clearTimeout(timer);
    if (!root.contains(listArea)) return; // the person moved to another screen
    try {
      if (await refresh()) timer = setTimeout(poll, POLL_MS);
    } catch (error) { session.fail(error); }
  };
  await poll();
}

function countsOf(n) {
  return n.counts ?? n.outcomes ?? n.totals ?? {};
}

/** Worth watching: due within two minutes, or sent with messages still queued. */
function changing(n) {
  if (countsOf(n).queued) return true;
  return (n.status || "scheduled") === "scheduled" && new Date(n.send_at) - Date.now() < 120_000;
}

function newsletterTable(items, names) {
  const rows = items.length ? [...items].sort((a, b) => String(b.send_at).localeCompare(String(a.send_at))).map((n) => {
    const counts = countsOf(n);
    return h("tr", { "data-newsletter": n.newsletter_id },
      h("td", {}, n.template_name || names.template.get(n.template_id) || n.template_id),
      h("td", { class: "phone-only" }, h("span", { class: `badge ${n.status || ""}` }, statusText(n)), " ", summaryText(counts)),
      h("td", {}, h("a", { href: `#/marketing/audiences/${encodeURIComponent(n.audience_id)}` },
        n.audience_name || names.audience.get(n.audience_id) || n.audience_id)),
      h("td", { class: "nowrap" }, instant(n.send_at)),
      h("td", { class: "wide-only" }, h("span", { class: `badge ${n.status || ""}` }, statusText(n))),
      OUTCOMES.map((o) => h("td", { class: "num wide-only", "data-outcome": o }, String(counts[o] ?? 0))));
  }) : [h("tr", {}, h("td", { colspan: 8, class: "empty" }, "No newsletters yet: schedule one below."))];
  return h("div", { class: "table-wrap" }, h("table", { class: "marketing newsletters" },
    h("caption", { class: "visually-hidden" }, "Newsletters and their outcomes"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Template"), h("th", { scope: "col", class: "phone-only" }, "Outcome"),
      ["Audience", "Send at"].map((t) => h("th", { scope: "col" }, t)), h("th", { scope: "col", class: "wide-only" }, "Status"),
      ["Sent", "Skipped", "Failed", "Queued"].map((t) => h("th", { scope: "col", class: "num wide-only" }, t)))),
    h("tbody", {}, rows)));
}

function summaryText(counts) {
  const parts = OUTCOMES.filter((o) => counts[o]).map((o) => `${counts[o]} ${o}`);
  return parts.length ? parts.join(", ") : "no messages yet";
}

function statusText(n) {
  if (n.status) return n.status.replaceAll("_", " ");
  return new Date(n.send_at) > new Date() ? "scheduled" : "sending";
}

/** "yyyy-mm-dd hh:mm" (seconds optional) in UTC, like every time the page shows. */
function instantOf(text) {
  const match = String(text).trim().match(/^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/);
  if (!match || !isoDate(match[1]) || Number(match[2]) > 23 || Number(match[3]) > 59 || Number(match[4] || 0) > 59) return null;
  return `${match[1]}T${match[2]}:${match[3]}:${match[4] || "00"}Z`;
}

function createForm(auds, tpls, chosenAudience, session, refresh) {
  const inAnHour = new Date(Date.now() + 3600_000).toISOString().slice(0, 16).replace("T", " ");
  const at = h("input", { id: "nl-at", name: "send_at", placeholder: "yyyy-mm-dd hh:mm", value: inAnHour, size: "17",
    pattern: "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}(:\\d{2})?", autocomplete: "off" });
  const whenNow = h("input", { type: "radio", name: "when", value: "now", id: "nl-now",
    onchange: () => { at.disabled = true; } });
  const whenAt = h("input", { type: "radio", name: "when", value: "at", id: "nl-later", checked: true,
    onchange: () => { at.disabled = false; at.focus(); } });
  return form("new-newsletter", [
    field("nl-audience", "Audience", audienceSelect("nl-audience", auds, chosenAudience, session)),
    field("nl-template", "Template", templateSelect("nl-template", tpls)),
    h("fieldset", { class: "when" }, h("legend", {}, "When"),
      h("div", { class: "check" }, whenNow, h("label", { for: "nl-now" }, "Now")),
      h("div", { class: "check" }, whenAt, h("label", { for: "nl-later" }, "At (UTC)"), h("label", { for: "nl-at", class: "visually-hidden" }, "Send at"), at)),
    runsIn(session),
  ], "Schedule newsletter", async (data, say) => {
    const sendAt = data.get("when") === "now" ? new Date().toISOString() : instantOf(data.get("send_at"));
    if (!sendAt) throw new Invalid("Send at: write the time as yyyy-mm-dd hh:mm (UTC), like 2026-12-24 09:00.");
    if (!data.get("audience_id")) throw new Invalid("Audience: choose who gets the newsletter.");
    if (!data.get("template_id")) throw new Invalid("Template: choose what to send.");
    const body = { audience_id: data.get("audience_id"), template_id: data.get("template_id"), send_at: sendAt,
      ...scopeOf(session) };
    await json("notifier", "/v1/newsletters", { method: "POST", body, key: newKey() });
    say(`Scheduled for ${instant(sendAt)}.`);
    await refresh();
  });
}
