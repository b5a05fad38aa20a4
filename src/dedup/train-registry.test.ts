// `tessera dedup train`: a model estimated from the registry itself, without labels, and
// how it differs from the shipped one.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { systemActor } from '../shared/access';
import { enrolPerson } from '../registry';
import { DomainError } from '../shared/errors';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp, validPerson } from '../../test/support/app';
import { comparisons } from './compare';
import { describeTraining } from './cli-dedup';
import { defaultModel } from './match';
import { compileModel } from './model';
import { modelDifferences, trainOnRegistry } from './train-registry';

const given = ['Ana', 'Luis', 'Rosa', 'Pedro', 'Marta', 'Jorge', 'Elena', 'Raúl'];
const surnames = ['Pérez', 'Rojas', 'Gil', 'Mora', 'Lara', 'Vera'];

forEachEngine('dedup: training on the registry', ({ db }) => {
  const system = { actor: systemActor('test') };

  it('estimates a model from a bounded sample and lists its differences from the shipped one', async () => {
    const app = testApp(db());
    for (let i = 0; i < 24; i++)
      await enrolPerson(
        app,
        system,
        validPerson({
          givenNames: given[i % given.length]!,
          surname1: surnames[i % surnames.length]!,
          surname2: surnames[(i + 1) % surnames.length]!,
          birthDate: `19${50 + i}-0${1 + (i % 9)}-1${i % 10}`,
          phone: `+5841200000${String(i).padStart(2, '0')}`,
        }),
      );
    const report = await trainOnRegistry(app, system, { sampleMax: 16, randomPairs: 2000 });
    assert.equal(report.personsTotal, 24);
    assert.equal(report.personsSampled, 16);
    assert.doesNotThrow(() => compileModel(report.model));
    assert.match(report.model.trainedOn, /EM on 16 of 24 persons/);
    const levels = comparisons.reduce((n, c) => n + c.levels.length, 0);
    assert.equal(report.differences.length, levels);
    assert.ok(report.differences.some((d) => d.difference !== 0));
    // Largest first.
    for (let i = 1; i < report.differences.length; i++)
      assert.ok(
        Math.abs(report.differences[i - 1]!.difference) >=
          Math.abs(report.differences[i]!.difference),
      );
    assert.match(describeTraining(report), /largest differences from the shipped model/);
    const audit = await app.db.kysely
      .selectFrom('audit_log')
      .select('details')
      .where('operation', '=', 'dedup.train')
      .executeTakeFirstOrThrow();
    assert.equal(JSON.parse(audit.details).personsSampled, 16);
  });

  it('finds no difference between a model and itself', () => {
    assert.ok(modelDifferences(defaultModel, defaultModel).every((d) => d.difference === 0));
  });

  it('refuses a caller without national dedup:review, and a sample too small', async () => {
    const app = testApp(db());
    await assert.rejects(
      trainOnRegistry(app, staff('registrar', ['VE-A']), {}),
      (e: unknown) => e instanceof DomainError && e.code === 'FORBIDDEN',
    );
    await assert.rejects(
      trainOnRegistry(app, system, { sampleMax: 1 }),
      (e: unknown) =>
        e instanceof DomainError && e.code === 'VALIDATION_FAILED' && e.field === 'sample',
    );
  });
});
