// The keyset cursor of a paged list ordered by (instant, id): opaque to the client (base64url
// of the pair), refused with a clear error when it is not one the list gave.
import { DomainError } from '../shared/errors';

/** The cursor after the row at (`at`, `id`). */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id]), 'utf8').toString('base64url');
}

/** The (instant, id) a cursor stands for; `what` names the list in the refusal. */
export function decodeCursor(cursor: string, what: string): { at: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string'
    )
      return { at: value[0], id: value[1] };
  } catch {
    // fall through to the refusal
  }
  throw new DomainError(
    'VALIDATION_FAILED',
    `cursor: not a cursor this ${what} gave (use the "next" of the previous page).`,
    'cursor',
  );
}
