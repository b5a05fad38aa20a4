// The enrolment check: every new person — enrolment, birth, bulk import — is compared with the
// whole registry before the record is committed; a likely duplicate is flagged for review or,
// by option, refused; twins and siblings are not taken for one person.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wireDomains } from '../app';
import {
  createHousehold,
  enrolPerson,
  importPersons,
  registerBirth,
  type ImportSource,
} from '../registry';
import { DomainError } from '../shared/errors';
import { forEachEngine } from '../../test/support/engines';
import { validPerson, staff, testApp } from '../../test/support/app';
import { registerDedup } from './register-dedup';

const ana = validPerson({
  givenNames: 'Ana Lucía',
  surname1: 'Montilla',
  surname2: 'Briceño',
  birthDate: '1979-05-21',
  phone: '+584141112233',
  address: { regionCode: 'VE-A', locality: 'Caracas' },
});
/** The same woman, enrolled again with a typo, no accents and her surnames swapped. */
const anaAgain = { ...ana, givenNames: 'Ana Lucia', surname1: 'Briceno', surname2: 'Montila' };

/** Another woman, and her record again with the same kinds of errors (for the refusal tests). */
const rosa = validPerson({
  givenNames: 'Rosa Elena',
  surname1: 'Villalobos',
  surname2: 'Ocando',
  birthDate: '1983-09-17',
  phone: '+584141119988',
  address: { regionCode: 'VE-A', locality: 'Caracas' },
});
const rosaAgain = { ...rosa, surname1: 'Ocando', surname2: 'Vilalobos' };

const carlos = validPerson({
  givenNames: 'Carlos Eduardo',
  surname1: 'Rivas',
  surname2: 'Salas',
  birthDate: '2001-08-14',
  sex: 'M',
  phone: '+584165554433',
  address: { regionCode: 'VE-A', locality: 'Petare' },
});

function csv(rows: string[][]): ImportSource {
  return { text: rows.map((r) => r.join(',')).join('\n') + '\n' };
}

