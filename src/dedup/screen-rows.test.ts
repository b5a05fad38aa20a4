// The import's screening, a page at a time, finds exactly what checking the rows one by one
// finds — against the registry, against earlier rows of the same file, across page
// boundaries and where a block passes its cap in the middle of a page — and a failed batch
// leaves nothing of itself behind: no person, no key, no pair.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Insertable } from 'kysely';
import { sql } from 'kysely';
import { wireDomains } from '../app';
import {
  buildPersonRow,
  generateDemoPeople,
  generateRegistryNumber,
  importPersons,
  personInput,
  type PersonInput,
  type PersonsTable,
} from '../registry';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp } from '../../test/support/app';
import { findCandidates, matchRowOf } from './enrolment-check';
import { weakBlockRecordsMax } from './dedup-index';
import { matchRecordOf } from './person-record';
import { screenRows } from './screen-rows';
import { pairKey } from './store';
import { keyRowsOf, storeKeys } from './stored-keys';
import { prepareRecord } from './normalise';
import type { Queryable } from '../db';
import type { AppContext } from '../shared/context';

const registrar = staff('registrar', ['VE-A', 'VE-L', 'VE-M', 'VE-X', 'VE-C', 'VE-K', 'VE-D']);

function inputOf(p: ReturnType<typeof generateDemoPeople> extends Generator<infer F> ? F : never) {
  return p.map((x) =>
    personInput.parse({
      externalId: x.externalId,
      givenNames: x.givenNames,
      surname1: x.surname1 ?? undefined,
      surname2: x.surname2 ?? undefined,
      birthDate: x.birthDate,
      sex: x.sex,
      address: { regionCode: 'VE-A', locality: x.locality, line: x.addressLine },
      ...(x.phone ? { phone: x.phone } : {}),
    }),
  );
}

/** A person again as a second clerk types them: a typo, no accents, surnames swapped. */
function retyped(p: PersonInput, n: number): PersonInput {
  const given = p.givenNames.normalize('NFD').replace(/\p{M}/gu, '');
  return {
    ...p,
    externalId: `${p.externalId}-again-${n}`,
    givenNames: given.length > 4 ? given.slice(0, 2) + given.slice(3) : given,
    surname1: p.surname2 ?? p.surname1,
    surname2: p.surname1,
  };
}

/** The registry and the file: demo people, retyped ones, and a birthday shared past its cap. */
function dataset(): { registered: PersonInput[]; file: PersonInput[] } {
  const people = [...generateDemoPeople(160, 11)].flatMap(inputOf);
  const registered = people.slice(0, 70);
  const fresh = people.slice(70);
  // Strangers born on one day in one town: the weak date key passes its cap inside the file.
  const sameDay = Array.from({ length: weakBlockRecordsMax + 4 }, (_, i) =>
    personInput.parse({
      externalId: `day-${i}`,
      givenNames: ['Zoila', 'Yajaira', 'Xiomara', 'Wilmer', 'Vicente', 'Ulises', 'Tibisay'][i % 7],
      surname1: ['Quintero', 'Paredes', 'Ochoa', 'Nava', 'Mujica'][i % 5] + 'x'.repeat(i % 3),
      birthDate: '1977-07-07',
      address: { regionCode: 'VE-A', locality: 'Caracas' },
    }),
  );
  const file: PersonInput[] = [];
  fresh.forEach((p, i) => {
    file.push(p);
    if (i % 6 === 0) file.push(retyped(registered[i % 70]!, 1)); // a duplicate of the registry
    if (i % 9 === 4) file.push(retyped(fresh[i - 3]!, 2)); // of an earlier row of the file
  });
  registered.push(...sameDay.slice(0, 4));
  file.push(...sameDay.slice(4), retyped(sameDay[5]!, 3), retyped(sameDay[1]!, 4));
  return { registered, file };
}

