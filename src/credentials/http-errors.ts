// A refused card, key or list keeps its stable reason code over HTTP, so clients can act on it.
import type { ErrorTranslator } from '../http/errors';
import { isCredentialError, type ReasonCode } from './errors';

/** Card refusals whose input could not even be read: a malformed request, not a verdict. */
const unreadableCredentialCodes: ReadonlySet<ReasonCode> = new Set([
  'BAD_PREFIX',
  'BAD_BASE45',
  'BAD_COMPRESSION',
  'BAD_CBOR',
  'NOT_COSE',
  'TOO_LARGE',
  'TOO_DEEP',
]);

/** 400 for a card that cannot be read at all, 422 for one read and refused. */
export const credentialHttpErrors: ErrorTranslator = (error) =>
  isCredentialError(error)
    ? {
        status: unreadableCredentialCodes.has(error.code) ? 400 : 422,
        code: error.code,
        message: error.message,
      }
    : null;