forEachEngine('dedup: enrolment check', ({ db }) => {
  const registrar = staff('registrar', ['VE-A']);

  function wiredApp() {
    const app = testApp(db());
    wireDomains(app);
    return app;
  }

  it('flags a person already registered under a typo and swapped surnames, instead of silently adding a second person', async () => {
    const app = wiredApp();
    const first = await enrolPerson(app, registrar, ana);
    assert.equal(first.duplicateReview, undefined);
    const second = await enrolPerson(app, registrar, anaAgain);
    assert.ok(second.duplicateReview, 'the second enrolment waits for a review');
    assert.equal(second.duplicateReview.status, 'pending_review');
    assert.equal(second.duplicateReview.pairIds.length, 1);
    const pair = await app.db.kysely
      .selectFrom('dedup_pairs')
      .selectAll()
      .where('id', '=', second.duplicateReview.pairIds[0]!)
      .executeTakeFirstOrThrow();
    assert.deepEqual([pair.left_id, pair.right_id].sort(), [first.id, second.id].sort());
    assert.equal(pair.status, 'open');
    assert.equal(pair.source, 'enrolment');
    assert.ok(
      JSON.parse(pair.explanation).length > 0,
      'the pair carries the reasons for its score',
    );
    const flagged = await app.db.kysely
      .selectFrom('audit_log')
      .select(['subject_ids'])
      .where('operation', '=', 'dedup.flag')
      .execute();
    assert.ok(flagged.some((a) => JSON.parse(a.subject_ids).includes(first.id)));
  });

  it('refuses by option, naming the registry number the registrar may read — and nothing is written', async () => {
    const app = wiredApp();
    await enrolPerson(app, registrar, rosa);
    const before = await app.db.kysely
      .selectFrom('persons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const existing = await app.db.kysely
      .selectFrom('persons')
      .select('registry_number')
      .where('given_names', '=', 'Rosa Elena')
      .where('surname1', '=', 'Villalobos')
      .executeTakeFirstOrThrow();
    await assert.rejects(
      enrolPerson(
        app,
        registrar,
        { ...rosaAgain, givenNames: 'Rossa Elena' },
        { onDuplicate: 'refuse' },
      ),
      (e: unknown) => {
        assert.ok(e instanceof DomainError);
        assert.equal(e.code, 'POSSIBLE_DUPLICATE');
        assert.equal(e.status, 409);
        assert.match(e.message, new RegExp(existing.registry_number));
        return true;
      },
    );
    const after = await app.db.kysely
      .selectFrom('persons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n));
  });

  it('does not tell a registrar of another region which registry number the duplicate holds', async () => {
    const app = wiredApp();
    const elsewhere = staff('registrar', ['VE-B']);
    const here = validPerson({
      givenNames: 'Teresa Margarita',
      surname1: 'Arocha',
      surname2: 'Guédez',
      birthDate: '1971-02-08',
      phone: '+584141117766',
      address: { regionCode: 'VE-A', locality: 'Caracas' },
    });
    await enrolPerson(app, registrar, here);
    const moved = {
      ...here,
      surname1: 'Guedez',
      surname2: 'Arocha',
      address: { regionCode: 'VE-B', locality: 'Barcelona' },
    };
    await assert.rejects(
      enrolPerson(app, elsewhere, moved, { onDuplicate: 'refuse' }),
      (e: unknown) => {
        assert.ok(e instanceof DomainError && e.code === 'POSSIBLE_DUPLICATE');
        assert.doesNotMatch(e.message, /registry number/);
        assert.match(e.message, /region you do not serve/);
        const candidates = (e.details as { candidates: Record<string, unknown>[] }).candidates;
        assert.ok(candidates.every((c) => !('registryNumber' in c)));
        return true;
      },
    );
  });

  it('does not take a twin or a sibling for the same person', async () => {
    const app = wiredApp();
    await enrolPerson(app, registrar, carlos);
    const twin = await enrolPerson(app, registrar, { ...carlos, givenNames: 'Luis Alberto' });
    assert.notEqual(
      twin.duplicateReview?.outcome,
      'same_person',
      'a twin may be reviewed, never judged the same person',
    );
    const brother = await enrolPerson(app, registrar, {
      ...carlos,
      givenNames: 'Luis Alberto',
      birthDate: '2004-02-03',
      phone: '+584167776655',
    });
    assert.equal(brother.duplicateReview, undefined);
  });

  it('checks against persons registered before the index was loaded or by another process', async () => {
    const plain = testApp(db());
    const wired = wiredApp();
    await enrolPerson(
      wired,
      registrar,
      validPerson({
        givenNames: 'Otilia',
        surname1: 'Quintero',
        surname2: 'Vera',
        birthDate: '1950-01-02',
        phone: '+584120001111',
      }),
    );
    // Registered through a context without duplicate detection (another process, say).
    const other = await enrolPerson(
      plain,
      registrar,
      validPerson({
        givenNames: 'Rosalba',
        surname1: 'Useche',
        surname2: 'Lugo',
        birthDate: '1962-10-30',
        phone: '+584120002222',
      }),
    );
    const again = await enrolPerson(
      wired,
      registrar,
      validPerson({
        givenNames: 'Rosalva',
        surname1: 'Lugo',
        surname2: 'Useche',
        birthDate: '1962-10-30',
        phone: '+584120002222',
      }),
    );
    assert.ok(again.duplicateReview);
    const pair = await wired.db.kysely
      .selectFrom('dedup_pairs')
      .select(['left_id', 'right_id'])
      .where('id', '=', again.duplicateReview.pairIds[0]!)
      .executeTakeFirstOrThrow();
    assert.ok([pair.left_id, pair.right_id].includes(other.id));
  });

  it('checks births: the same baby registered twice is flagged', async () => {
    const app = wiredApp();
    const mother = await enrolPerson(
      app,
      registrar,
      validPerson({
        givenNames: 'Yelitza',
        surname1: 'Gil',
        surname2: 'Mora',
        birthDate: '1990-06-06',
        phone: '+584120003333',
      }),
    );
    const household = await createHousehold(app, registrar, {
      address: { regionCode: 'VE-A' },
      headPersonId: mother.id,
    });
    const baby = {
      givenNames: 'Sofía',
      surname1: 'Gil',
      surname2: 'Mora',
      birthDate: '2020-01-15',
      sex: 'F' as const,
      address: { regionCode: 'VE-A', locality: 'Caracas' },
    };
    const first = await registerBirth(app, registrar, household.id, { child: baby });
    assert.equal((first as { duplicateReview?: unknown }).duplicateReview, undefined);
    const again = await enrolPerson(app, registrar, { ...baby, givenNames: 'Sofia' });
    assert.ok(again.duplicateReview, 'a second record of the baby waits for review');
  });

  describe('bulk import', () => {
    const header = [
      'external_id',
      'given_names',
      'surname1',
      'surname2',
      'birth_date',
      'sex',
      'region_code',
      'locality',
      'phone',
    ];

    it('flags rows that duplicate the registry or an earlier row of the file, and imports them for review', async () => {
      const app = wiredApp();
      const registered = await enrolPerson(
        app,
        registrar,
        validPerson({
          givenNames: 'Gladys Mercedes',
          surname1: 'Peraza',
          surname2: 'Colina',
          birthDate: '1975-03-09',
          phone: '+584141113344',
          address: { regionCode: 'VE-A', locality: 'Caracas' },
        }),
      );
      const report = await importPersons(
        app,
        registrar,
        csv([
          header,
          [
            'imp-1',
            'Gladys Mercedes',
            'Colina',
            'Peraza',
            '1975-03-09',
            'F',
            'VE-A',
            'Caracas',
            '',
          ],
          [
            'imp-2',
            'Wilmer José',
            'Pacheco',
            'Lara',
            '1971-12-01',
            'M',
            'VE-A',
            'Caracas',
            '+584120004444',
          ],
          [
            'imp-3',
            'Wilmer Jose',
            'Lara',
            'Pacheco',
            '1971-12-01',
            'M',
            'VE-A',
            'Caracas',
            '+584120004444',
          ],
          [
            'imp-4',
            'Xiomara',
            'Barrios',
            'Ñañez',
            '1988-04-04',
            'F',
            'VE-A',
            'Caracas',
            '+584120005555',
          ],
        ]),
        { format: 'csv', sourceName: 'test' },
      );
      assert.equal(report.accepted, 4);
      const pairs = await app.db.kysely
        .selectFrom('dedup_pairs')
        .select(['left_id', 'right_id', 'source', 'source_id'])
        .where('source', '=', 'import')
        .execute();
      const ids = await app.db.kysely
        .selectFrom('persons')
        .select(['id', 'external_id'])
        .where('external_id', 'in', ['imp-1', 'imp-2', 'imp-3', 'imp-4'])
        .execute();
      const idOf = (x: string) => ids.find((r) => r.external_id === x)!.id;
      const involved = new Set(pairs.flatMap((p) => [p.left_id, p.right_id]));
      assert.ok(involved.has(idOf('imp-1')), 'a duplicate of a registered person');
      assert.ok(
        pairs.some(
          (p) =>
            [p.left_id, p.right_id].sort().join() === [idOf('imp-1'), registered.id].sort().join(),
        ),
        'paired with the person registered before the import',
      );
      assert.ok(
        pairs.some(
          (p) =>
            [p.left_id, p.right_id].sort().join() === [idOf('imp-2'), idOf('imp-3')].sort().join(),
        ),
        'two rows of one file',
      );
      assert.ok(!involved.has(idOf('imp-4')));
      assert.ok(pairs.every((p) => p.source_id === report.runId));
    });

    it('rejects duplicate rows, one by one, when the deployment refuses duplicates', async () => {
      const app = testApp(db());
      app.config.dedupOnDuplicate = 'refuse';
      registerDedup(app);
      await enrolPerson(
        app,
        registrar,
        validPerson({
          givenNames: 'Nelson Rafael',
          surname1: 'Bracho',
          surname2: 'Urdaneta',
          birthDate: '1958-07-23',
          sex: 'M',
          phone: '+584120007777',
          address: { regionCode: 'VE-A', locality: 'Caracas' },
        }),
      );
      const report = await importPersons(
        app,
        registrar,
        csv([
          header,
          [
            'imp-5',
            'Yolanda',
            'Carrasco',
            'Díaz',
            '1966-02-02',
            'F',
            'VE-A',
            'Maracay',
            '+584120006666',
          ],
          [
            'imp-6',
            'Yolanda',
            'Díaz',
            'Carrasco',
            '1966-02-02',
            'F',
            'VE-A',
            'Maracay',
            '+584120006666',
          ],
          [
            'imp-7',
            'Nelson Rafael',
            'Bracho',
            'Urdaneta',
            '1958-07-23',
            'M',
            'VE-A',
            'Caracas',
            '+584120007777',
          ],
        ]),
        { format: 'csv', sourceName: 'test' },
      );
      assert.deepEqual([report.accepted, report.rejected], [1, 2]);
      assert.deepEqual(
        report.rejects.map((r) => [r.line, r.code]),
        [
          [3, 'POSSIBLE_DUPLICATE'],
          [4, 'POSSIBLE_DUPLICATE'],
        ],
      );
      assert.match(report.rejects[0]!.reason, /earlier row of this import/);
      assert.match(report.rejects[1]!.reason, /registry number/);
    });
  });
});
