// A generated registry for the scale test: people with Spanish-language names drawn from
// the vocabulary of registry_es.csv, and a share of them enrolled twice with the errors
// clerks make (a typo, swapped surnames, a day off, a dropped second surname or document).
import type { MatchRecord } from '../src/dedup/index';

/** Name and place vocabulary to draw from. */
export interface Vocabulary {
  readonly givenF: readonly string[];
  readonly givenM: readonly string[];
  readonly surnames: readonly string[];
  readonly places: readonly (readonly [string, string])[];
}

/** Collect a clean vocabulary (tokens seen often enough not to be typos). */
export function vocabularyOf(records: readonly MatchRecord[]): Vocabulary {
  const count = (values: string[]): string[] => {
    const c = new Map<string, number>();
    for (const v of values) c.set(v, (c.get(v) ?? 0) + 1);
    return [...c].filter(([v, n]) => n >= 20 && v !== v.toUpperCase()).map(([v]) => v);
  };
  const given = (sex: string): string[] =>
    count(records.filter((r) => r.sex === sex).flatMap((r) => r.givenNames.split(' ')));
  const surnames = count(
    records.flatMap((r) => [r.surname1 ?? '', r.surname2 ?? '']).filter((s) => s !== ''),
  );
  const places = new Map<string, readonly [string, string]>();
  for (const r of records)
    if (r.regionCode !== undefined && r.locality !== undefined)
      places.set(`${r.regionCode}|${r.locality}`, [r.regionCode, r.locality]);
  return { givenF: given('F'), givenM: given('M'), surnames, places: [...places.values()] };
}

function pick<T>(list: readonly T[], random: () => number): T {
  const v = list[Math.floor(random() * list.length)];
  if (v === undefined) throw new Error('empty vocabulary');
  return v;
}

function typo(word: string, random: () => number): string {
  if (word.length < 3) return word;
  const i = 1 + Math.floor(random() * (word.length - 2));
  const kind = random();
  if (kind < 0.33) return word.slice(0, i) + word.slice(i + 1);
  if (kind < 0.66)
    return word.slice(0, i) + (word[i + 1] ?? '') + (word[i] ?? '') + word.slice(i + 2);
  return word.slice(0, i) + pick([...'aeioulnrs'], random) + word.slice(i + 1);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function person(id: string, v: Vocabulary, random: () => number): MatchRecord {
  const isF = random() < 0.5;
  const names = isF ? v.givenF : v.givenM;
  const given =
    random() < 0.5 ? pick(names, random) : `${pick(names, random)} ${pick(names, random)}`;
  const [region, locality] = pick(v.places, random);
  const year = 1930 + Math.floor(random() * 95);
  const base = {
    id,
    givenNames: given,
    surname1: pick(v.surnames, random),
    surname2: pick(v.surnames, random),
    birthDate: `${year}-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}`,
    sex: isF ? 'F' : 'M',
    regionCode: region,
    locality,
  };
  const withDoc =
    random() < 0.6
      ? { ...base, documentNumber: `V-${5_000_000 + Math.floor(random() * 30_000_000)}` }
      : base;
  return random() < 0.5
    ? {
        ...withDoc,
        phone: `+5841${Math.floor(random() * 1e8)
          .toString()
          .padStart(8, '0')}`,
      }
    : withDoc;
}

/** A second enrolment of the same person with one or two clerical errors. */
export function duplicateOf(r: MatchRecord, id: string, random: () => number): MatchRecord {
  let d: MatchRecord = { ...r, id };
  const errors = 1 + Math.floor(random() * 2);
  for (let e = 0; e < errors; e++) {
    const kind = Math.floor(random() * 6);
    if (kind === 0) d = { ...d, givenNames: typo(d.givenNames, random) };
    else if (kind === 1 && d.surname1 !== undefined)
      d = { ...d, surname1: typo(d.surname1, random) };
    else if (kind === 2 && d.surname2 !== undefined && d.surname1 !== undefined)
      d = { ...d, surname1: d.surname2, surname2: d.surname1 };
    else if (kind === 3 && d.birthDate !== undefined)
      d = {
        ...d,
        birthDate: d.birthDate.slice(0, -1) + String((Number(d.birthDate.slice(-1)) + 1) % 10),
      };
    else if (kind === 4) {
      const { surname2: _dropped, ...rest } = d;
      d = rest;
    } else {
      const { documentNumber: _dropped, ...rest } = d;
      d = rest;
    }
  }
  return d;
}

/** Generate `people` persons, a share `duplicateShare` of them enrolled a second time. */
export function* generateRegistry(
  people: number,
  duplicateShare: number,
  v: Vocabulary,
  random: () => number,
): Generator<MatchRecord> {
  for (let i = 0; i < people; i++) {
    const p = person(`G${i}`, v, random);
    yield p;
    if (random() < duplicateShare) yield duplicateOf(p, `G${i}d`, random);
  }
}

/** A fresh person who is not in the generated registry, for enrolment checks. */
export function newPerson(id: string, v: Vocabulary, random: () => number): MatchRecord {
  return person(id, v, random);
}
