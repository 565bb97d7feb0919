// Building the page from data: text always goes in as text, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function fill(target, ...children) {
  target.replaceChildren();
  for (const child of children.flat(Infinity)) if (child) target.append(child);
  return target;
}

function digits(currency) {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

export function money(minor, currency) {
  if (minor === null || minor === undefined) return "";
  const places = digits(currency || "USD");
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor).toString().padStart(places + 1, "0");
  const whole = (places ? abs.slice(0, -places) : abs).replace(/\B(?=(\d{3})+$)/g, ",");
  const major = places ? `${whole}.${abs.slice(-places)}` : whole;
  let symbol = "";
  try {
    symbol = new Intl.NumberFormat("en", { style: "currency", currency, currencyDisplay: "narrowSymbol" })
      .formatToParts(0).find((p) => p.type === "currency")?.value || "";
  } catch { /* an unknown code: shown after the number */ }
  return symbol ? `${sign}${symbol}${major}` : `${sign}${major} ${currency}`;
}

export function moneyCell(minor, currency) {
  const tone = minor < 0 ? "owed" : minor > 0 ? "credit" : "zero";
  const label = minor < 0 ? "owed" : minor > 0 ? "in credit" : "settled";
  return h("span", { class: `money ${tone}`, title: `${money(minor, currency)} ${currency} (${label})` },
    money(minor, currency));
}

/** "12.5" or "-3" in major units to integer minor units, without floating point. */
export function toMinor(text, currency) {
  const places = digits(currency || "USD");
  const match = String(text).trim().match(/^([+-]?)(\d+)(?:\.(\d*))?$/);
  if (!match || (match[3] || "").length > places) return null;
  const minor = BigInt(match[2] + (match[3] || "").padEnd(places, "0"));
  return Number(match[1] === "-" ? -minor : minor);
}

export function day(value) {
  return value ? String(value).slice(0, 10) : "";
}

export function instant(value) {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value)
    : date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

// One date format on the whole page, inputs included: ISO yyyy-mm-dd in a text field. Chromium's
// date control shows the browser locale's format (mm/dd/yyyy here), which the page cannot change.
export const DATE_PATTERN = "\\d{4}-\\d{2}-\\d{2}";

export function dateInput(attrs = {}) {
  return h("input", { type: "text", inputmode: "numeric", pattern: DATE_PATTERN, placeholder: "yyyy-mm-dd",
    maxlength: "10", size: "11", autocomplete: "off", class: "date", ...attrs });
}

/** The text if it is a real calendar day written yyyy-mm-dd, else null. */
export function isoDate(text) {
  const value = String(text ?? "").trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value ? value : null;
}

/** PT30M, P3D, P1W, PT0S → "30 minutes", "3 days", "1 week", "at once". */
export function durationText(iso) {
  const match = String(iso || "").match(/^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/);
  if (!match) return String(iso || "");
  const units = ["week", "day", "hour", "minute", "second"];
  const parts = match.slice(1).map((n, i) => (Number(n) ? `${Number(n)} ${units[i]}${Number(n) === 1 ? "" : "s"}` : null)).filter(Boolean);
  return parts.length ? parts.join(" ") : "at once";
}

let tipCount = 0;

/** A tooltip that shows on hover, on keyboard focus and on a tap, and reads out to screen readers. */
export function withTooltip(target, text) {
  const id = `tip-${++tipCount}`;
  const tip = h("span", { class: "tooltip", role: "tooltip", id }, text);
  target.setAttribute("tabindex", "0");
  target.setAttribute("aria-describedby", id);
  const wrap = h("span", { class: "has-tooltip" }, target, tip);
  target.addEventListener("click", () => wrap.classList.toggle("open"));
  target.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { wrap.classList.remove("open"); wrap.classList.add("dismissed"); }
  });
  target.addEventListener("blur", () => wrap.classList.remove("open", "dismissed"));
  wrap.addEventListener("mouseleave", () => wrap.classList.remove("open", "dismissed"));
  return wrap;
}
