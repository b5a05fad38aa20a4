import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { sql } from 'kysely';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp } from '../../test/support/app';
import type { AppContext } from '../shared/context';
import { appendAudit } from './append-audit';
import { genesisHash } from './audit-chain';
import { pinAuditKeysInMemory } from './audit-key-settings';
import { auditSealKeyFromEnv, loadAuditSealKey, type SealKeyTables } from './audit-seal-keys';
import { sealerAdvisoryLockKey, sealPendingAudit, startAuditSealer } from './audit-sealer';
import { verifyAuditLog } from './verify-audit';
import type { AuditOperation } from '../shared/audit-operations';

const keyDir = mkdtempSync(join(tmpdir(), 'tessera-audit-key-'));
const key = loadAuditSealKey(join(keyDir, 'audit-seal.pem'), { create: true });

async function resetAudit(app: AppContext): Promise<void> {
  pinAuditKeysInMemory(app, key);
  const k = app.db.kysely;
  await k.deleteFrom('audit_subjects').execute();
  await k.deleteFrom('audit_log').execute();
  await k.deleteFrom('audit_seals').execute();
  await k.withTables<SealKeyTables>().deleteFrom('audit_seal_keys').execute();
}

async function append(
  app: AppContext,
  count: number,
  operation: AuditOperation = 'person.read',
): Promise<string[]> {
  const caller = staff('registrar', ['VE-A'], 'enrolment');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(
      await app.db.transaction((trx) =>
        appendAudit(trx, app, caller, {
          operation,
          permission: 'person:read',
          subjectIds: [`p-${i}`],
          details: { i },
        }),
      ),
    );
  }
  return ids;
}

async function chained(app: AppContext) {
  return app.db.kysely
    .selectFrom('audit_log')
    .selectAll()
    .where('chain_index', 'is not', null)
    .orderBy('chain_index')
    .execute();
}

