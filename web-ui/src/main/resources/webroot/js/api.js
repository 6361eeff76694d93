// Talking to the gateway: JSON in and out, the session's CSRF token on every change, one error shape.
let csrfToken = null;
let operatorAuth = null;

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.reason ? body.reason : `request failed (${status})`);
    this.status = status;
    this.body = body || {};
  }
}

export function setCsrf(token) { csrfToken = token; }
export function currentCsrf() { return csrfToken; }
export function setOperator(user, password) {
  operatorAuth = user ? 'Basic ' + btoa(unescape(encodeURIComponent(`${user}:${password}`))) : null;
}
export function operatorSignedIn() { return operatorAuth !== null; }

export async function call(method, path, body, { asOperator = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken && !asOperator) headers['X-CSRF-Token'] = csrfToken;
  if (asOperator && operatorAuth) headers.Authorization = operatorAuth;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: asOperator ? 'omit' : 'same-origin' });
  return answer(res);
}

// A file as the whole body (media uploads), with the operator's credentials.
export async function uploadAsOperator(path, file) {
  const res = await fetch(path, { method: 'PUT', credentials: 'omit', body: file,
    headers: { Accept: 'application/json', 'Content-Type': 'application/octet-stream', Authorization: operatorAuth || '' } });
  return answer(res);
}

async function answer(res) {
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { reason: text }; }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const get = (path, opts) => call('GET', path, undefined, opts);
export const post = (path, body, opts) => call('POST', path, body ?? {}, opts);
