// Writes a generated registry file in registry_es.csv's layout (with the truth in person_id),
// for `bench/dedup.ts --file` at sizes no labelled file reaches. The names and places come
// from ../shared/data/dedup/registry_es.csv (see dedup-scale.ts); rows are written as they are
// generated, so memory stays flat whatever the size.
// Run: npx tsx bench/dedup-file.ts --people 1020000 --out /tmp/registry-1m.csv
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { MatchRecord } from '../src/dedup/index';
import { dedupDataDir, loadRegistryLayout, seededRandom } from './dedup-data';
import { generateRegistry, vocabularyOf } from './dedup-scale';

const header =
  'record_id,given_names,first_surname,second_surname,sex,date_of_birth,region,locality,document_number,phone,person_id';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A CSV cell: quoted only when it must be. */
function cell(value: string | undefined): string {
  const v = value ?? '';
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function line(r: MatchRecord): string {
  // Generated duplicates are "G<n>d", the person behind them "G<n>".
  const person = r.id.endsWith('d') ? r.id.slice(0, -1) : r.id;
  return [
    r.id,
    r.givenNames,
    r.surname1,
    r.surname2,
    r.sex,
    r.birthDate,
    r.regionCode,
    r.locality,
    r.documentNumber,
    r.phone,
    person,
  ]
    .map(cell)
    .join(',');
}

const people = Number(argValue('--people') ?? 1_020_000);
const out = argValue('--out');
if (out === undefined || !Number.isInteger(people) || people < 1) {
  console.error('usage: npx tsx bench/dedup-file.ts --people N --out FILE.csv');
  process.exit(2);
}
const vocabulary = vocabularyOf(loadRegistryLayout(join(dedupDataDir, 'registry_es.csv')).records);
const stream = createWriteStream(out);
stream.write(`${header}\n`);
let rows = 0;
let chunk: string[] = [];
for (const r of generateRegistry(people, 0.03, vocabulary, seededRandom(7))) {
  chunk.push(line(r));
  rows++;
  if (chunk.length === 10_000) {
    if (!stream.write(`${chunk.join('\n')}\n`))
      await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    chunk = [];
  }
}
if (chunk.length > 0) stream.write(`${chunk.join('\n')}\n`);
await new Promise<void>((resolve, reject) =>
  stream.end((e?: Error | null) => (e ? reject(e) : resolve())),
);
console.log(`wrote ${rows} records of ${people} people to ${out}`);
console.log(JSON.stringify({ file: out, people, records: rows }));
