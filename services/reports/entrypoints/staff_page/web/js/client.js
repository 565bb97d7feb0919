// One client: profile and balance, package bars, membership periods, account history, and for
// admins the adjustments and messages. After a change the page waits until the reports show it.

import { json, newKey, until } from "./api.js";
import { dateInput, day, fill, h, instant, isoDate, money, moneyCell, toMinor, withTooltip } from "./dom.js";
import { messageLine, openMessageDialog, reachabilityOf, templateNames } from "./messages.js";

export async function renderClient(root, locationId, clientId, session) {
  const path = `/v1/locations/${encodeURIComponent(locationId)}/clients/${encodeURIComponent(clientId)}`;
  let data;
  try {
    data = await load(path);
  } catch (error) {
    fill(root, h("p", {}, h("a", { href: "#/report/account-balances" }, "← Back to reports")));
    session.fail(error);
    return;
  }
  const refresh = () => renderClient(root, locationId, clientId, session);
  const ctx = { path, session, data, refresh, locationId, clientId };
  session.learnNames([data.profile]);
  session.lastClient = { location_id: locationId, client_id: clientId, full_name: data.profile.full_name };
  fill(root,
    h("p", {}, h("a", { href: "#/report/account-balances" }, "← Back to reports")),
    profileCard(ctx),
    h("div", { class: "client-grid" },
      h("section", { "aria-labelledby": "packages-h", class: "card" }, h("h3", { id: "packages-h" }, "Session packages"),
        data.credits.packages.length ? data.credits.packages.map((p) => packageBlock(p, ctx)) : h("p", { class: "muted" }, "No packages.")),
      h("section", { "aria-labelledby": "memberships-h", class: "card" }, h("h3", { id: "memberships-h" }, "Memberships"),
        data.credits.memberships.length ? data.credits.memberships.map((m) => membershipBlock(m, ctx)) : h("p", { class: "muted" }, "No membership periods."))),
    historySection(ctx),
    session.isAdmin() ? messagesSection(ctx) : null);
}

async function load(path) {
  const [profile, credits, history] = await Promise.all([
    json("reports", path), json("reports", `${path}/credits`), json("reports", `${path}/account/history`, { params: { limit: 25 } }),
  ]);
  return { profile, credits, history };
}

function profileCard(ctx) {
  const { data, session, refresh, locationId, clientId } = ctx;
  const p = data.profile;
  const account = p.account;
  return h("section", { class: "card profile", "aria-labelledby": "client-name" },
    h("div", {},
      h("h2", { id: "client-name" }, p.full_name || clientId),
      h("p", { class: "muted" }, `${clientId} · ${(session.me.location_names || {})[locationId] || locationId}`),
      h("dl", { class: "facts" },
        h("dt", {}, "Email"), h("dd", {}, p.email || "—"), h("dt", {}, "Phone"), h("dd", {}, p.phone || "—"),
        h("dt", {}, "Joined"), h("dd", {}, day(p.join_date) || "—"))),
    h("div", { class: "balance-box" },
      h("span", { class: "muted" }, "Account balance"),
      account ? h("strong", { id: "client-balance" }, moneyCell(account.balance_minor, account.currency)) : h("strong", {}, "No account yet"),
      account && account.account_credit_balance_minor > 0
        ? h("span", { class: "muted" }, `of which unexpired credit ${money(account.account_credit_balance_minor, account.currency)}`) : null,
      session.isAdmin() ? messageButton({ ...p, ...(account || {}) }, ctx) : null),
    session.isAdmin() ? accountForm(ctx) : null);
}

/** Offered only when the notifier says the client can receive mail; otherwise the reason, in its words. */
function messageButton(client, ctx) {
  const slot = h("div", { class: "message-slot" });
  const offer = () => fill(slot, h("button", { type: "button", class: "secondary",
    onclick: () => openMessageDialog(client, ctx.session, ctx.refresh) }, "✉ Send a message"));
  reachabilityOf(client).then((reach) => {
    if (reach.reachable) offer();
    else fill(slot, h("p", { class: "not-reachable", id: "not-reachable" }, `No messages: ${reach.reason}.`));
  }, () => offer());
  return slot;
}