forEachEngine('audit sealer', ({ db, engine }) => {
  it('chains pending entries from index 0 in append order and signs the head', async () => {
    const app = testApp(db());
    await resetAudit(app);
    const ids = await append(app, 5);
    const result = await sealPendingAudit(app, { key });
    assert.deepEqual(
      { ...result, headHash: undefined },
      { kind: 'sealed', batches: 1, entries: 5, lastIndex: 4, headHash: undefined },
    );
    const rows = await chained(app);
    assert.deepEqual(
      rows.map((r) => r.chain_index),
      [0, 1, 2, 3, 4],
    );
    // Same `at` for all (the test clock stands still): the id breaks the tie.
    assert.deepEqual(
      rows.map((r) => r.id),
      [...ids].sort(),
    );
    const seals = await app.db.kysely.selectFrom('audit_seals').selectAll().execute();
    assert.equal(seals.length, 1);
    assert.equal(seals[0]?.chain_index, 4);
    assert.equal(seals[0]?.head_hash, rows[4]?.hash);
    assert.equal(seals[0]?.key_id, key.keyId);
    assert.notEqual(rows[0]?.hash, genesisHash);
    assert.deepEqual(await sealPendingAudit(app, { key }), { kind: 'nothing_pending' });
  });

  it('refuses to chain a row whose JSON is damaged, naming it, and chains nothing', async () => {
    const app = testApp(db());
    await resetAudit(app);
    const ids = await append(app, 3);
    const k = app.db.kysely;
    await k
      .updateTable('audit_log')
      .set({ subject_ids: '{"p":1}' })
      .where('id', '=', ids[1]!)
      .execute();
    await assert.rejects(
      sealPendingAudit(app, { key }),
      new RegExp(`audit entry ${ids[1]} \\(not chained yet\\) cannot be read: subject_ids`),
    );
    await k
      .updateTable('audit_log')
      .set({ subject_ids: '[]', details: '{"i":' })
      .where('id', '=', ids[1]!)
      .execute();
    await assert.rejects(sealPendingAudit(app, { key }), /details is not JSON/);
    assert.equal((await chained(app)).length, 0);
    assert.equal((await k.selectFrom('audit_seals').selectAll().execute()).length, 0);
  });

  it('continues the chain where it stopped, one seal per batch', async () => {
    const app = testApp(db());
    await resetAudit(app);
    await append(app, 3);
    await sealPendingAudit(app, { key });
    app.advance(1000);
    await append(app, 25);
    const result = await sealPendingAudit(app, { key, batchSize: 10 });
    assert.equal(result.kind, 'sealed');
    assert.equal(result.kind === 'sealed' && result.batches, 3);
    assert.equal(result.kind === 'sealed' && result.lastIndex, 27);
    assert.deepEqual(
      (await chained(app)).map((r) => r.chain_index),
      Array.from({ length: 28 }, (_, i) => i),
    );
    const seals = await app.db.kysely
      .selectFrom('audit_seals')
      .select('chain_index')
      .orderBy('chain_index')
      .execute();
    assert.deepEqual(
      seals.map((s) => s.chain_index),
      [2, 12, 22, 27],
    );
    const verdict = await verifyAuditLog(app);
    assert.equal(verdict.ok, true);
    assert.equal(verdict.ok && verdict.sealsChecked, 4);
  });

  it('chains an entry committed late with an earlier time in the next batch', async () => {
    const app = testApp(db());
    await resetAudit(app);
    app.advance(60_000);
    await append(app, 2);
    await sealPendingAudit(app, { key });
    app.advance(-30_000); // a transaction that started earlier commits now
    const [late] = await append(app, 1);
    await sealPendingAudit(app, { key });
    const rows = await chained(app);
    assert.equal(rows.at(-1)?.id, late);
    assert.equal(rows.at(-1)?.chain_index, 2);
    assert.ok(rows[2]!.at < rows[1]!.at);
    assert.equal((await verifyAuditLog(app)).ok, true);
  });

  it('serialises concurrent sealers in one process: one contiguous chain', async () => {
    const app = testApp(db());
    await resetAudit(app);
    await append(app, 30);
    const runs = await Promise.all([
      sealPendingAudit(app, { key, batchSize: 7 }),
      append(app, 10).then(() => sealPendingAudit(app, { key, batchSize: 7 })),
      sealPendingAudit(app, { key, batchSize: 7 }),
    ]);
    assert.ok(runs.some((r) => r.kind === 'sealed'));
    await sealPendingAudit(app, { key });
    assert.deepEqual(
      (await chained(app)).map((r) => r.chain_index),
      Array.from({ length: 40 }, (_, i) => i),
    );
    const pending = await app.db.kysely
      .selectFrom('audit_log')
      .select('id')
      .where('chain_index', 'is', null)
      .execute();
    assert.equal(pending.length, 0);
    assert.equal((await verifyAuditLog(app)).ok, true);
  });

  it('records each seal key; seals made before a key change verify while the old key stays pinned', async () => {
    const app = testApp(db());
    await resetAudit(app);
    await append(app, 3);
    await sealPendingAudit(app, { key });
    const newKey = loadAuditSealKey(
      join(mkdtempSync(join(tmpdir(), 'tessera-audit-key-')), 'k.pem'),
      { create: true },
    );
    await append(app, 3);
    await sealPendingAudit(app, { key: newKey });
    const keys = await app.db.kysely
      .withTables<SealKeyTables>()
      .selectFrom('audit_seal_keys')
      .select(['key_id', 'public_key'])
      .orderBy('key_id')
      .execute();
    assert.deepEqual(keys.map((k) => k.key_id).sort(), [key.keyId, newKey.keyId].sort());
    assert.ok(keys.every((k) => k.public_key.startsWith('-----BEGIN PUBLIC KEY-----')));
    pinAuditKeysInMemory(app, newKey, [key, newKey]);
    const verdict = await verifyAuditLog(app);
    assert.equal(verdict.ok && verdict.sealsChecked, 2);
  });

  it('seals once more when the background sealer stops', async () => {
    const app = testApp(db());
    await resetAudit(app);
    const stop = startAuditSealer(app, { intervalMs: 60 * 60 * 1000, key });
    await append(app, 4);
    await stop();
    assert.equal((await chained(app)).length, 4);
    await stop(); // stopping twice is harmless
    assert.throws(() => startAuditSealer(app, { intervalMs: 0, key }), /intervalMs/);
  });

  if (engine === 'postgres') {
    it('stands aside while another process holds the sealer lock', async () => {
      const app = testApp(db());
      await resetAudit(app);
      await append(app, 2);
      await app.db.kysely.connection().execute(async (other) => {
        await sql`select pg_advisory_lock(${sealerAdvisoryLockKey})`.execute(other);
        try {
          assert.deepEqual(await sealPendingAudit(app, { key }), { kind: 'busy' });
        } finally {
          await sql`select pg_advisory_unlock(${sealerAdvisoryLockKey})`.execute(other);
        }
      });
      assert.equal((await sealPendingAudit(app, { key })).kind, 'sealed');
    });
  }
});

it('creates the seal key file with mode 600 and refuses one others can read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-audit-key-'));
  const first = auditSealKeyFromEnv({ TESSERA_DATA_DIR: dir });
  const file = join(dir, 'keys', 'audit-seal.pem');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(loadAuditSealKey(file, { create: false }).keyId, first.keyId);
  chmodSync(file, 0o644);
  assert.throws(() => loadAuditSealKey(file, { create: false }), /readable by others/);
  assert.throws(
    () => auditSealKeyFromEnv({ TESSERA_AUDIT_KEY_FILE: join(dir, 'missing.pem') }),
    /does not exist/,
  );
  const junk = join(dir, 'junk.pem');
  writeFileSync(junk, 'not a key', { mode: 0o600 });
  assert.throws(
    () => loadAuditSealKey(junk, { create: false }),
    (e: Error) => /not a PEM private key/.test(e.message) && !e.message.includes('not a key\n'),
  );
});
