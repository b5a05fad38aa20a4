import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, forEachEngine } from '../../test/support/engines';
import { staff, testApp } from '../../test/support/app';
import type { Database } from '../db';
import { DomainError } from '../shared/errors';
import { appendAudit } from './append-audit';
import { chainHash, genesisHash, signSeal } from './audit-chain';
import { auditEntryFromRow } from './audit-entry';
import { indexRowsOf } from './audit-index';
import { pinAuditKeysInMemory } from './audit-key-settings';
import { loadAuditSealKey, type SealKeyTables } from './audit-seal-keys';
import { insertSeal, sealPendingAudit } from './audit-sealer';
import { runAuditCommand } from './test-support';
import { verifyAuditLog, verifyAuditLogAs } from './verify-audit';

const keyFile = join(mkdtempSync(join(tmpdir(), 'tessera-audit-key-')), 'audit-seal.pem');
const key = loadAuditSealKey(keyFile, { create: true });

/** A fresh log of `count` entries sealed in batches of 5: seals at #4, #9, #14, … */
async function sealedLog(app: ReturnType<typeof testApp>, count = 20): Promise<string[]> {
  pinAuditKeysInMemory(app, key);
  const k = app.db.kysely;
  await k.deleteFrom('audit_subjects').execute();
  await k.deleteFrom('audit_log').execute();
  await k.deleteFrom('audit_seals').execute();
  await k.withTables<SealKeyTables>().deleteFrom('audit_seal_keys').execute();
  const caller = staff('registrar', ['VE-A'], 'service_delivery');
  for (let i = 0; i < count; i++) {
    app.advance(1000);
    await app.db.transaction((trx) =>
      appendAudit(trx, app, caller, {
        operation: 'person.read',
        permission: 'person:read',
        subjectIds: [`person-${i}`],
        details: { i },
      }),
    );
  }
  await sealPendingAudit(app, { key, batchSize: 5 });
  const rows = await k.selectFrom('audit_log').select(['id']).orderBy('chain_index').execute();
  return rows.map((r) => r.id);
}

function failed(verdict: Awaited<ReturnType<typeof verifyAuditLog>>) {
  assert.equal(verdict.ok, false, 'expected tampering to be found');
  return verdict as Extract<typeof verdict, { ok: false }>;
}

