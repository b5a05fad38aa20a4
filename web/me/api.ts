// The portal's one API client: same-origin JSON, the portal session's CSRF token on every
// change, and each refusal turned into its code, field and the server's message.
import type { ErrorCode } from '../../src/shared/errors';

let csrf = '';
const expiry = new Set<() => void>();

/** Sets the CSRF token of the signed-in portal session. */
export function setCsrf(token: string): void {
  csrf = token;
}

/** Called when the server says the session is gone. */
export function onExpired(listener: () => void): void {
  expiry.add(listener);
}

/** A refusal. */
export class MeError extends Error {
  constructor(
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Calls the API; resolves with the parsed JSON. */
export async function call<T>(
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new MeError('NETWORK', e instanceof Error ? e.message : String(e));
  }
  const data = (await response.json().catch(() => undefined)) as
    { error?: { code?: ErrorCode; message?: string; field?: string } } | undefined;
  if (!response.ok) {
    const code = data?.error?.code ?? (response.status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL');
    if (code === 'UNAUTHENTICATED' && !url.includes('/sign-in')) for (const l of expiry) l();
    throw new MeError(code, data?.error?.message ?? `HTTP ${response.status}`, data?.error?.field);
  }
  return data as T;
}
