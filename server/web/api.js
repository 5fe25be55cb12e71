// @ts-check
/* global location */
/**
 * The API client: JSON in and out, the CSRF token on every write made with the session cookie,
 * and errors as ApiError carrying the problem document's title and detail (RFC 9457).
 */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} title
   * @param {string} detail
   * @param {Record<string, unknown>} [problem]
   */
  constructor(status, title, detail, problem = {}) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.problem = problem;
  }
}

/** @type {string | undefined} */
let csrfToken;

/** Set from GET /auth/me after sign-in. @param {string | undefined} token */
export function setCsrfToken(token) {
  csrfToken = token;
}

/**
 * @param {string} path
 * @param {{ method?: string, body?: unknown, query?: Record<string, string | number | boolean | undefined> }} [options]
 * @returns {Promise<any>}
 */
export async function api(path, options = {}) {
  const method = options.method ?? 'GET';
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json, application/problem+json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  // Bodiless POSTs send no content-type: the server refuses an empty JSON body.
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, { method, headers, credentials: 'same-origin', body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch (error) {
    throw new ApiError(0, 'The orchestrator cannot be reached', error instanceof Error ? error.message : String(error));
  }
  if (response.status === 204 || response.status === 304) return null;
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    if (data && typeof data === 'object') {
      throw new ApiError(response.status, String(data.title ?? response.statusText), String(data.detail ?? ''), data);
    }
    throw new ApiError(response.status, response.statusText || `HTTP ${response.status}`, typeof data === 'string' ? data.slice(0, 300) : '');
  }
  return data;
}