function rowsOf(app: AppContext, inputs: readonly PersonInput[]): Insertable<PersonsTable>[] {
  return inputs.map((p) => buildPersonRow(app, p, new Map(), 'test', generateRegistryNumber()));
}

/** The rule as it stood: each row checked alone, its keys stored before the next. */
async function oneByOne(
  app: AppContext,
  trx: Queryable,
  rows: readonly Insertable<PersonsTable>[],
  refuse: boolean,
) {
  const service = app.dedup!;
  await service.keyNewer(trx);
  const batch = new Map<string, ReturnType<typeof matchRowOf>>();
  const refused: string[] = [];
  const pairs = new Map<string, string>();
  for (const row of rows) {
    const matchRow = matchRowOf(row);
    const record = matchRecordOf(matchRow, service.documentAttribute);
    const found = await findCandidates(trx, service, record, batch);
    if (found.length > 0 && refuse) {
      refused.push(row.id);
      continue;
    }
    for (const c of found)
      pairs.set(
        pairKey(c.pair.leftId, c.pair.rightId),
        `${c.pair.outcome} ${Math.round(c.pair.matchWeight * 100)}`,
      );
    await storeKeys(trx, record);
    batch.set(row.id, matchRow);
  }
  return { refused: refused.sort(), pairs };
}

class Rollback {
  constructor(readonly value: unknown) {}
}

/** Runs fn in a transaction that is then rolled back, and returns what it returned. */
async function inRolledBack<T>(app: AppContext, fn: (trx: Queryable) => Promise<T>): Promise<T> {
  try {
    await app.db.transaction(async (trx) => {
      throw new Rollback(await fn(trx));
    });
  } catch (e) {
    if (e instanceof Rollback) return e.value as T;
    throw e;
  }
  throw new Error('unreachable');
}

