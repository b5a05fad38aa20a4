// Grievance references: what the person is told and quotes on the phone or at an office.
// Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B),
// shown in two groups of four: 25^8 ≈ 1.5 × 10^11 references, drawn at random and checked
// against the unique index.
import { randomInt } from 'node:crypto';
import type { Queryable } from '../db';

/** The characters of a reference. */
export const referenceAlphabet = '34679ACDEFGHJKMNPQRTUVWXY';

/** A new random reference, `XXXX-XXXX`. */
export function randomReference(): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += referenceAlphabet[randomInt(referenceAlphabet.length)];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/** A reference as typed (any case, with or without the dash or spaces), or null. */
export function readReference(text: string): string | null {
  const cleaned = text.toUpperCase().replace(/[\s-]/g, '');
  if (cleaned.length !== 8 || [...cleaned].some((c) => !referenceAlphabet.includes(c))) return null;
  return `${cleaned.slice(0, 4)}-${cleaned.slice(4)}`;
}

/** A reference no grievance holds yet (a few draws at most). */
export async function uniqueReference(db: Queryable): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const candidate = randomReference();
    const taken = await db
      .selectFrom('grievances')
      .select('id')
      .where('reference', '=', candidate)
      .executeTakeFirst();
    if (!taken) return candidate;
  }
  throw new Error('invariant violated: eight random grievance references were all taken');
}
