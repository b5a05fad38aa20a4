// The operator's commands as a shell runs them (issue 10, "CLI touches"): staff accounts
// without the API, import's exit status, export that does not overwrite.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { tesseraRunner } from '../../test/support/cli';
import { forEachEngine } from '../../test/support/engines';

forEachEngine('operator commands', ({ db, url }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const tessera = tesseraRunner(url, dir);

  const grantsOf = async (username: string) =>
    db()
      .kysely.selectFrom('role_grants as g')
      .innerJoin('staff as s', 's.id', 'g.staff_id')
      .select(['g.role', 'g.regions', 'g.revoked_at', 's.status'])
      .where('s.username', '=', username)
      .execute();

  it('creates staff with a role, grants another, disables, and audits each', async () => {
    const made = await tessera(
      'staff',
      'create',
      '--username',
      'ana.registro',
      '--display-name',
      'Ana Registro',
      '--role',
      'registrar',
      '--regions',
      'VE-A,VE-B',
    );
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /one-time password: \S{20}/);
    assert.match(made.stdout, /registrar in VE-A, VE-B/);
    const granted = await tessera(
      'staff',
      'grant',
      '--username',
      'ana.registro',
      '--role',
      'analyst',
      '--regions',
      '*',
    );
    assert.equal(granted.code, 0, granted.stderr);
    const grants = await grantsOf('ana.registro');
    assert.deepEqual(grants.map((g) => [g.role, JSON.parse(g.regions) as string[]]).sort(), [
      ['analyst', ['*']],
      ['registrar', ['VE-A', 'VE-B']],
    ]);
    const disabled = await tessera(
      'staff',
      'disable',
      '--username',
      'ana.registro',
      '--reason',
      'left the office',
    );
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.ok((await grantsOf('ana.registro')).every((g) => g.status === 'disabled'));
    const audited = await db()
      .kysely.selectFrom('audit_log')
      .select(['operation', 'actor_id'])
      .where('operation', 'in', ['staff.create', 'staff.grant_role', 'staff.disable'])
      .where('actor_id', 'like', 'system:cli:staff-%')
      .execute();
    assert.deepEqual(audited.map((a) => a.operation).sort(), [
      'staff.create',
      'staff.disable',
      'staff.grant_role',
      'staff.grant_role',
    ]);
  });

  it('refuses unknown roles and regions, a taken username and a disabled account, saying where', async () => {
    const role = await tessera(
      'staff',
      'grant',
      '--username',
      'x',
      '--role',
      'boss',
      '--regions',
      '*',
    );
    assert.equal(role.code, 1);
    assert.match(role.stderr, /--role/);
    const region = await tessera(
      'staff',
      'create',
      '--username',
      'luis.nuevo',
      '--display-name',
      'Luis',
      '--role',
      'registrar',
      '--regions',
      'VE-QQ',
    );
    assert.equal(region.code, 1);
    assert.match(region.stderr, /--regions: VE-QQ is not a region of this deployment/);
    assert.equal((await grantsOf('luis.nuevo')).length, 0, 'nothing written');
    const staffRows = await db()
      .kysely.selectFrom('staff')
      .select('id')
      .where('username', '=', 'luis.nuevo')
      .execute();
    assert.equal(staffRows.length, 0, 'no account without its role');
    const again = await tessera(
      'staff',
      'create',
      '--username',
      'ana.registro',
      '--display-name',
      'Ana',
    );
    assert.equal(again.code, 1);
    assert.match(again.stderr, /ALREADY_EXISTS/);
    const disabled = await tessera(
      'staff',
      'grant',
      '--username',
      'ana.registro',
      '--role',
      'auditor',
      '--regions',
      '*',
    );
    assert.equal(disabled.code, 1);
    assert.match(disabled.stderr, /disabled/);
  });

  it('import exits 1 when any row is rejected, 0 when every row is in', async () => {
    const header = 'external_id,given_names,surname1,surname2,birth_date,sex,region_code';
    const good = join(dir, 'good.csv');
    writeFileSync(good, `${header}\nx-1,Rosa,Vera,Paz,1980-01-02,F,VE-A\n`);
    const first = await tessera('import', 'persons', good);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const again = await tessera('import', 'persons', good);
    assert.equal(again.code, 0, 'skipped as already registered is fine');
    const mixed = join(dir, 'mixed.csv');
    writeFileSync(
      mixed,
      `${header}\nx-2,Juan,Luna,Sol,1981-03-04,M,VE-A\nx-3,Eva,Mar,Rio,not-a-date,F,VE-A\n`,
    );
    const bad = await tessera('import', 'persons', mixed);
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stdout, /rejected 1/);
    assert.match(bad.stdout, /line 3/);
    const help = await tessera('import', 'persons', '--help');
    assert.match(help.stdout, /Exits 0 only when every row was accepted/);
  });

  it('export refuses to overwrite a file unless --force', async () => {
    const file = join(dir, 'registry.jsonl');
    writeFileSync(file, 'keep me\n');
    const refused = await tessera('export', file);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /exists; give --force/);
    assert.equal(readFileSync(file, 'utf8'), 'keep me\n');
    const forced = await tessera('export', file, '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(readFileSync(file, 'utf8'), /tessera\.registry/);
  });
});
