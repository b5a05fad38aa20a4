// Field comparisons. Each comparison maps a pair of prepared records to a level: 0 is the
// strongest agreement, the last level is disagreement, and `nullLevel` means one side has
// no value, which carries no evidence either way. Level labels are part of the model file,
// so a model trained on one set of definitions is refused by another.
import type { PreparedRecord } from './normalise';
import { damerauLevenshtein, jaroWinkler } from './similarity';

/** Level returned when either side lacks the field. */
export const nullLevel = -1;

/** One field comparison: a name, its level labels (strongest first) and the function. */
export interface Comparison {
  readonly name: string;
  readonly levels: readonly string[];
  readonly compare: (a: PreparedRecord, b: PreparedRecord) => number;
}

/**
 * Entries kept by each similarity memo before it is emptied. Names repeat a great deal in
 * a registry, so a batch run asks about the same pairs of words again and again; the
 * bound keeps memory flat when they do not.
 */
const memoEntriesMax = 500_000;

/** A memo of a symmetric function of two strings, emptied when it grows past its bound. */
function memoOfPairs(f: (a: string, b: string) => number): (a: string, b: string) => number {
  let memo = new Map<string, Map<string, number>>();
  let entries = 0;
  return (a, b) => {
    const isOrdered = a < b;
    const x = isOrdered ? a : b;
    const y = isOrdered ? b : a;
    let row = memo.get(x);
    const hit = row?.get(y);
    if (hit !== undefined) return hit;
    if (entries >= memoEntriesMax) {
      memo = new Map();
      entries = 0;
      row = undefined;
    }
    if (row === undefined) memo.set(x, (row = new Map()));
    const value = f(x, y);
    row.set(y, value);
    entries++;
    return value;
  };
}

const jaroWinklerMemo = memoOfPairs(jaroWinkler);
const wordsCloseMemo = memoOfPairs((a, b) =>
  (a.length >= 4 && b.length >= 4 && damerauLevenshtein(a, b, 1) <= 1) || jaroWinkler(a, b) >= 0.92
    ? 1
    : 0,
);

/** Two name words agree allowing for a typo or a spelling that sounds the same. */
function wordsAgree(a: string, b: string, pa: string, pb: string): boolean {
  if (a === b) return true;
  if (pa !== '' && pa === pb) return true;
  if (a === '' || b === '') return false;
  return wordsCloseMemo(a, b) === 1;
}

/** The first given name agrees with one of the surnames. */
function givenAgreesWithSurname(a: PreparedRecord, b: PreparedRecord): boolean {
  const g = a.given[0] ?? '';
  const pg = a.givenPhonetic[0] ?? '';
  if (g.length < 2) return false;
  for (let j = 0; j < 2; j++) {
    const s = b.surnames[j] ?? '';
    if (s !== '' && wordsAgree(g, s, pg, b.surnamesPhonetic[j] ?? '')) return true;
  }
  return false;
}

/**
 * Given name and surname written in each other's field ("Hall, Isla" for "Isla Hall"),
 * which forms and clerks do often enough to deserve a level of its own.
 */
export function namesSwapped(a: PreparedRecord, b: PreparedRecord): boolean {
  return givenAgreesWithSurname(a, b) && givenAgreesWithSurname(b, a);
}

/** An initial ("M.") or a full word agrees with a word. */
function tokenCompatible(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length === 1) return b.startsWith(a);
  if (b.length === 1) return a.startsWith(b);
  return false;
}