function bar(p) {
  const total = Math.max(p.total, 1);
  const part = (name, n) => h("span", { class: `seg ${name.toLowerCase()}`, style: `width:${(100 * n) / total}%`,
    "data-count": n }, n ? String(n) : "");
  const exact = `Available ${p.available} · Booked ${p.booked} · Used ${p.used} · Total ${p.total}`;
  const shape = h("div", { class: "bar", role: "img", "aria-label": `${p.available} available, ${p.booked} booked, ${p.used} used of ${p.total}`,
    "data-exact": exact }, part("Available", p.available), part("Booked", p.booked), part("Used", p.used));
  return withTooltip(shape, exact);
}

function packageBlock(p, ctx) {
  return h("article", { class: "package", "data-package": p.package_id },
    h("div", { class: "row" }, h("h4", {}, p.package_name), h("span", { class: `badge ${p.status}` }, p.status)),
    h("p", { class: "muted validity" }, `${p.package_id} · valid from `, h("span", { class: "nowrap" }, day(p.starts_on)), " ",
      p.expires_on ? ["to ", h("span", { class: "nowrap" }, day(p.expires_on))] : "· never expires"),
    bar(p),
    h("p", { class: "legend" },
      h("span", { class: "key available" }, `${p.available} available`), h("span", { class: "key booked" }, `${p.booked} booked`),
      h("span", { class: "key used" }, `${p.used} used`), h("span", {}, `${p.total} total`)),
    adjustmentList(p.adjustments),
    ctx.session.isAdmin() ? [packageForm(p, ctx), validityForm(p, ctx)] : null);
}

