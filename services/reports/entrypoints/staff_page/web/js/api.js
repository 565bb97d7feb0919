// Calls to the four services' HTTP APIs with the staff token, and errors a person can read.

const TOKEN_KEY = "studio.staff.token";
const SERVICE_NAMES = { reports: "reports", credits: "credits", notifier: "notifier" };

let bases = { reports: "" };

export class ApiError extends Error {
  constructor(status, message, service) {
    super(message);
    this.status = status;
    this.service = service;
  }
}

export async function loadConfig() {
  const response = await fetch("config.json");
  const config = await response.json();
  bases = { reports: "", credits: config.credits_url, notifier: config.notifier_url };
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function url(service, path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null && one !== "") query.append(name, one);
    }
  }
  const text = query.toString();
  return `${bases[service]}${path}${text ? `?${text}` : ""}`;
}

async function send(service, path, { method = "GET", params, body, key } = {}) {
  const headers = { Authorization: `Bearer ${token.get()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (key) headers["Idempotency-Key"] = key;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  try {
    return await fetch(url(service, path, params), { method, headers, body: payload });
  } catch (error) {
    console.warn(`${method} ${path}: ${error}`);
    throw new ApiError(0, `The ${SERVICE_NAMES[service]} service is not answering. ` +
      "It may be down or restarting; try again in a moment.", service);
  }
}

/** The page's own names for the API's fields, so an error names what the person sees. */
const LABELS = {
  min_balance_minor: "Minimum credit", joined_from: "Joined from", joined_to: "Joined to",
  from: "Valid from", to: "Valid to", expiring_within_days: "Expiring within (days)", include_expired: "Include expired",
  balance: "Balance", q: "Search", limit: "Rows per page", cursor: "Page", sort: "Sort", location: "Location",
  credits: "Credits", action: "Action", note: "Note", amount_minor: "Amount", currency: "Currency",
  starts_on: "Starts on", expires_on: "Expires on", valid_from: "Valid from", valid_to: "Valid to",
  name: "Name", subject: "Subject", body: "Body", template_id: "Template", audience_id: "Audience",
  location_ids: "Locations", condition: "Condition", "condition.field": "Condition", "condition.op": "Comparison",
  "condition.value": "Value", steps: "Steps", send_at: "Send at", include_existing: "Include current members",
  client_id: "Client", location_id: "Location",
};

export function labelOf(field) {
  if (!field) return "";
  if (LABELS[field]) return LABELS[field];
  const step = String(field).match(/^steps\.(\d+)\.(after|template_id)$/);
  if (step) return `Step ${Number(step[1]) + 1} ${step[2] === "after" ? "delay" : "template"}`;
  return String(field).replace(/_minor$/, "").replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
}

/** "Input should be a valid integer" → "should be a valid whole number": a sentence after the label. */
function phrase(msg) {
  return String(msg || "is not valid").replace(/^Value error, /, "").replace(/^(Input|String|Value) should/, "should")
    .replace(/valid integer/, "valid whole number").replace(/^Field required$/, "is required")
    .replace(/^Extra inputs are not permitted$/, "is not expected here");
}

/** Both error shapes: the contract's {message, detail: [{field?, msg}]} and FastAPI's own. */
function problemsOf(body) {
  const detail = Array.isArray(body?.detail) ? body.detail : [];
  const problems = detail.map((d) => ({
    field: d.field ?? (Array.isArray(d.loc) ? d.loc.filter((p) => !["body", "query", "path", "header"].includes(p)).join(".") : undefined),
    msg: d.msg || d.message || "",
  })).filter((p) => p.msg || p.field);
  const text = body?.message || (typeof body?.detail === "string" ? body.detail : body?.detail?.message) || "";
  if (!problems.length && body?.detail?.field) problems.push({ field: body.detail.field, msg: text.replace(/^[\w.]+: /, "") });
  return { problems, text };
}

function sentenceOf({ problems, text }) {
  const joined = (p) => {
    const said = phrase(p.msg);
    return /^(should|is|must|cannot) /.test(said) ? `${labelOf(p.field)} ${said}` : `${labelOf(p.field)}: ${said}`;
  };
  if (problems.length) return problems.map((p) => (p.field ? joined(p) : phrase(p.msg))).join("; ");
  return text.replace(/^([\w.]+): /, (all, field) => (LABELS[field] || /_/.test(field) ? `${labelOf(field)}: ` : all));
}

async function failure(service, response) {
  let parsed = { problems: [], text: "" };
  try { parsed = problemsOf(await response.json()); } catch { /* not JSON */ }
  const detail = sentenceOf(parsed);
  const name = SERVICE_NAMES[service];
  const messages = {
    401: "Your sign-in is missing, invalid or expired. Sign in again with a fresh token.",
    403: `Not allowed: ${detail || "your token does not permit this"}.`,
    404: `Not found: ${detail || "no such record"}.`,
    409: `Refused by the ${name} service: ${detail}.`,
    422: `Please correct the input: ${detail}.`,
  };
  const message = messages[response.status]
    || `The ${name} service failed (HTTP ${response.status})${detail ? `: ${detail}` : ""}. Try again in a moment.`;
  const error = new ApiError(response.status, message.replace(/\.\.$/, "."), service);
  error.fields = parsed.problems.map((p) => p.field).filter(Boolean);
  // The answer for a path a service has no route for (FastAPI's own, or the one error shape's
  // "Nothing is served at …"), or for the wrong method: the endpoint is missing, not the record.
  error.noRoute = response.status === 405
    || (response.status === 404 && /^(not found$|nothing is served at )/i.test(parsed.text.trim()));
  return error;
}

export async function request(service, path, options = {}) {
  const response = await send(service, path, options);
  if (!response.ok) throw await failure(service, response);
  return response;
}

export async function json(service, path, options = {}) {
  return (await request(service, path, options)).json();
}

/** For an endpoint another branch may not have shipped yet: null when the service has no such route. */
export async function optional(service, path, options = {}) {
  try {
    return await json(service, path, options);
  } catch (error) {
    if (error instanceof ApiError && error.noRoute) return null;
    throw error;
  }
}

export function filenameOf(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = header.match(/filename="?([^";]+)"?/);
  return match ? match[1] : fallback;
}

export async function until(probe, { timeoutMs = 20000, everyMs = 300 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result) return result;
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
