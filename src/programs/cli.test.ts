// `tessera cycles …` as an operator runs it, on both engines: open a draft, freeze it,
// generate its entitlements, list it; a bad date is refused with its reason and exit 1.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { tesseraRunner } from '../../test/support/cli';
import { forEachEngine } from '../../test/support/engines';
import { testApp } from '../../test/support/app';
import { loadDemoRegistry } from '../registry';
import { systemActor } from '../shared/access';
import { createProgramme } from './programmes';

forEachEngine('cycles commands', ({ db, url }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cycles-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const tessera = tesseraRunner(url, dir);

  it('opens, freezes, generates and lists a cycle; refuses a bad date', async () => {
    const app = testApp(db());
    const system = { actor: systemActor('fixtures') };
    await loadDemoRegistry(app, system, { people: 120, seed: 5 });
    const p = await createProgramme(app, system, {
      code: 'cli_box',
      kind: 'basket',
      target: 'household',
      schedule: 'monthly',
      name: { es: 'Caja', en: 'Box' },
      rule: 'household_size >= 1',
      benefit: {
        kind: 'basket',
        items: [{ code: 'rice', name: { es: 'Arroz', en: 'Rice' }, quantity: 1, unit: 'kg' }],
      },
      coPayment: 0n,
      currency: 'VES',
      serviceAreas: Object.keys(app.config.regions).map((regionCode) => ({ regionCode })),
      retentionDays: 30,
      stagger: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
    });
    const bad = await tessera('cycles', 'open', p.id, '2026-12', '2026-12-01', '31/12/2026');
    assert.notEqual(bad.code, 0, JSON.stringify(bad));
    assert.match(bad.stderr, /closesOn/);
    const opened = await tessera('cycles', 'open', p.id, '2026-12', '2026-12-01', '2026-12-31');
    assert.equal(opened.code, 0, opened.stderr);
    const id = /opened (\S+)/.exec(opened.stdout)?.[1];
    assert.ok(id, opened.stdout);
    const frozen = await tessera('cycles', 'freeze', id);
    assert.match(frozen.stdout, /frozen .*: \d+ eligible/);
    const generated = await tessera('cycles', 'generate', id);
    assert.equal(generated.code, 0, generated.stderr);
    assert.match(generated.stdout, /generated \d+ entitlements .* a second administrator approves/);
    const { n } = await db()
      .kysely.selectFrom('entitlements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cycle_id', '=', id)
      .executeTakeFirstOrThrow();
    const eligible = Number(/: (\d+) eligible/.exec(frozen.stdout)![1]);
    assert.equal(Number(n), eligible);
    const listed = await tessera('cycles', 'list');
    assert.match(listed.stdout, new RegExp(`${id}  2026-12  generated`));

    // Cards for the beneficiaries, by a bulk job; a second run finds them all holding one.
    const people = await db()
      .kysely.selectFrom('entitlements')
      .select('person_id')
      .distinct()
      .where('cycle_id', '=', id)
      .execute();
    const cards = await tessera('cycles', 'cards', id);
    assert.equal(cards.code, 0, cards.stderr);
    assert.match(cards.stdout, new RegExp(`issued ${people.length}; skipped 0 holding a card`));
    const held = await db()
      .kysely.selectFrom('cards')
      .select('person_id')
      .where('status', '=', 'active')
      .execute();
    assert.deepEqual(held.map((c) => c.person_id).sort(), people.map((p) => p.person_id).sort());
    const again = await tessera('cycles', 'cards', id);
    assert.match(again.stdout, new RegExp(`issued 0; skipped ${people.length} holding a card`));
    const jobs = await tessera('cards', 'jobs');
    assert.match(jobs.stdout, /card job \S+ \(list\): done/);
  });
});