function membershipBlock(m, ctx) {
  const admin = ctx.session.isAdmin();
  return h("article", { class: "membership", "data-membership": m.membership_id },
    h("h4", {}, m.membership_name), h("p", { class: "muted" }, m.membership_id),
    h("table", { class: "periods" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Period"), h("th", { scope: "col", class: "num" }, "Used / Max"))),
      h("tbody", {}, m.periods.map((period) => h("tr", { "data-period": period.period_key || period.starts_on },
        h("td", { class: "nowrap" }, `${day(period.starts_on)} – ${day(period.ends_on)}`),
        h("td", { class: "num usage", title: `${period.used} used of ${period.max ?? "unlimited"}` },
          `${period.used} / ${period.max ?? "∞"}`))))),
    m.periods.filter((period) => period.adjustments?.length).map((period) =>
      h("div", { class: "period-adjustments" }, h("p", { class: "muted small" }, `Changes to ${day(period.starts_on)} – ${day(period.ends_on)}`),
        adjustmentList(period.adjustments, true))),
    admin ? m.periods.map((period) => periodForm(m, period, ctx)) : null);
}

function historySection(ctx) {
  const { history } = ctx.data;
  const body = h("tbody", {});
  const addRows = (items) => body.append(...items.map((e) => h("tr", {},
    h("td", { class: "nowrap" }, instant(e.at)), h("td", { class: "num" }, moneyCell(e.amount_minor, e.currency)),
    h("td", { class: "num" }, moneyCell(e.balance_after_minor, e.currency)), h("td", {}, e.type),
    h("td", {}, e.note || ""), h("td", { class: "optional" }, e.actor || ""))));
  addRows(history.items);
  let cursor = history.next_cursor;
  const more = h("button", { type: "button", class: "secondary", hidden: !cursor, onclick: async () => {
    try {
      const page = await json("reports", `${ctx.path}/account/history`, { params: { limit: 25, cursor } });
      addRows(page.items);
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) { ctx.session.fail(error); }
  } }, "Older entries");
  return h("section", { class: "card", "aria-labelledby": "history-h" }, h("h3", { id: "history-h" }, "Account history"),
    history.items.length ? h("div", { class: "table-wrap" }, h("table", { class: "history" },
      h("thead", {}, h("tr", {}, ["Date", "Amount", "Balance", "Type", "Note"].map((t, i) =>
        h("th", { scope: "col", class: i === 1 || i === 2 ? "num" : undefined }, t)), h("th", { scope: "col", class: "optional" }, "By"))),
      body)) : h("p", { class: "muted" }, "No account entries yet."),
    more);
}

function messagesSection(ctx) {
  const list = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  Promise.all([json("notifier", "/v1/messages", { params: { location: ctx.locationId, client_id: ctx.clientId } }), templateNames()])
    .then(([{ items }, names]) => fill(list, items.length
      ? h("ul", { class: "messages" }, items.map((m) => messageLine(m, names, ctx.data.profile)))
      : h("p", { class: "muted" }, "No messages yet.")))
    .catch((error) => fill(list, h("p", { class: "error-text" }, error.message)));
  return h("section", { class: "card", "aria-labelledby": "messages-h" }, h("h3", { id: "messages-h" }, "Messages"), list);
}

/** Every staff change to a package or a period, newest first: what changed, the note, who and when. */
function adjustmentList(adjustments, period = false) {
  if (!adjustments?.length) return null;
  const newest = [...adjustments].sort((a, b) => String(b.at).localeCompare(String(a.at)));
  return [h("p", { class: "muted small adjustments-title" }, "Staff changes"),
    h("ul", { class: "adjustments", "aria-label": "Staff changes" }, newest.map((a) => h("li", {},
    h("span", { class: "what" }, adjustmentText(a, period)),
    a.note ? h("q", { class: "note" }, a.note) : h("span", { class: "muted" }, "no note"),
    h("span", { class: "muted by" }, `${a.actor || "unknown staff"} · ${instant(a.at)}`))))];
}

/** What one adjustment changed (`changed`); its starts_on / expires_on are the validity after it. */
function adjustmentText(a, period) {
  const changed = a.changed?.length ? a.changed : (a.credits ? ["credits"] : []);
  const parts = [];
  if (changed.includes("credits")) parts.push(`${a.action === "deduct" ? "Deducted" : "Added"} ${a.credits} credit${a.credits === 1 ? "" : "s"}`);
  if (changed.includes("starts_on")) parts.push(`${period ? "valid from" : "starts on"} ${day(a.starts_on)}`);
  if (changed.includes("expires_on")) {
    parts.push(a.expires_on ? `${period ? "valid to" : "expires on"} ${day(a.expires_on)}` : "never expires");
  }
  if (!parts.length) return "Changed";
  const text = parts.join(", ");
  return text[0].toUpperCase() + text.slice(1);
}

// --- admin forms ---------------------------------------------------------------------------

function field(id, label, control, hint) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint ? h("small", { class: "muted" }, hint) : null);
}

function actionPicker(name) {
  return h("fieldset", { class: "segmented small" }, h("legend", {}, "Action"),
    h("label", {}, h("input", { type: "radio", name, value: "add", checked: true }), h("span", {}, "Add")),
    h("label", {}, h("input", { type: "radio", name, value: "deduct" }), h("span", {}, "Deduct")));
}

function adminForm(title, id, controls, submit) {
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  const form = h("form", { class: "admin-form", id, novalidate: true }, controls, status,
    h("button", { type: "submit" }, "Save"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    status.className = "form-status";
    try {
      await submit(new FormData(form), (text) => { status.textContent = text; });
    } catch (error) {
      status.className = "form-status error-text";
      status.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  });
  return h("details", { class: "admin" }, h("summary", {}, title), form);
}

class Invalid extends Error {}

function positiveInt(value, label, min = 1) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Invalid(`${label} must be a whole number of at least ${min}.`);
  return n;
}

async function applied(ctx, say, probe, what) {
  say("Saved. Waiting for the reports to show the change…");
  const seen = await until(async () => probe(await json("reports", `${ctx.path}/credits`)));
  if (!seen) { say(`${what} was saved, but the reports have not shown it yet; refresh in a moment.`); return; }
  ctx.session.notify(`${what}: the page shows the new numbers.`);
  await ctx.refresh();
}

