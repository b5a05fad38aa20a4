// Reads that may be a moment old go to the read replica (TESSERA_DATABASE_READ_URL) when one
// is configured, and nothing else does. The "replica" here is a second database with other
// rows, so that each answer shows where it was read; the audit entries must be on the primary.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, forEachEngine } from '../../test/support/engines';
import { staff, testApp, validPerson } from '../../test/support/app';
import type { Queryable } from '../db';
import { enrolPerson } from '../registry';
import { readReplicaUrl } from '../shared/settings';
import { accessReport } from './access-report';
import { registryStatistics } from './statistics';

const auditCount = async (k: Queryable, operation: string) =>
  (await k.selectFrom('audit_log').select('id').where('operation', '=', operation).execute())
    .length;

forEachEngine('stale-tolerant reads on a replica', ({ db, engine }) => {
  let replica: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    replica = await createTestDatabase(engine);
  });
  after(async () => {
    await replica.dispose();
  });

  it('counts statistics on the replica and audits the request on the primary', async () => {
    const onReplica = testApp(replica.db);
    const registrar = staff('registrar');
    for (let i = 0; i < 11; i++)
      await enrolPerson(onReplica, registrar, validPerson({ birthDate: `${1950 + i}-06-15` }));
    const app = testApp(db());
    app.readDb = replica.db;
    const table = await registryStatistics(app, staff('analyst'), { by: ['region'] });
    const cell = table.cells.find((c) => c.labels[0] === 'VE-A');
    assert.equal(cell?.value, 11, 'the eleven people only the replica holds');
    assert.equal(await auditCount(db().kysely, 'statistics.registry'), 1, 'audited on the primary');
    assert.equal(await auditCount(replica.db.kysely, 'statistics.registry'), 0);
    delete app.readDb;
    const fromPrimary = await registryStatistics(app, staff('analyst'), { by: ['region'] });
    assert.notEqual(fromPrimary.cells.find((c) => c.labels[0] === 'VE-A')?.value, 11);
  });

  it('reads an access report on the replica, checking the region on the primary', async () => {
    const app = testApp(db());
    const person = await enrolPerson(app, staff('registrar', ['VE-A']), validPerson());
    const auditor = staff('auditor', '*', 'grievance');
    app.readDb = replica.db;
    // The replica has not got the enrolment yet: its report of this person is still empty.
    const stale = await accessReport(app, auditor, person.id);
    assert.deepEqual(stale.items, []);
    assert.equal(
      await auditCount(db().kysely, 'person.access_report'),
      1,
      'audited on the primary',
    );
    delete app.readDb;
    const current = await accessReport(app, auditor, person.id);
    assert.ok(current.items.some((x) => x.operation === 'person.enrol'));
    // A person the primary does not hold is refused, whatever the replica holds.
    app.readDb = replica.db;
    const onlyOnReplica = await enrolPerson(testApp(replica.db), staff('registrar'), validPerson());
    await assert.rejects(accessReport(app, auditor, onlyOnReplica.id));
  });
});

describe('the read replica setting', () => {
  it('takes a postgres:// replica beside a PostgreSQL primary, and nothing else', () => {
    const primary = 'postgres://u:p@127.0.0.1:5000/tessera';
    const replica = 'postgres://u:p@127.0.0.1:5001/tessera';
    assert.equal(readReplicaUrl(undefined, primary), null);
    assert.equal(readReplicaUrl(' ', primary), null);
    assert.equal(readReplicaUrl(replica, primary), replica);
    assert.throws(() => readReplicaUrl('./data/replica.db', primary), /TESSERA_DATABASE_READ_URL/);
    assert.throws(() => readReplicaUrl(replica, './data/tessera.db'), /SQLite has no replicas/);
  });

  it('is read only where a stale answer cannot decide a delivery, a payment or a permission', () => {
    const src = new URL('..', import.meta.url).pathname;
    const users: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) {
          const text = readFileSync(path, 'utf8');
          if (/staleReads\(|\.readDb\b/.test(text)) users.push(relative(src, path));
        }
      }
    };
    walk(src);
    assert.deepEqual(users.sort(), [
      'app.ts',
      'privacy/access-report.ts',
      'privacy/statistics.ts',
      'shared/context.ts',
    ]);
  });
});
