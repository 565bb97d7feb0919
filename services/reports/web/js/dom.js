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
