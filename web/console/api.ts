// The console's one way to call the API: same-origin JSON with the session cookie, the CSRF
// token on every call, and the declared purpose on personal-data reads. A refusal becomes an
// ApiError carrying the server's stable code and the field it names, so that a screen can show
// it in the reader's language next to that field.
import type { ErrorCode } from '../../src/shared/errors';

let csrfToken = sessionStorage.getItem('tessera.csrf') ?? '';

/** Remembers the CSRF token the server gave at sign-in (kept for this tab only). */
export function setCsrfToken(token: string): void {
  csrfToken = token;
  sessionStorage.setItem('tessera.csrf', token);
}

/** Listeners told when the server says the session is gone, so the shell can say so. */
const expiryListeners = new Set<() => void>();
export function onSessionExpired(listener: () => void): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

/** A refusal from the server, or a network failure (code NETWORK). */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly status: number,
    readonly field?: string,
    readonly details?: unknown,
    /** Set for a check the page made itself: already in the reader's words. */
    readonly said?: string,
  ) {
    super(message);
  }
}

/** A refusal the page itself makes before calling the server (two passwords differ, say). */
export function localError(field: string, words: string): ApiError {
  return new ApiError('VALIDATION_FAILED', words, 0, field, undefined, words);
}

export interface CallOptions {
  body?: unknown;
  purpose?: string;
  signal?: AbortSignal;
}

interface ErrorBody {
  error?: { code?: ErrorCode; message?: string; field?: string; details?: unknown };
}

/** Calls the API; resolves with the parsed JSON (or undefined for an empty answer). */
export async function api<T = unknown>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  options: CallOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  if (options.purpose) headers['x-purpose'] = options.purpose;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (e) {
    throw new ApiError('NETWORK', e instanceof Error ? e.message : String(e), 0);
  }
  const isJson = response.headers.get('content-type')?.includes('json') ?? false;
  const data: unknown = isJson ? await response.json() : undefined;
  if (!response.ok) {
    const error = (data as ErrorBody | undefined)?.error;
    const code = error?.code ?? (response.status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL');
    if (code === 'UNAUTHENTICATED' && !url.endsWith('/auth/sign-in'))
      for (const listener of expiryListeners) listener();
    throw new ApiError(
      code,
      error?.message ?? `HTTP ${response.status}`,
      response.status,
      error?.field,
      error?.details,
    );
  }
  return data as T;
}

/** Fetches a binary answer (a card's PNG or PDF) as a Blob, with the purpose declared. */
export async function download(url: string, purpose?: string): Promise<Blob> {
  const headers: Record<string, string> = {};
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  if (purpose) headers['x-purpose'] = purpose;
  const response = await fetch(url, { headers, credentials: 'same-origin' });
  if (!response.ok) {
    const data = (await response.json().catch(() => undefined)) as ErrorBody | undefined;
    throw new ApiError(
      data?.error?.code ?? 'INTERNAL',
      data?.error?.message ?? `HTTP ${response.status}`,
      response.status,
      data?.error?.field,
    );
  }
  return response.blob();
}
