// Zod pieces that several domains repeat, defined once so that the same field means the same
// thing (and has the same limits) wherever it appears.
import { z } from 'zod';
import { pageSizeMax, textCharsMax } from './limits';

/** Why a person, card, account or request changes: trimmed, 3..textCharsMax characters. */
export const reason = z.string().trim().min(3).max(textCharsMax);

/** A body that carries only a reason. */
export const reasonBody = z.object({ reason }).strict();
/** A body that carries only a reason, validated. */
export type ReasonBody = z.output<typeof reasonBody>;

/** A record id as it appears in paths and bodies: 1..64 characters. */
export const id = z.string().min(1).max(64);

/** Page size in a query string: 1..pageSizeMax. */
export const pageLimit = z.coerce.number().int().min(1).max(pageSizeMax).optional();

/** Keyset cursor that is a record id: the id of the last item of the previous page. */
export const pageAfterId = z.string().max(64).optional();

/**
 * Characters no free-text field may hold: C0 and C1 controls (a field is one line), and the
 * bidirectional overrides and isolates that make text display in another order than it is
 * stored (CVE-2021-42574, "Trojan Source"), so that what an operator reads is what is stored.
 */
export const hiddenControls =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;

/** One line of free text (address, locality, birth place): trimmed, 0..max characters. */
export function plainText(max: number) {
  return z
    .string()
    .trim()
    .max(max)
    .refine(
      (v) => !hiddenControls.test(v),
      'must not contain control or text-direction characters',
    );
}