function packageForm(p, ctx) {
  const id = `adjust-${p.package_id}`;
  return adminForm("Adjust credits", id, [
    actionPicker(`${id}-action`),
    field(`${id}-credits`, "Credits", h("input", { id: `${id}-credits`, name: "credits", type: "number", min: "1", step: "1", required: true })),
    field(`${id}-note`, "Note (optional)", h("input", { id: `${id}-note`, name: "note", maxlength: "500" })),
  ], async (form, say) => {
    const body = { action: form.get(`${id}-action`), credits: positiveInt(form.get("credits"), "Credits"), note: form.get("note") || null };
    const answer = await json("credits", `${ctx.path}/packages/${encodeURIComponent(p.package_id)}/adjustments`,
      { method: "POST", body, key: newKey() });
    await applied(ctx, say, (view) => {
      const now = view.packages.find((x) => x.package_id === p.package_id);
      return now && now.total === answer.total && now.available === answer.available;
    }, `${body.action === "add" ? "Added" : "Deducted"} ${body.credits} credit${body.credits === 1 ? "" : "s"} on ${p.package_name}`);
  });
}

function dateOrNull(text, label) {
  if (!String(text ?? "").trim()) return null;
  const value = isoDate(text);
  if (!value) throw new Invalid(`${label} must be a date written yyyy-mm-dd, like 2026-12-31.`);
  return value;
}

/** Starts on, expires on or never: only what changed is sent; the credits service judges it. */
function validityForm(p, ctx) {
  const id = `validity-${p.package_id}`;
  const expires = dateInput({ id: `${id}-expires`, name: "expires_on", value: day(p.expires_on), disabled: !p.expires_on });
  const never = h("input", { type: "checkbox", id: `${id}-never`, name: "never", checked: !p.expires_on,
    onchange: (e) => { expires.disabled = e.target.checked; if (!e.target.checked) expires.focus(); } });
  return adminForm("Change validity", id, [
    field(`${id}-starts`, "Starts on", dateInput({ id: `${id}-starts`, name: "starts_on", value: day(p.starts_on) })),
    field(`${id}-expires`, "Expires on", expires),
    h("div", { class: "field check" }, never, h("label", { for: `${id}-never` }, "Never expires")),
    field(`${id}-note`, "Note", h("input", { id: `${id}-note`, name: "note", maxlength: "500", placeholder: "Why it changes" })),
  ], async (form, say) => {
    const body = { note: String(form.get("note") || "").trim() || null };
    const starts = dateOrNull(form.get("starts_on"), "Starts on");
    if (starts && starts !== day(p.starts_on)) body.starts_on = starts;
    const neverNow = form.get("never") === "on";
    const ends = neverNow ? null : dateOrNull(form.get("expires_on"), "Expires on");
    if (!neverNow && !ends) throw new Invalid("Expires on needs a date written yyyy-mm-dd, or tick Never expires.");
    if ((ends || null) !== (p.expires_on ? day(p.expires_on) : null)) body.expires_on = ends;
    if (!("starts_on" in body) && !("expires_on" in body)) throw new Invalid("Nothing to change: the dates are as they were.");
    const answer = await json("credits", `${ctx.path}/packages/${encodeURIComponent(p.package_id)}/adjustments`,
      { method: "POST", body, key: newKey() });
    const what = [body.starts_on ? `starts on ${body.starts_on}` : null,
      "expires_on" in body ? (body.expires_on ? `expires on ${body.expires_on}` : "never expires") : null].filter(Boolean).join(", ");
    await applied(ctx, say, (view) => {
      const now = view.packages.find((x) => x.package_id === p.package_id);
      return now && day(now.starts_on) === day(answer.starts_on ?? now.starts_on)
        && (now.expires_on ? day(now.expires_on) : null) === ("expires_on" in body ? body.expires_on : (p.expires_on ? day(p.expires_on) : null))
        && (!body.note || (now.adjustments || [{ note: body.note }]).some((a) => a.note === body.note));
    }, `${p.package_name} now ${what}`);
  });
}