/** The shorter list is a prefix of the longer one, token by token, initials allowed. */
function prefixCompatible(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  if (n === 0) return false;
  for (let i = 0; i < n; i++) if (!tokenCompatible(a[i] ?? '', b[i] ?? '')) return false;
  return true;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A raw nickname on one side stands for (any of) the other side's first name. */
function nicknameBridge(a: PreparedRecord, b: PreparedRecord): boolean {
  return (
    a.givenRaw.length > 0 &&
    b.given.length > 0 &&
    a.givenRaw[0] !== a.given[0] &&
    a.given[0] === b.given[0]
  );
}

function shareFullToken(a: readonly string[], b: readonly string[]): boolean {
  for (const x of a) if (x.length > 1 && b.includes(x)) return true;
  return false;
}

/**
 * Given names: exact, compatible (extra name or initial), typo, similar, one name shared,
 * swapped with the surname, different.
 */
export function compareGivenNames(a: PreparedRecord, b: PreparedRecord): number {
  if (a.given.length === 0 || b.given.length === 0) return nullLevel;
  if (sameList(a.given, b.given)) return 0;
  if (prefixCompatible(a.given, b.given)) return 1;
  if (sameList(a.givenPhonetic, b.givenPhonetic)) return 2;
  const jw = jaroWinklerMemo(a.givenJoined, b.givenJoined);
  if (jw >= 0.94) return 2;
  const fa = a.given[0] ?? '';
  const fb = b.given[0] ?? '';
  const firstAgree = wordsAgree(fa, fb, a.givenPhonetic[0] ?? '', b.givenPhonetic[0] ?? '');
  if (firstAgree && (a.given.length === 1 || b.given.length === 1)) return 2;
  if (nicknameBridge(a, b) || nicknameBridge(b, a)) return 3;
  // "María Elena" and "María Teresa" look alike as strings but are two sisters' names.
  if (shareFullToken(a.given, b.given)) return 4;
  if (jw >= 0.88) return 3;
  return namesSwapped(a, b) ? 5 : 6;
}

type SurnameMatch = 0 | 1 | 2; // 0 exact, 1 fuzzy, 2 different

function surnamePair(a: PreparedRecord, i: number, b: PreparedRecord, j: number): SurnameMatch {
  const x = a.surnames[i] ?? '';
  const y = b.surnames[j] ?? '';
  if (x === y) return 0;
  return wordsAgree(x, y, a.surnamesPhonetic[i] ?? '', b.surnamesPhonetic[j] ?? '') ? 1 : 2;
}

/** A married name ("de Pérez") on one side equals a surname on the other. */
function marriedBridge(a: PreparedRecord, b: PreparedRecord): boolean {
  return (
    a.marriedSurname !== '' &&
    (a.marriedSurname === b.surnames[0] || a.marriedSurname === b.surnames[1])
  );
}

/**
 * Surnames compared crosswise, since the order is often swapped and either may be missing:
 * both exact in order, both exact swapped, both agree with typos, one agrees and the other
 * is missing, one agrees and the other differs, none agrees.
 */
export function compareSurnames(a: PreparedRecord, b: PreparedRecord): number {
  const [a1, a2] = a.surnames;
  const [b1, b2] = b.surnames;
  if (a1 === '' || b1 === '') return nullLevel;
  const hasBoth = a2 !== '' && b2 !== '';
  if (hasBoth) {
    const straight = [surnamePair(a, 0, b, 0), surnamePair(a, 1, b, 1)] as const;
    if (straight[0] === 0 && straight[1] === 0) return 0;
    const crossed = [surnamePair(a, 0, b, 1), surnamePair(a, 1, b, 0)] as const;
    if (crossed[0] === 0 && crossed[1] === 0) return 1;
    if ((straight[0] < 2 && straight[1] < 2) || (crossed[0] < 2 && crossed[1] < 2)) return 2;
    const anyExact = straight.includes(0) || crossed.includes(0);
    const anyFuzzy = anyExact || straight.includes(1) || crossed.includes(1);
    if (anyFuzzy || marriedBridge(a, b) || marriedBridge(b, a)) return 5;
    return namesSwapped(a, b) ? 6 : 7;
  }
  // At least one side has a single surname: it may be either of the other side's.
  let best: SurnameMatch = 2;
  for (let i = 0; i < 2; i++) {
    if (a.surnames[i] === '') continue;
    for (let j = 0; j < 2; j++) {
      if (b.surnames[j] === '') continue;
      const m = surnamePair(a, i, b, j);
      if (m < best) best = m;
    }
  }
  if (best === 0) return 3;
  if (best === 1) return 4;
  if (marriedBridge(a, b) || marriedBridge(b, a)) return 5;
  return namesSwapped(a, b) ? 6 : 7;
}

/**
 * Birth date: exact, same year where one side gives only the year, day and month swapped,
 * one day apart, one digit off (a typo in the year included), same year otherwise, different.
 */
export function compareBirthDates(a: PreparedRecord, b: PreparedRecord): number {
  if (a.year === 0 || b.year === 0) return nullLevel;
  const aFull = a.day !== 0;
  const bFull = b.day !== 0;
  if (aFull && bFull) {
    if (a.year === b.year && a.month === b.month && a.day === b.day) return 0;
    if (a.year === b.year && a.month === b.day && a.day === b.month) return 2;
    if (Math.abs(a.dayNumber - b.dayNumber) === 1) return 3;
    if (damerauLevenshtein(a.dateDigits, b.dateDigits, 1) <= 1) return 4;
    return a.year === b.year ? 5 : 6;
  }
  if (a.year === b.year) {
    const monthsClash = a.month !== 0 && b.month !== 0 && a.month !== b.month;
    return monthsClash ? 5 : 1;
  }
  return damerauLevenshtein(String(a.year), String(b.year), 1) <= 1 ? 4 : 6;
}

function exactOrNull(a: string, b: string): number {
  if (a === '' || b === '') return nullLevel;
  return a === b ? 0 : 1;
}

/** Digits strings: exact, one digit off or two adjacent digits transposed, different. */
function compareDigits(a: string, b: string): number {
  if (a === '' || b === '') return nullLevel;
  if (a === b) return 0;
  return damerauLevenshtein(a, b, 1) <= 1 ? 1 : 2;
}

/** Place of residence: same locality, same region only, different. */
export function comparePlace(a: PreparedRecord, b: PreparedRecord): number {
  if (a.locality !== '' && b.locality !== '') {
    if (a.locality === b.locality || jaroWinklerMemo(a.locality, b.locality) >= 0.92) return 0;
    if (a.region !== '' && a.region === b.region) return 1;
    return 2;
  }
  if (a.region === '' || b.region === '') return nullLevel;
  return a.region === b.region ? 1 : 2;
}

/** Street address: exact, close, similar, different. */
export function compareAddress(a: PreparedRecord, b: PreparedRecord): number {
  if (a.address === '' || b.address === '') return nullLevel;
  if (a.address === b.address) return 0;
  const jw = jaroWinkler(a.address, b.address);
  if (jw >= 0.92) return 1;
  return jw >= 0.8 ? 2 : 3;
}

/** E-mail: exact, same mailbox name or close, different. */
export function compareEmail(a: PreparedRecord, b: PreparedRecord): number {
  if (a.email === '' || b.email === '') return nullLevel;
  if (a.email === b.email) return 0;
  if (a.emailUser === b.emailUser || jaroWinkler(a.email, b.email) >= 0.9) return 1;
  return 2;
}

/** Level labels of the given-name comparison, strongest first. */
export const givenNameLevels = [
  'exact',
  'compatible (extra name or initial)',
  'typo or phonetic',
  'similar or nickname',
  'one name shared',
  'swapped with a surname',
  'different',
] as const;

/** Level labels of the birth-date comparison, strongest first. */
export const birthDateLevels = [
  'exact',
  'same year, one side year only',
  'day and month swapped',
  'one day apart',
  'one digit off',
  'same year only',
  'different',
] as const;

const birthDateMissing = 'missing';
const givenMissing = 'missing';
const jointLevels = [...givenNameLevels, givenMissing].flatMap((g) =>
  [...birthDateLevels, birthDateMissing].map((d) => `given ${g}, birth date ${d}`),
);

/**
 * Given names and birth date judged together, because they are not independent evidence:
 * twins share a date but not a name, a son may share his father's name but not his date,
 * and only the same person usually shares both.
 */
export function compareGivenNamesAndBirthDate(a: PreparedRecord, b: PreparedRecord): number {
  const g = compareGivenNames(a, b);
  const d = compareBirthDates(a, b);
  // Without a given name the birth date still counts, in a row of its own.
  if (g === nullLevel && d === nullLevel) return nullLevel;
  const width = birthDateLevels.length + 1;
  const row = g === nullLevel ? givenNameLevels.length : g;
  return row * width + (d === nullLevel ? birthDateLevels.length : d);
}

/** The comparisons of the default model, in the order the model file lists them. */
export const comparisons: readonly Comparison[] = [
  {
    name: 'given_names_and_birth_date',
    levels: jointLevels,
    compare: compareGivenNamesAndBirthDate,
  },
  {
    name: 'surnames',
    levels: [
      'both exact',
      'both exact, swapped',
      'both agree with typos',
      'one agrees exactly, other missing',
      'one agrees with a typo, other missing',
      'one agrees, other differs',
      'swapped with the given name',
      'different',
    ],
    compare: compareSurnames,
  },
  { name: 'sex', levels: ['same', 'different'], compare: (a, b) => exactOrNull(a.sex, b.sex) },
  {
    name: 'document_number',
    levels: ['exact', 'one digit off or transposed', 'different'],
    compare: (a, b) => compareDigits(a.document, b.document),
  },
  {
    name: 'phone',
    levels: ['exact', 'one digit off or transposed', 'different'],
    compare: (a, b) => compareDigits(a.phone, b.phone),
  },
  { name: 'place', levels: ['same locality', 'same region', 'different'], compare: comparePlace },
  { name: 'address', levels: ['exact', 'close', 'similar', 'different'], compare: compareAddress },
  {
    name: 'postcode',
    levels: ['exact', 'one digit off', 'different'],
    compare: (a, b) => compareDigits(a.postcode, b.postcode),
  },
  { name: 'email', levels: ['exact', 'same mailbox or close', 'different'], compare: compareEmail },
];

/** The level of every comparison for one pair, written into `out`. */
export function compareRecords(a: PreparedRecord, b: PreparedRecord, out: Int8Array): Int8Array {
  for (let c = 0; c < comparisons.length; c++) out[c] = comparisons[c]?.compare(a, b) ?? nullLevel;
  return out;
}
