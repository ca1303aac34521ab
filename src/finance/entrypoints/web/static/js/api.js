// The pages' client of the JSON API. The tokens live in sessionStorage, so a session ends with
// the tab; an access token that has expired is renewed once with the refresh token, and a
// session that cannot be renewed goes back to the sign-in page.

const store = window.sessionStorage;
const ACCESS = "finance.access";
const REFRESH = "finance.refresh";
const USER = "finance.user";
export const LOGIN_PAGE = "/app/login/";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `The request failed (${status}).`);
    this.status = status;
    this.errors = (body && body.errors) || {};
  }

  /** Field messages of one location (`json`, `query`, `files`…): {field: [messages]}. */
  fields(location = "json") {
    return this.errors[location] || {};
  }
}

export function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

let renewal = null;

function renew() {
  // One renewal at a time: the refresh token is spent by its first use.
  if (!renewal) {
    renewal = (async () => {
      const refresh = store.getItem(REFRESH);
      if (!refresh) return false;
      const response = await fetch("/api/auth/refresh/", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh }),
      }).catch(() => null);
      if (!response || !response.ok) return false;
      const tokens = await response.json();
      store.setItem(ACCESS, tokens.access);
      store.setItem(REFRESH, tokens.refresh);
      return true;
    })().finally(() => {
      renewal = null;
    });
  }
  return renewal;
}

function goToLogin() {
  endSession();
  const next = window.location.pathname + window.location.search;
  window.location.assign(withQuery(LOGIN_PAGE, { next }));
}

async function body(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/**
 * Call the API. Options: `query` (object), `json` (a body to send as JSON), or `body` with
 * `contentType`; `headers`; `raw: true` to get the Response of a success (for CSV).
 * Resolves to {data, headers, status}; rejects with an ApiError.
 */
export async function call(method, path, options = {}) {
  const url = withQuery(path, options.query);
  for (let attempt = 0; ; attempt += 1) {
    const headers = { Accept: "application/json", ...(options.headers || {}) };
    const token = store.getItem(ACCESS);
    if (token) headers.Authorization = `Bearer ${token}`;
    const init = { method, headers };
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      if (options.contentType) headers["Content-Type"] = options.contentType;
      init.body = options.body;
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      throw new ApiError(0, { message: "The server could not be reached. Try again." });
    }
    if (response.status === 401 && token) {
      if (attempt === 0 && (await renew())) continue;
      goToLogin();
      throw new ApiError(401, { message: "Your session has ended. Sign in again." });
    }
    if (response.ok && options.raw) return response;
    const data = await body(response);
    if (!response.ok) throw new ApiError(response.status, data);
    return { data, headers: response.headers, status: response.status };
  }
}

export const get = (path, query) => call("GET", path, { query });

/** Every user, read in pages of 100 (up to 5,000): for the owner pickers of admins. */
export async function everyUser() {
  const found = [];
  for (let page = 1; page <= 50; page += 1) {
    const { data } = await get("/api/users/", { page, page_size: 100 });
    found.push(...data.results);
    if (!data.next) break;
  }
  return found;
}

export async function signIn(email, password) {
  const response = await fetch("/api/auth/login/", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ email, password }),
  }).catch(() => null);
  if (!response) throw new ApiError(0, { message: "The server could not be reached. Try again." });
  const data = await body(response);
  if (!response.ok) throw new ApiError(response.status, data);
  store.setItem(ACCESS, data.access);
  store.setItem(REFRESH, data.refresh);
  const me = await get("/api/auth/me/");
  store.setItem(USER, JSON.stringify(me.data));
  return me.data;
}

export async function signOut() {
  const refresh = store.getItem(REFRESH);
  if (store.getItem(ACCESS)) {
    await call("POST", "/api/auth/logout/", { json: refresh ? { refresh } : {} }).catch(() => {});
  }
  endSession();
}

export function endSession() {
  store.removeItem(ACCESS);
  store.removeItem(REFRESH);
  store.removeItem(USER);
}

export function signedIn() {
  return store.getItem(ACCESS) !== null;
}

/** The signed-in user ({id, email, name, role, …}), as the API last described them. */
export async function currentUser() {
  const kept = store.getItem(USER);
  if (kept) return JSON.parse(kept);
  const me = await get("/api/auth/me/");
  store.setItem(USER, JSON.stringify(me.data));
  return me.data;
}