function periodForm(m, period, ctx) {
  const key = period.period_key || period.starts_on;
  const id = `period-${m.membership_id}-${key}`;
  return adminForm(["Adjust the period ", h("span", { class: "nowrap" }, `${day(period.starts_on)} – ${day(period.ends_on)}`)], id, [
    actionPicker(`${id}-action`),
    field(`${id}-credits`, "Credits", h("input", { id: `${id}-credits`, name: "credits", type: "number", min: "0", step: "1", value: "0" }),
      period.max === null ? "Unlimited: only the validity can move." : null),
    field(`${id}-from`, "Valid from", dateInput({ id: `${id}-from`, name: "valid_from", value: day(period.starts_on) })),
    field(`${id}-to`, "Valid to", dateInput({ id: `${id}-to`, name: "valid_to", value: day(period.ends_on) })),
    field(`${id}-note`, "Note (optional)", h("input", { id: `${id}-note`, name: "note", maxlength: "500" })),
  ], async (form, say) => {
    const body = { action: form.get(`${id}-action`), credits: positiveInt(form.get("credits") || 0, "Credits", 0),
      valid_from: dateOrNull(form.get("valid_from"), "Valid from"), valid_to: dateOrNull(form.get("valid_to"), "Valid to"),
      note: form.get("note") || null };
    if (body.valid_from && body.valid_to && body.valid_to < body.valid_from) throw new Invalid("Valid to must not be before valid from.");
    const answer = await json("credits", `${ctx.path}/memberships/${encodeURIComponent(m.membership_id)}/periods/${key}/adjustments`,
      { method: "POST", body, key: newKey() });
    await applied(ctx, say, (view) => view.memberships.find((x) => x.membership_id === m.membership_id)?.periods.some((x) =>
      (x.period_key || x.starts_on) === key && x.max === answer.max && day(x.starts_on) === day(answer.starts_on)
      && day(x.ends_on) === day(answer.ends_on)), `Period ${key} of ${m.membership_name} adjusted`);
  });
}

function accountForm(ctx) {
  const currency = ctx.data.profile.account?.currency || "USD";
  const id = "account-adjust";
  return adminForm("Manual money adjustment", id, [
    field(`${id}-amount`, `Amount (${currency})`, h("input", { id: `${id}-amount`, name: "amount", inputmode: "decimal", placeholder: "e.g. 20.00 or -5.50", required: true }),
      "Positive adds credit, negative records an amount owed."),
    field(`${id}-currency`, "Currency", h("input", { id: `${id}-currency`, name: "currency", value: currency, maxlength: "3", required: true })),
    field(`${id}-note`, "Note (required)", h("input", { id: `${id}-note`, name: "note", maxlength: "500", required: true })),
  ], async (form, say) => {
    const code = String(form.get("currency")).trim().toUpperCase();
    const amount = toMinor(form.get("amount"), code);
    if (!amount) throw new Invalid("Amount must be a non-zero number like 20.00 or -5.50.");
    const note = String(form.get("note")).trim();
    if (!note) throw new Invalid("A note is required: say why the balance changes.");
    const answer = await json("credits", `${ctx.path}/account/adjustments`,
      { method: "POST", body: { amount_minor: amount, currency: code, note }, key: newKey() });
    say("Saved. Waiting for the reports to show the change…");
    const seen = await until(async () => {
      const [history, profile] = await Promise.all([
        json("reports", `${ctx.path}/account/history`, { params: { limit: 1 } }), json("reports", ctx.path)]);
      return history.items[0]?.balance_after_minor === answer.balance_minor && history.items[0]?.note === note
        && profile.account?.balance_minor === answer.balance_minor;
    });
    if (!seen) { say("The adjustment was saved, but the reports have not shown it yet; refresh in a moment."); return; }
    ctx.session.notify(`Adjusted the balance by ${money(amount, code)}; new balance ${money(answer.balance_minor, code)}.`);
    await ctx.refresh();
  });
}
