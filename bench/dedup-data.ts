// Loaders for the labelled files in ../shared/data/dedup (see its README for each file's
// truth). Each returns records in the matcher's shape plus the true person of each record.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { MatchRecord } from '../src/dedup/index';

/** The shared data folder, resolved from this file (the project root's sibling `shared`). */
export const dedupDataDir = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'shared',
  'data',
  'dedup',
);

/** Records with their truth: `personOf[i]` identifies the person behind `records[i]`. */
export interface LabelledSet {
  readonly name: string;
  readonly records: MatchRecord[];
  readonly personOf: Map<string, string>;
}

type Row = Record<string, string>;

function readRows(path: string): Row[] {
  // The labelled files are not in the repository (tests use a small subset in test/fixtures).
  if (!existsSync(path))
    throw new Error(
      `${path} is missing: the dedup benchmarks read the labelled files of ../shared/data/dedup, ` +
        'a folder beside the project root (see its README)',
    );
  return parse(readFileSync(path, 'utf8'), {
    columns: true,
    trim: true,
    skip_empty_lines: true,
  }) as Row[];
}

function opt(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Build a record, leaving out empty fields (exactOptionalPropertyTypes forbids undefined values). */
function record(fields: Record<string, string | undefined>): MatchRecord {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') out[k] = v;
  return out as unknown as MatchRecord;
}

/** A file in registry_es.csv's layout; truth in person_id; empty cells allowed but record_id and person_id. */
export function loadRegistryLayout(path: string): LabelledSet {
  const rows = readRows(path);
  const personOf = new Map<string, string>();
  const records = rows.map((r, i) => {
    const id = r.record_id ?? '';
    const person = r.person_id ?? '';
    if (id === '' || person === '')
      throw new Error(`${path}: row ${i + 2} lacks record_id or person_id`);
    personOf.set(id, person);
    return record({
      id,
      givenNames: r.given_names ?? '',
      surname1: opt(r.first_surname),
      surname2: opt(r.second_surname),
      birthDate: opt(r.date_of_birth),
      sex: opt(r.sex),
      regionCode: opt(r.region),
      locality: opt(r.locality),
      documentNumber: opt(r.document_number),
      phone: opt(r.phone),
    });
  });
  return { name: path.split('/').pop() ?? path, records, personOf };
}

/** FEBRL 3: rec-N-org and rec-N-dup-k are person N. */
export function loadFebrl(path: string): LabelledSet {
  const personOf = new Map<string, string>();
  const records = readRows(path).map((r) => {
    const id = r.rec_id ?? '';
    personOf.set(id, id.split('-')[1] ?? id);
    return record({
      id,
      givenNames: r.given_name ?? '',
      surname1: opt(r.surname),
      birthDate: opt(r.date_of_birth),
      regionCode: opt(r.state),
      locality: opt(r.suburb),
      documentNumber: opt(r.soc_sec_id),
      address: opt(
        [r.street_number, r.address_1, r.address_2]
          .filter((x) => x !== undefined && x !== '')
          .join(' '),
      ),
      postcode: opt(r.postcode),
    });
  });
  return { name: path.split('/').pop() ?? path, records, personOf };
}

/** Splink's fake_1000: truth in the cluster column. */
export function loadFake1000(path: string): LabelledSet {
  const personOf = new Map<string, string>();
  const records = readRows(path).map((r) => {
    const id = r.unique_id ?? '';
    personOf.set(id, r.cluster ?? id);
    return record({
      id,
      givenNames: r.first_name ?? '',
      surname1: opt(r.surname),
      birthDate: opt(r.dob),
      locality: opt(r.city),
      email: opt(r.email),
    });
  });
  return { name: path.split('/').pop() ?? path, records, personOf };
}

export { seededRandom } from '../src/shared/random';
