// How the point-of-service app calls the API as its device: the device token as a bearer
// (never the operator's session cookie, so what the device does is the device's), the
// declared purpose on personal-data reads, and an Idempotency-Key on a redemption. A refusal
// becomes the console's ApiError (code, field, details), a network failure code NETWORK.
import { ApiError } from '../console/api';
import type { ErrorCode } from '../../src/shared/errors';

/** Options of one device call. */
export interface DeviceCall {
  body?: unknown;
  purpose?: 'service_delivery';
  idempotencyKey?: string;
}

/** Calls the API with the device token; resolves with the parsed JSON. */
export async function deviceApi<T>(
  token: string,
  method: 'GET' | 'POST',
  url: string,
  options: DeviceCall = {},
): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    authorization: `Bearer ${token}`,
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.purpose) headers['x-purpose'] = options.purpose;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'omit',
      cache: 'no-store',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch (e) {
    throw new ApiError('NETWORK', e instanceof Error ? e.message : String(e), 0);
  }
  const isJson = response.headers.get('content-type')?.includes('json') ?? false;
  const data: unknown = isJson ? await response.json().catch(() => undefined) : undefined;
  if (!response.ok) {
    const error = (
      data as
        | { error?: { code?: ErrorCode; message?: string; field?: string; details?: unknown } }
        | undefined
    )?.error;
    throw new ApiError(
      error?.code ?? (response.status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL'),
      error?.message ?? `HTTP ${response.status}`,
      response.status,
      error?.field,
      error?.details,
    );
  }
  return data as T;
}