forEachEngine('dedup: import screening by pages', ({ db }) => {
  async function seeded(onDuplicate: 'flag' | 'refuse') {
    const app = testApp(db());
    app.config.dedupOnDuplicate = onDuplicate;
    wireDomains(app);
    const { registered, file } = dataset();
    // A registry written by a path that does not screen: the check keys it first.
    await sql`delete from dedup_block_keys`.execute(app.db.kysely);
    await sql`delete from dedup_key_progress`.execute(app.db.kysely);
    await sql`delete from dedup_pairs`.execute(app.db.kysely);
    await sql`delete from household_members`.execute(app.db.kysely);
    await sql`delete from persons`.execute(app.db.kysely);
    await app.db.transaction((trx) =>
      app.db.insertMany(trx, 'persons', rowsOf(app, registered) as Record<string, unknown>[]),
    );
    return { app, rows: rowsOf(app, file) };
  }

  for (const onDuplicate of ['flag', 'refuse'] as const)
    it(`finds what a row-by-row check finds (${onDuplicate}), whatever the page size`, async () => {
      const { app, rows } = await seeded(onDuplicate);
      const expected = await inRolledBack(app, (trx) =>
        oneByOne(app, trx, rows, onDuplicate === 'refuse'),
      );
      if (onDuplicate === 'flag') {
        assert.ok(expected.pairs.size >= 20, `the file has duplicates (${expected.pairs.size})`);
        const ids = new Set(rows.map((r) => r.id));
        assert.ok(
          [...expected.pairs.keys()].some((k) => k.split(':').every((id) => ids.has(id))),
          'some inside the file',
        );
        assert.ok(
          [...expected.pairs.keys()].some((k) => k.split(':').some((id) => !ids.has(id))),
          'some against the registry',
        );
      } else assert.ok(expected.refused.length >= 20);
      for (const pageRows of [1, 7, 1000]) {
        const got = await inRolledBack(app, async (trx) => {
          const refused = await screenRows(
            app,
            app.dedup!,
            trx,
            registrar,
            rows,
            { source: 'import', sourceId: 'run' },
            pageRows,
          );
          const stored = await trx
            .selectFrom('dedup_pairs')
            .select(['pair_key', 'outcome', 'match_weight_centibits'])
            .execute();
          const keys = await trx
            .selectFrom('dedup_block_keys')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          return {
            refused: [...refused.keys()].sort(),
            pairs: new Map(
              stored.map((p) => [p.pair_key, `${p.outcome} ${Number(p.match_weight_centibits)}`]),
            ),
            keys: Number(keys.n),
          };
        });
        assert.deepEqual(got.refused, expected.refused, `refused rows, pages of ${pageRows}`);
        assert.deepEqual(
          [...got.pairs].sort(),
          [...expected.pairs].sort(),
          `pairs, pages of ${pageRows}`,
        );
        // Keys of the registry and of every accepted row, and of no refused one.
        const refusedIds = new Set(got.refused);
        const registeredRows = await app.db.kysely
          .selectFrom('persons')
          .select(['id', 'given_names', 'surname1', 'surname2', 'birth_date', 'sex'])
          .select(['region_code', 'locality', 'phone', 'attributes', 'status', 'registry_number'])
          .execute();
        const keyCount = [...registeredRows, ...rows.filter((r) => !refusedIds.has(r.id))]
          .map((r) => keyRowsOf(r.id, prepareRecord(matchRecordOf(matchRowOf(r as never), null))))
          .reduce((n, k) => n + k.length, 0);
        assert.equal(got.keys, keyCount, `key rows, pages of ${pageRows}`);
      }
    });

  it('a batch that fails leaves no person, key, pair or watermark of it', async () => {
    const { app } = await seeded('flag');
    const header = 'external_id,given_names,surname1,surname2,birth_date,sex,region_code,locality';
    await app.db.transaction((trx) => app.dedup!.keyNewer(trx));
    const count = async (table: 'persons' | 'dedup_block_keys' | 'dedup_pairs') =>
      Number(
        (
          await app.db.kysely
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = {
      persons: await count('persons'),
      keys: await count('dedup_block_keys'),
      pairs: await count('dedup_pairs'),
      watermark: await app.db.kysely.selectFrom('dedup_key_progress').selectAll().execute(),
    };
    // The database itself refuses the last row of the batch, after the screening wrote keys
    // and pairs for the others.
    if (app.db.engine === 'sqlite')
      await sql`create trigger refuse_falla before insert on persons when new.given_names = 'Falla'
        begin select raise(abort, 'refused by test trigger'); end`.execute(app.db.kysely);
    else {
      await sql`create function refuse_falla() returns trigger language plpgsql as $$
        begin if new.given_names = 'Falla' then raise exception 'refused by test trigger'; end if;
        return new; end $$`.execute(app.db.kysely);
      await sql`create trigger refuse_falla before insert on persons for each row
        execute function refuse_falla()`.execute(app.db.kysely);
    }
    try {
      const report = await importPersons(
        app,
        registrar,
        {
          text: [
            header,
            'f-1,Gladys Mercedes,Peraza,Colina,1975-03-09,F,VE-A,Caracas',
            'f-2,Gladys Mercedez,Colina,Peraza,1975-03-09,F,VE-A,Caracas',
            'f-3,Falla,Prueba,Prueba,1990-01-01,M,VE-A,Caracas',
          ].join('\n'),
        },
        { format: 'csv', sourceName: 'test' },
      );
      assert.equal(report.accepted, 0);
      assert.match(report.stoppedBy ?? '', /refused by test trigger/);
      assert.deepEqual(
        {
          persons: await count('persons'),
          keys: await count('dedup_block_keys'),
          pairs: await count('dedup_pairs'),
          watermark: await app.db.kysely.selectFrom('dedup_key_progress').selectAll().execute(),
        },
        before,
      );
    } finally {
      await sql`drop trigger refuse_falla${sql.raw(app.db.engine === 'postgres' ? ' on persons' : '')}`.execute(
        app.db.kysely,
      );
      if (app.db.engine === 'postgres')
        await sql`drop function refuse_falla()`.execute(app.db.kysely);
    }
  });
});
