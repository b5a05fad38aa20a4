// Blocking keys. A pair is compared only if the two records share a key, so the keys are
// chosen to overlap: each one survives a different kind of error (a typo in a name, a
// swapped surname order, names swapped between fields, a wrong year, a missing field, a
// year-only date), and a true duplicate keeps at least one of them unless several fields
// are wrong at once. Keys that are weak on their own (a surname with a town, a given name
// with a year) keep a small cap. A block that grows past its cap in a national registry is
// split by a further field (twice at most, see refiners) rather than dropped, so that
// common names stay searchable.
import type { PreparedRecord } from './normalise';

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;

/** A 30-bit hash of a key's text (blockingKeys uses 29 of them and a bit for weak kinds). */
export function hashKey(text: string): number {
  let h = fnvOffset;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, fnvPrime);
  }
  return (h >>> 2) & 0x3fffffff;
}

/**
 * Kinds of key that are weak on their own: one name with a coarse second field. They keep
 * a much smaller block-size cap (weakBlockRecordsMax), which the hashed key carries in
 * its top bit, so that in a registry of any size they add only small blocks.
 */
const weakKinds = new Set([
  'dob',
  'n+n',
  'a+a',
  's+loc',
  'g+loc',
  's+y',
  'g+y',
  's+md',
  'g+md',
  's+pc',
  'maild',
]);

/** The bit of a hashed key that marks it weak. */
export const weakKeyBit = 0x20000000;

/** True when a hashed key is of a weak kind. */
export function isWeakKey(key: number): boolean {
  return (key & weakKeyBit) !== 0;
}

/** Where keys go: as text (for tests and inspection) or hashed (for the index). */
interface KeySink {
  /** A key of `kind` made of `parts`, written as `kind:part1|part2|…`. */
  key(kind: string, ...parts: readonly (string | number)[]): void;
}

function hashText(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, fnvPrime);
  }
  return h;
}

/** A further field that splits a block grown too big (see refinersOf). */
type Refiner = (r: PreparedRecord) => string;

const byYear: Refiner = (r) => (r.year === 0 ? '' : String(r.year));
const byMonthDay: Refiner = (r) => (r.day === 0 ? '' : `${r.month}-${r.day}`);
const byPlace: Refiner = (r) => (r.locality !== '' ? r.locality : r.region);
const bySex: Refiner = (r) => r.sex;
const byGiven: Refiner = (r) => r.givenPhonetic[0] ?? '';
const bySurname: Refiner = (r) => r.surnamesPhonetic[0] ?? '';

/**
 * For each kind of key, the two further fields that split its block, in turn, when it holds
 * more records than its cap: each is a field the key does not already hold, so that José
 * González born in 1980 stays findable by his place, then by his birthday, instead of his
 * block being dropped. A record that lacks the field joins the part of those that lack it.
 */
const refiners: Readonly<Record<string, readonly [Refiner, Refiner]>> = {
  doc: [byGiven, byYear],
  tel: [byGiven, byYear],
  mail: [byGiven, byYear],
  mailu: [byYear, byPlace],
  maild: [bySurname, byGiven],
  'ss+y': [byPlace, byMonthDay],
  'g+ss': [byYear, byPlace],
  'ss+loc': [byYear, byGiven],
  'ss+md': [byYear, byPlace],
  'g+s+y': [byPlace, byMonthDay],
  's+dob': [byGiven, byPlace],
  'g+s+loc': [byYear, byMonthDay],
  'n+n': [byYear, byPlace],
  's+loc': [byYear, byGiven],
  's+pc': [byYear, byGiven],
  's+y': [byPlace, byMonthDay],
  's+md': [byYear, byPlace],
  'a+a': [byYear, byPlace],
  'g+dob': [byPlace, bySurname],
  dob: [byPlace, bySex],
  'g+pc': [byYear, bySurname],
  'g+loc': [byYear, bySurname],
  'g+y': [byPlace, byMonthDay],
  'g+md': [byYear, byPlace],
};

/** The hash of a refining field's value; 0 stands for a record without it. */
function refinementHash(value: string): number {
  return value === '' ? 0 : hashKey(value) | 1;
}

/**
 * The key of the part of block `key` whose records have the refining value `refinement`
 * (from blockingKeysRefined), keeping the weak-kind bit. Applied twice for the second split.
 */
export function refinedKey(key: number, refinement: number): number {
  let h = Math.imul(key ^ 0x5bd1e995, fnvPrime) ^ refinement;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return ((h >>> 2) & (weakKeyBit - 1)) | (key & weakKeyBit);
}

/** Hashes each key without building its text; equal to hashKey of the key's text. */
function hashingSink(out: number[], r?: PreparedRecord, refinements?: number[]): KeySink {
  return {
    key(kind, ...parts) {
      let h = hashText(fnvOffset, kind);
      h = hashText(h, ':');
      for (let i = 0; i < parts.length; i++) {
        if (i > 0) h = hashText(h, '|');
        const part = parts[i] ?? '';
        h = hashText(h, typeof part === 'number' ? String(part) : part);
      }
      const hashed = (h >>> 2) & (weakKeyBit - 1);
      const key = weakKinds.has(kind) ? hashed | weakKeyBit : hashed;
      if (out.includes(key)) return;
      out.push(key);
      if (r === undefined || refinements === undefined) return;
      const pair = refiners[kind];
      if (pair === undefined)
        throw new Error(`unreachable: blocking key kind ${kind} has no refiners`);
      const [first, second] = pair;
      refinements.push(refinementHash(first(r)), refinementHash(second(r)));
    },
  };
}

