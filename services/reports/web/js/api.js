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

async function failure(service, response) {
  let detail = "";
  try {
    const body = await response.json();
    detail = body.message || (typeof body.detail === "string" ? body.detail : body.detail?.message) || "";
  } catch { /* not JSON */ }
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
  return new ApiError(response.status, message, service);
}

export async function request(service, path, options = {}) {
  const response = await send(service, path, options);
  if (!response.ok) throw await failure(service, response);
  return response;
}

export async function json(service, path, options = {}) {
  return (await request(service, path, options)).json();
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
