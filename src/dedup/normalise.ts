// Normalisation of Spanish-language names and of the other fields, done once per record
// so that comparing two prepared records costs only string comparisons.
import { nicknameTargets } from './nicknames';
import { spanishPhonetic } from './phonetic';
import type { MatchRecord } from './types';

/** Words that join a name but do not identify it. */
const particles = new Set([
  'de',
  'del',
  'la',
  'las',
  'los',
  'da',
  'das',
  'do',
  'dos',
  'y',
  'e',
  'van',
  'von',
  'di',
]);

/** Abbreviations of given names written out in forms and old registers. */
const givenAbbreviations: Readonly<Record<string, string>> = {
  ma: 'maria',
  jo: 'jose',
  fco: 'francisco',
  fca: 'francisca',
  jn: 'juan',
  ant: 'antonio',
  gmo: 'guillermo',
};

/** A record in the form the comparisons and blocking keys read. */
export interface PreparedRecord {
  readonly id: string;
  /** Given-name tokens with nicknames replaced by their (first) full name. */
  readonly given: readonly string[];
  /** Given-name tokens as written (folded), to recognise ambiguous nicknames. */
  readonly givenRaw: readonly string[];
  readonly givenPhonetic: readonly string[];
  /** The given-name tokens joined by spaces, kept to avoid re-joining in every comparison. */
  readonly givenJoined: string;
  /** Up to two surnames, '' when absent; particles removed ("De La Cruz" is "cruz"). */
  readonly surnames: readonly [string, string];
  readonly surnamesPhonetic: readonly [string, string];
  /** A husband's surname written as "de Pérez", kept apart from the person's own surnames. */
  readonly marriedSurname: string;
  /** 0 when unknown. */
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** 'YYYYMMDD' when the date is complete, else ''. */
  readonly dateDigits: string;
  /** Days since 1970-01-01 when the date is complete, else 0. */
  readonly dayNumber: number;
  readonly sex: string;
  readonly region: string;
  readonly locality: string;
  readonly document: string;
  readonly phone: string;
  readonly address: string;
  readonly postcode: string;
  readonly email: string;
  /** The mailbox name, the part of the e-mail address before the '@'. */
  readonly emailUser: string;
}