function textSink(out: string[]): KeySink {
  return { key: (kind, ...parts) => out.push(`${kind}:${parts.join('|')}`) };
}

/** Identifiers that a clerk copies rather than retypes: one key each. */
function identifierKeys(r: PreparedRecord, sink: KeySink): void {
  if (r.document !== '') sink.key('doc', r.document);
  if (r.phone !== '') sink.key('tel', r.phone);
  if (r.email !== '') sink.key('mail', r.email);
  // The mailbox name survives a typo in the domain, the domain a typo in the name.
  if (r.emailUser.length >= 3) sink.key('mailu', r.emailUser);
  const domain = r.email.slice(r.emailUser.length + 1);
  if (domain.length >= 3) sink.key('maild', domain);
}

/** The letters of a word in order: typed letters swapped ("Rwoe", "Mosrir") keep it. */
function letterSet(word: string): string {
  return word.length < 3 ? word : [...word].sort().join('');
}

/** Both surnames (in either order) with a second field. */
function surnamePairKeys(r: PreparedRecord, given: string, place: string, sink: KeySink): void {
  const [p1, p2] = r.surnamesPhonetic;
  if (p1 === '' || p2 === '') return;
  const sorted = p1 < p2 ? `${p1}|${p2}` : `${p2}|${p1}`;
  if (r.year !== 0) sink.key('ss+y', sorted, r.year);
  if (given !== '') sink.key('g+ss', given, sorted);
  // Surnames with place or with day and month survive a wrong year and a misspelt given name.
  if (place !== '') sink.key('ss+loc', sorted, place);
  if (r.day !== 0) sink.key('ss+md', sorted, `${r.month}-${r.day}`);
}

/** Each surname on its own with a second field. */
function surnameKeys(
  r: PreparedRecord,
  given: string,
  date: string,
  place: string,
  sink: KeySink,
): void {
  for (const s of r.surnamesPhonetic) {
    if (s === '') continue;
    if (given !== '' && r.year !== 0) sink.key('g+s+y', given, s, r.year);
    if (date !== '') sink.key('s+dob', s, date);
    // A missing second surname together with a wrong year.
    if (given !== '' && place !== '') sink.key('g+s+loc', given, s, place);
    // Given name and surname without the date, in either order: survives a garbled date
    // and names written in each other's field.
    if (given !== '') sink.key('n+n', ...(given < s ? [given, s] : [s, given]));
    // A missing given name with a wrong date.
    if (place !== '') sink.key('s+loc', s, place);
    if (r.postcode !== '') sink.key('s+pc', s, r.postcode);
    if (r.year !== 0) sink.key('s+y', s, r.year);
    if (r.day !== 0) sink.key('s+md', s, r.month, r.day);
  }
  const givenWord = r.given[0] ?? '';
  if (givenWord === '') return;
  const g = letterSet(givenWord);
  for (const surname of r.surnames) {
    if (surname === '') continue;
    const s = letterSet(surname);
    sink.key('a+a', ...(g < s ? [g, s] : [s, g]));
  }
}

function writeKeys(r: PreparedRecord, sink: KeySink): void {
  identifierKeys(r, sink);
  const given = r.givenPhonetic[0] ?? '';
  const date = r.day !== 0 ? `${r.year}-${r.month}-${r.day}` : '';
  const place = r.locality !== '' ? r.locality : r.region;
  surnamePairKeys(r, given, place, sink);
  surnameKeys(r, given, date, place, sink);
  if (given !== '' && date !== '') sink.key('g+dob', given, date);
  // The full date alone catches names changed beyond a typo; in a national registry it
  // holds hundreds of people, so it is a weak key.
  if (date !== '') sink.key('dob', date);
  if (given !== '' && r.postcode !== '') sink.key('g+pc', given, r.postcode);
  // A missing surname with a wrong date.
  if (given !== '' && place !== '') sink.key('g+loc', given, place);
  if (given !== '' && r.year !== 0) sink.key('g+y', given, r.year);
  if (given !== '' && r.day !== 0) sink.key('g+md', given, r.month, r.day);
}

/** The blocking keys of a record as text, each prefixed by its kind (for tests and inspection). */
export function blockingKeyTexts(r: PreparedRecord): string[] {
  const keys: string[] = [];
  writeKeys(r, textSink(keys));
  return keys;
}

/** The blocking keys of a record, hashed (29 bits, plus weakKeyBit for weak kinds) and without repeats. */
export function blockingKeys(r: PreparedRecord): number[] {
  const keys: number[] = [];
  writeKeys(r, hashingSink(keys));
  return keys;
}

/** The hashed keys of a record with, for key k, its two refining hashes at refinements[2k] and [2k + 1]. */
export function blockingKeysRefined(r: PreparedRecord): { keys: number[]; refinements: number[] } {
  const keys: number[] = [];
  const refinements: number[] = [];
  writeKeys(r, hashingSink(keys, r, refinements));
  return { keys, refinements };
}
