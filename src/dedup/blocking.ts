// Blocking keys. A pair is compared only if the two records share a key, so the keys are
// chosen to overlap: each one survives a different kind of error (a typo in a name, a
// swapped surname order, a wrong year, a missing second surname, a year-only date), and a
// true duplicate keeps at least one of them unless several fields are wrong at once.
import type { PreparedRecord } from './normalise';

/** A 30-bit hash (a small integer for V8, so a Map keyed by it stores no heap numbers). */
export function hashKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 2) & 0x3fffffff;
}

/** The blocking keys of a record as text, each prefixed by its kind (for tests and inspection). */
export function blockingKeyTexts(r: PreparedRecord): string[] {
  const keys: string[] = [];
  if (r.document !== '') keys.push(`doc:${r.document}`);
  if (r.phone !== '') keys.push(`tel:${r.phone}`);
  if (r.email !== '') keys.push(`mail:${r.email}`);
  const given = r.givenPhonetic[0] ?? '';
  const [p1, p2] = r.surnamesPhonetic;
  const surnames = [p1, p2].filter((s) => s !== '');
  const date = r.day !== 0 ? `${r.year}-${r.month}-${r.day}` : '';
  if (surnames.length === 2 && r.year !== 0)
    keys.push(`ss+y:${[...surnames].sort().join('|')}|${r.year}`);
  if (surnames.length === 2 && given !== '')
    keys.push(`g+ss:${given}|${[...surnames].sort().join('|')}`);
  const place = r.locality !== '' ? r.locality : r.region;
  const sortedSurnames = surnames.length === 2 ? [...surnames].sort().join('|') : '';
  // Surnames with place or with day and month survive a wrong year and a misspelt given name.
  if (sortedSurnames !== '' && place !== '') keys.push(`ss+loc:${sortedSurnames}|${place}`);
  if (sortedSurnames !== '' && r.day !== 0)
    keys.push(`ss+md:${sortedSurnames}|${r.month}-${r.day}`);
  for (const s of surnames) {
    if (given !== '' && r.year !== 0) keys.push(`g+s+y:${given}|${s}|${r.year}`);
    if (date !== '') keys.push(`s+dob:${s}|${date}`);
    // A missing second surname together with a wrong year.
    if (given !== '' && place !== '') keys.push(`g+s+loc:${given}|${s}|${place}`);
  }
  if (given !== '' && date !== '') keys.push(`g+dob:${given}|${date}`);
  // The full date alone catches names swapped between fields or changed beyond a typo. At
  // national scale these blocks grow past blockRecordsMax and drop out by themselves.
  if (date !== '') keys.push(`dob:${date}`);
  if (r.postcode !== '' && given !== '') keys.push(`g+pc:${given}|${r.postcode}`);
  return keys;
}

/** The blocking keys of a record, hashed and without repeats. */
export function blockingKeys(r: PreparedRecord): number[] {
  return [...new Set(blockingKeyTexts(r).map(hashKey))];
}