/** Lower case, accents and punctuation removed, spaces collapsed; "Mª" becomes "ma". */
export function foldText(text: string | undefined): string {
  if (text === undefined) return '';
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Given-name tokens: particles dropped, abbreviations and nicknames expanded. */
export function normaliseGivenNames(text: string): { tokens: string[]; raw: string[] } {
  const raw = foldText(text)
    .split(' ')
    .filter((t) => t !== '' && !particles.has(t) && !/^[0-9]+$/.test(t));
  const tokens: string[] = [];
  for (const t of raw) {
    const expanded = givenAbbreviations[t] ?? nicknameTargets(t)[0] ?? t;
    tokens.push(...expanded.split(' '));
  }
  return { tokens, raw };
}

/**
 * One surname field: leading particles removed ("Del Valle" is "valle"), and a trailing
 * "de X" taken as a married name ("González de Pérez"). Several content words are joined
 * ("San Martín" is "sanmartin") unless `splitTwo` asks for two surnames typed in one field.
 */
export function normaliseSurname(text: string | undefined): { main: string[]; married: string } {
  const words = foldText(text)
    .split(' ')
    .filter((t) => t !== '');
  const main: string[] = [];
  let married = '';
  let i = 0;
  while (i < words.length && particles.has(words[i] ?? '')) i++;
  const current: string[] = [];
  for (; i < words.length; i++) {
    const w = words[i] ?? '';
    if ((w === 'de' || w === 'del') && current.length > 0) {
      married = words
        .slice(i + 1)
        .filter((t) => !particles.has(t))
        .join('');
      break;
    }
    if (!particles.has(w)) current.push(w);
  }
  if (current.length > 0) main.push(current.join(''));
  return { main, married };
}

function digitsOf(text: string | undefined): string {
  return (text ?? '').replace(/[^0-9]/g, '');
}

/** A phone number reduced to its last nine digits, so "+58 414…" and "0414…" agree. */
export function normalisePhone(text: string | undefined): string {
  const d = digitsOf(text);
  return d.length < 7 ? '' : d.slice(-9);
}

/** A document number reduced to its digits with leading zeros dropped ("V-0123" is "123"). */
export function normaliseDocument(text: string | undefined): string {
  const d = digitsOf(text).replace(/^0+/, '');
  return d.length < 4 ? '' : d;
}

/** Days in a month of the proleptic Gregorian calendar (the one ISO 8601 dates use). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Year, month and day of a 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' or 'YYYYMMDD' date; 0 when
 * unknown. Any calendar date from year 1 to 9999 counts, since historical records carry
 * centuries-old ones; a month or day that no calendar has (a typo, "1955-11-92") leaves only
 * the parts that are real.
 */
export function parseBirthDate(text: string | undefined): {
  year: number;
  month: number;
  day: number;
} {
  const d = digitsOf(text);
  const year = d.length >= 4 ? Number(d.slice(0, 4)) : 0;
  const month = d.length >= 6 ? Number(d.slice(4, 6)) : 0;
  const day = d.length >= 8 ? Number(d.slice(6, 8)) : 0;
  if (year < 1) return { year: 0, month: 0, day: 0 };
  if (month < 1 || month > 12) return { year, month: 0, day: 0 };
  return { year, month, day: day >= 1 && day <= daysInMonth(year, month) ? day : 0 };
}

/** Days since 1970-01-01 of a calendar date, for any year (Date.UTC reads 0..99 as 1900..1999). */
export function dayNumberOf(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return Math.round(date.getTime() / 86_400_000);
}

function normaliseSex(text: string | undefined): string {
  const s = foldText(text);
  if (s === '') return '';
  const c = s[0] ?? '';
  if (c === 'm' || c === 'h') return 'm'; // masculino, hombre
  if (c === 'f') return 'f';
  return s;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Distinct texts remembered by each normalisation memo before it is emptied. A registry
 * repeats the same given names, surnames and places endlessly, so preparing a million
 * records mostly looks texts up; the bound keeps memory flat when they do not repeat.
 */
const normaliseMemoEntriesMax = 200_000;

function memoOf<T>(f: (text: string) => T): (text: string) => T {
  let memo = new Map<string, T>();
  return (text) => {
    const hit = memo.get(text);
    if (hit !== undefined) return hit;
    if (memo.size >= normaliseMemoEntriesMax) memo = new Map();
    const value = f(text);
    memo.set(text, value);
    return value;
  };
}

interface PreparedGiven {
  readonly given: readonly string[];
  readonly givenRaw: readonly string[];
  readonly givenPhonetic: readonly string[];
  readonly givenJoined: string;
}

const prepareGiven = memoOf((text: string): PreparedGiven => {
  const given = normaliseGivenNames(text);
  return {
    given: given.tokens,
    givenRaw: given.raw,
    givenPhonetic: given.tokens.map(spanishPhonetic),
    givenJoined: given.tokens.join(' '),
  };
});

interface PreparedSurnames {
  readonly surnames: readonly [string, string];
  readonly surnamesPhonetic: readonly [string, string];
  readonly marriedSurname: string;
}

/** Both surname fields, joined by a character that folding never leaves in a text. */
const prepareSurnames = memoOf((both: string): PreparedSurnames => {
  const cut = both.indexOf('\u0000');
  const text1 = both.slice(0, cut);
  const first = normaliseSurname(text1);
  const second = normaliseSurname(both.slice(cut + 1));
  let own = [...first.main, ...second.main];
  // Both surnames typed into the first field ("Pérez González") with the second left empty.
  if (own.length === 1 && second.main.length === 0 && first.married === '') {
    const words = foldText(text1)
      .split(' ')
      .filter((t) => !particles.has(t) && t !== '');
    if (words.length === 2) own = words;
  }
  const s1 = own[0] ?? '';
  const s2 = own[1] ?? '';
  return {
    surnames: [s1, s2],
    surnamesPhonetic: [spanishPhonetic(s1), spanishPhonetic(s2)],
    marriedSurname: second.married !== '' ? second.married : first.married,
  };
});

const foldPlace = memoOf(foldText);

/** Prepare a record once for blocking and comparison. */
export function prepareRecord(record: MatchRecord): PreparedRecord {
  const given = prepareGiven(record.givenNames);
  const names = prepareSurnames(`${record.surname1 ?? ''}\u0000${record.surname2 ?? ''}`);
  const date = parseBirthDate(record.birthDate);
  const email = (record.email ?? '').trim().toLowerCase();
  const isFullDate = date.day !== 0;
  return {
    id: record.id,
    given: given.given,
    givenRaw: given.givenRaw,
    givenPhonetic: given.givenPhonetic,
    givenJoined: given.givenJoined,
    surnames: names.surnames,
    surnamesPhonetic: names.surnamesPhonetic,
    marriedSurname: names.marriedSurname,
    year: date.year,
    month: date.month,
    day: date.day,
    dateDigits: isFullDate
      ? `${String(date.year).padStart(4, '0')}${pad2(date.month)}${pad2(date.day)}`
      : '',
    dayNumber: isFullDate ? dayNumberOf(date.year, date.month, date.day) : 0,
    sex: normaliseSex(record.sex),
    region: foldPlace(record.regionCode ?? ''),
    locality: foldPlace(record.locality ?? ''),
    document: normaliseDocument(record.documentNumber),
    phone: normalisePhone(record.phone),
    address: foldText(record.address),
    postcode: digitsOf(record.postcode),
    email,
    emailUser: email.split('@')[0] ?? '',
  };
}