forEachEngine('audit verification', ({ db }) => {
  it('verifies an untouched log: every entry and every seal', async () => {
    const app = testApp(db());
    await sealedLog(app);
    const verdict = await verifyAuditLog(app, { pageSize: 3 });
    assert.equal(verdict.ok, true);
    assert.equal(verdict.ok && verdict.entriesChecked, 20);
    assert.equal(verdict.ok && verdict.sealsChecked, 4);
    assert.equal(verdict.ok && verdict.lastSealedIndex, 19);
    assert.deepEqual(verdict.range, { from: 0, to: 19 });
    assert.deepEqual(verdict.keyIds, [key.keyId]);
  });

  it('names the entry whose details were altered', async () => {
    const app = testApp(db());
    const ids = await sealedLog(app);
    await sql`update audit_log set details = ${'{"i":99}'} where chain_index = 7`.execute(
      db().kysely,
    );
    const verdict = failed(await verifyAuditLog(app));
    assert.deepEqual(
      [verdict.problem, verdict.chainIndex, verdict.entryId],
      ['altered', 7, ids[7]],
    );
  });

  it('names an entry whose stored JSON is damaged as altered, without stopping', async () => {
    const app = testApp(db());
    const ids = await sealedLog(app);
    const k = db().kysely;
    await sql`update audit_log set details = ${'{"i":'} where chain_index = 7`.execute(k);
    const broken = failed(await verifyAuditLog(app, { pageSize: 4 }));
    assert.deepEqual([broken.problem, broken.chainIndex, broken.entryId], ['altered', 7, ids[7]]);
    assert.match(broken.message, /cannot be read \(details is not JSON\)/);
    await sql`update audit_log set details = ${'{"i":7}'} where chain_index = 7`.execute(k);
    assert.equal((await verifyAuditLog(app)).ok, true, 'the original details verify again');
    await sql`update audit_log set subject_ids = ${'{"0":"person-4"}'} where chain_index = 4`.execute(
      k,
    );
    const misshapen = failed(await verifyAuditLog(app));
    assert.deepEqual(
      [misshapen.problem, misshapen.chainIndex, misshapen.entryId],
      ['altered', 4, ids[4]],
    );
    assert.match(misshapen.message, /cannot be read \(subject_ids: /);
  });

  it('names the place of a deleted entry', async () => {
    const app = testApp(db());
    await sealedLog(app);
    await sql`delete from audit_log where chain_index = 11`.execute(db().kysely);
    const verdict = failed(await verifyAuditLog(app));
    assert.deepEqual([verdict.problem, verdict.chainIndex, verdict.entryId], ['removed', 11, null]);
    assert.match(verdict.message, /missing from #11/);
  });

  it('finds the newest entries deleted, through the seal that covered them', async () => {
    const app = testApp(db());
    await sealedLog(app);
    await sql`delete from audit_log where chain_index >= 17`.execute(db().kysely);
    const verdict = failed(await verifyAuditLog(app));
    assert.deepEqual([verdict.problem, verdict.chainIndex], ['removed', 17]);
  });

  it('names the first of two entries whose places were swapped', async () => {
    const app = testApp(db());
    const ids = await sealedLog(app);
    const k = db().kysely;
    await sql`update audit_log set chain_index = -1 where chain_index = 4`.execute(k);
    await sql`update audit_log set chain_index = 4 where chain_index = 9`.execute(k);
    await sql`update audit_log set chain_index = 9 where chain_index = -1`.execute(k);
    const verdict = failed(await verifyAuditLog(app));
    // At #4 sits the entry that belongs at #9.
    assert.deepEqual(
      [verdict.problem, verdict.chainIndex, verdict.entryId],
      ['reordered', 4, ids[9]],
    );
  });

  it('catches an entry altered and the chain rehashed after it: the seal no longer matches', async () => {
    const app = testApp(db());
    await sealedLog(app);
    const k = db().kysely;
    await sql`update audit_log set operation = 'person.search' where chain_index = 6`.execute(k);
    const rows = await k
      .selectFrom('audit_log')
      .selectAll()
      .where('chain_index', '>=', 5)
      .orderBy('chain_index')
      .execute();
    const index = await indexRowsOf(
      k,
      rows.map((r) => r.id),
    );
    let prev = rows[0]!.hash!;
    for (const row of rows.slice(1)) {
      const indexedSubjectIds = index.get(row.id)!.map((r) => r.personId);
      const entry = { ...auditEntryFromRow(row), chainIndex: row.chain_index!, indexedSubjectIds };
      prev = chainHash(prev, entry);
      await k.updateTable('audit_log').set({ hash: prev }).where('id', '=', row.id).execute();
    }
    const verdict = failed(await verifyAuditLog(app));
    assert.deepEqual([verdict.problem, verdict.chainIndex], ['bad_seal', 9]);
  });

  it('trusts no key from the database: a smuggled key fails, naming it, and so do its seals', async () => {
    const app = testApp(db());
    await sealedLog(app, 5);
    const other = loadAuditSealKey(
      join(mkdtempSync(join(tmpdir(), 'tessera-audit-key-')), 'k.pem'),
      { create: true },
    );
    const keys = db().kysely.withTables<SealKeyTables>();
    await keys
      .updateTable('audit_seal_keys')
      .set({ public_key: other.publicKeyPem })
      .where('key_id', '=', key.keyId)
      .execute();
    assert.equal((await verifyAuditLog(app)).ok, true, 'the inventory table is not read');
    await keys
      .insertInto('audit_seal_keys')
      .values({
        key_id: other.keyId,
        public_key: other.publicKeyPem,
        created_at: app.now().toISOString(),
      })
      .execute();
    await app.db.transaction((trx) =>
      appendAudit(trx, app, staff('admin'), { operation: 'staff.create' }),
    );
    await sealPendingAudit(app, { key: other });
    const verdict = failed(await verifyAuditLog(app));
    assert.deepEqual([verdict.problem, verdict.chainIndex], ['bad_seal', 5]);
    assert.match(verdict.message, new RegExp(`signed by key ${other.keyId}, which is not pinned`));
  });

  it('verifies entries sealed in format 1 before the index was covered, then format 2 after', async () => {
    const app = testApp(db());
    await sealedLog(app, 10);
    const k = db().kysely;
    // Make this the log of an older version: format 1 hashes, chain_format null, re-sealed.
    const rows = await k.selectFrom('audit_log').selectAll().orderBy('chain_index').execute();
    let prev = genesisHash;
    for (const row of rows) {
      prev = chainHash(prev, {
        ...auditEntryFromRow({ ...row, chain_format: null }),
        chainIndex: row.chain_index!,
      });
      await k
        .updateTable('audit_log')
        .set({ hash: prev, chain_format: null })
        .where('id', '=', row.id)
        .execute();
    }
    await k.deleteFrom('audit_seals').execute();
    const sealedAt = app.now().toISOString();
    const seal = signSeal(
      { chainIndex: 9, headHash: prev, sealedAt, keyId: key.keyId },
      key.privateKey,
    );
    await insertSeal(k, seal);
    await app.db.transaction((trx) =>
      appendAudit(trx, app, staff('registrar'), {
        operation: 'person.read',
        subjectIds: ['p-new'],
      }),
    );
    await sealPendingAudit(app, { key });
    const formats = await k
      .selectFrom('audit_log')
      .select('chain_format')
      .orderBy('chain_index')
      .execute();
    assert.deepEqual(
      formats.map((r) => r.chain_format),
      [...Array<null>(10).fill(null), 2],
    );
    const verdict = await verifyAuditLog(app);
    assert.equal(verdict.ok && verdict.entriesChecked, 11);
    // A format 2 entry passed off as format 1 no longer hashes.
    await sql`update audit_log set chain_format = null where chain_index = 10`.execute(k);
    const downgraded = failed(await verifyAuditLog(app));
    assert.deepEqual([downgraded.problem, downgraded.chainIndex], ['altered', 10]);
  });

  it('verifies a range, anchored on the seal before it', async () => {
    const app = testApp(db());
    const ids = await sealedLog(app);
    await sql`update audit_log set details = ${'{"i":-1}'} where chain_index = 3`.execute(
      db().kysely,
    );
    const later = await verifyAuditLog(app, { fromIndex: 12, toIndex: 16 });
    assert.equal(later.ok, true);
    assert.deepEqual(later.range, { from: 10, to: 16 });
    assert.equal(later.ok && later.entriesChecked, 7);
    const covering = failed(await verifyAuditLog(app, { fromIndex: 2, toIndex: 6 }));
    assert.deepEqual(
      [covering.problem, covering.chainIndex, covering.entryId],
      ['altered', 3, ids[3]],
    );
  });

  it('counts entries not chained yet, and refuses a range past the end', async () => {
    const app = testApp(db());
    await sealedLog(app, 5);
    await app.db.transaction((trx) =>
      appendAudit(trx, app, staff('admin'), { operation: 'staff.create' }),
    );
    const verdict = await verifyAuditLog(app);
    assert.equal(verdict.ok && verdict.entriesChecked, 5);
    assert.equal(verdict.unsealedEntries, 1);
    await assert.rejects(
      verifyAuditLog(app, { toIndex: 5 }),
      (e) => e instanceof DomainError && e.field === 'toIndex',
    );
    await assert.rejects(
      verifyAuditLog(app, { fromIndex: 3, toIndex: 2 }),
      (e) => e instanceof DomainError && e.field === 'fromIndex',
    );
    await assert.rejects(
      verifyAuditLog(app, { fromIndex: -1 }),
      (e) => e instanceof DomainError && e.field === 'fromIndex',
    );
  });

  it('lets only auditors verify over the API, and audits the check', async () => {
    const app = testApp(db());
    await sealedLog(app, 5);
    await assert.rejects(
      verifyAuditLogAs(app, staff('registrar'), {}),
      (e) => e instanceof DomainError && e.code === 'FORBIDDEN',
    );
    const auditor = staff('auditor');
    assert.equal((await verifyAuditLogAs(app, auditor, {})).ok, true);
    const entry = await db()
      .kysely.selectFrom('audit_log')
      .selectAll()
      .where('operation', '=', 'audit.verify')
      .executeTakeFirstOrThrow();
    assert.equal(entry.actor_id, auditor.actor.id);
    assert.equal(entry.purpose, 'audit');
  });
});

describe('tessera audit verify / seal', () => {
  let test: { db: Database; url: string; dispose: () => Promise<void> };
  const saved = { ...process.env };
  before(async () => {
    test = await createTestDatabase('sqlite');
    process.env.TESSERA_DATABASE_URL = test.url;
    process.env.TESSERA_DATA_DIR = mkdtempSync(join(tmpdir(), 'tessera-cli-data-'));
    process.env.TESSERA_AUDIT_KEY_FILE = keyFile;
  });
  after(async () => {
    process.env = saved;
    await test.dispose();
  });

  const run = runAuditCommand;

  it('seals, verifies (exit 0), then names a tampered entry (exit 1), as text and JSON', async () => {
    const app = testApp(test.db);
    for (let i = 0; i < 3; i++) {
      await app.db.transaction((trx) =>
        appendAudit(trx, app, staff('registrar'), { operation: 'person.read', subjectIds: ['p'] }),
      );
    }
    assert.match(
      (await run('audit', 'seal')).out,
      /^sealed 3 entries in 1 batches; chain head #2 [0-9a-f]{64}$/m,
    );
    assert.equal((await run('audit', 'seal')).out, 'nothing to seal\n');
    const ok = await run('audit', 'verify');
    assert.equal(ok.code, 0);
    assert.match(ok.out, /^audit log verified: 3 entries, 1 seals/);
    const id = (
      await test.db.kysely
        .selectFrom('audit_log')
        .select('id')
        .where('chain_index', '=', 1)
        .executeTakeFirstOrThrow()
    ).id;
    await sql`update audit_log set origin = 'elsewhere' where chain_index = 1`.execute(
      test.db.kysely,
    );
    const bad = await run('audit', 'verify');
    assert.equal(bad.code, 1);
    assert.match(bad.out, new RegExp(`^audit log TAMPERED: altered at chain index 1, entry ${id}`));
    const json = JSON.parse(
      (await run('audit', 'verify', '--from', '0', '--to', '2', '--json')).out,
    ) as Record<string, unknown>;
    assert.deepEqual(
      [json.ok, json.problem, json.chainIndex, json.entryId],
      [false, 'altered', 1, id],
    );
  });

  it('reports an entry whose JSON is damaged as tampered (exit 1), naming it, not a crash', async () => {
    const app = testApp(test.db);
    const k = test.db.kysely;
    await k.deleteFrom('audit_subjects').execute();
    await k.deleteFrom('audit_log').execute();
    await k.deleteFrom('audit_seals').execute();
    for (let i = 0; i < 3; i++) {
      await app.db.transaction((trx) =>
        appendAudit(trx, app, staff('registrar'), { operation: 'person.read', subjectIds: ['p'] }),
      );
    }
    assert.match((await run('audit', 'seal')).out, /^sealed 3 entries/);
    const { id } = await k
      .selectFrom('audit_log')
      .select('id')
      .where('chain_index', '=', 2)
      .executeTakeFirstOrThrow();
    await sql`update audit_log set subject_ids = ${'["p",'} where chain_index = 2`.execute(k);
    const bad = await run('audit', 'verify');
    assert.equal(bad.code, 1);
    assert.equal(bad.err, '');
    assert.match(bad.out, new RegExp(`^audit log TAMPERED: altered at chain index 2, entry ${id}`));
    assert.match(bad.out, /cannot be read \(subject_ids is not JSON\)/);
  });
});
