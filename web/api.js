// The agent's HTTP API with the token. A 401 asks for the token again; every other refusal becomes an ApiError
// carrying the API's own message (shown to the person as it is: the API words them for people).
import { ctx, store, writeToken } from './page.js';

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** A request refused for want of a (valid) token: the login is showing already, nothing else to say. */
export class Unauthorized extends Error {}

/** @returns {Record<string, string>} */
export function authHeaders() {
  const token = ctx().token;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** @param {string | null} usedToken */
export function refuseToken(usedToken) {
  if (ctx().token !== usedToken) return;
  writeToken(null);
  store.trigger.unauthorized({ usedToken });
}

/**
 * @param {string} method @param {string} path @param {unknown} [body]
 * @returns {Promise<{ data: any, headers: Headers }>}
 */
export async function request(method, path, body) {
  const usedToken = ctx().token;
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError(0, 'network_error', `The agent cannot be reached (${/** @type {Error} */ (error).message})`);
  }
  if (res.status === 401) {
    refuseToken(usedToken);
    throw new Unauthorized('unauthorized');
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const error = data && typeof data === 'object' ? data.error : null;
    throw new ApiError(
      res.status,
      error?.code ?? 'http_error',
      error?.message ? String(error.message) : `HTTP ${res.status} ${res.statusText}`,
    );
  }
  return { data, headers: res.headers };
}

/** @param {string} path */
export const get = async (path) => (await request('GET', path)).data;
/** @param {string} path @param {unknown} [body] */
export const post = async (path, body = {}) => (await request('POST', path, body)).data;

/** A sentence for a failed request. @param {unknown} error */
export function describe(error) {
  return error instanceof ApiError ? error.message : String(error);
}
