// The forgeries of issue 9, finding 2, each tried on a freshly sealed log with the key pinned
// outside the database and an anchor taken before the forgery: `tessera audit verify
// --anchor FILE` must fail (exit 1) and name what failed. The forger has write access to the
// database and nothing else: not the seal key file, not the pinned keys, not the anchor.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp } from '../../test/support/app';
import type { Database } from '../db';
import { appendAudit } from './append-audit';
import { chainHash, signSeal } from './audit-chain';
import { auditEntryFromRow } from './audit-entry';
import { indexRowsOf } from './audit-index';
import { anchorFileText, parseAuditHead, readAuditHead } from './audit-head';
import { loadAuditSealKey, recordSealKey, type AuditSealKey } from './audit-seal-keys';
import { insertSeal } from './audit-sealer';
import { runAuditCommand } from './test-support';
import { createPinnedSealKeysFile } from './pinned-seal-keys';

const dir = mkdtempSync(join(tmpdir(), 'tessera-forgery-'));
const keyFile = join(dir, 'keys', 'audit-seal.pem');
const key = loadAuditSealKey(keyFile, { create: true });
const pinnedFile = join(dir, 'pinned', 'audit-seal-keys.pub');
createPinnedSealKeysFile(pinnedFile, key, '2026-12-01T00:00:00.000Z');
// The forger's own key: valid Ed25519, never pinned.
const forgerKey = loadAuditSealKey(join(dir, 'forger', 'forger.pem'), { create: true });

const run = runAuditCommand;

let anchorCount = 0;

/** A fresh log of 20 entries, sealed by the CLI at #14 and #19, and an anchor of its head. */
async function sealedAndAnchored(db: Database): Promise<{ ids: string[]; anchor: string }> {
  const k = db.kysely;
  for (const table of ['audit_subjects', 'audit_log', 'audit_seals', 'audit_seal_keys']) {
    await sql`delete from ${sql.table(table)}`.execute(k);
  }
  const app = testApp(db);
  for (let i = 0; i < 20; i++) {
    if (i === 15) assert.match((await run('audit', 'seal')).out, /^sealed 15 entries/);
    app.advance(1000);
    await app.db.transaction((trx) =>
      appendAudit(trx, app, staff('registrar', ['VE-A'], 'service_delivery'), {
        operation: 'person.read',
        permission: 'person:read',
        subjectIds: [`person-${i}`],
        details: { i },
      }),
    );
  }
  assert.match((await run('audit', 'seal')).out, /^sealed 5 entries/);
  const anchor = join(dir, `anchor-${++anchorCount}.json`);
  assert.match(
    (await run('audit', 'anchor', '--out', anchor)).out,
    /^anchored the audit log at #19/,
  );
  assert.equal((await run('audit', 'verify', '--anchor', anchor)).code, 0);
  const rows = await k.selectFrom('audit_log').select('id').orderBy('chain_index').execute();
  return { ids: rows.map((r) => r.id), anchor };
}

/** What a forger with database access does next: rehash from `from` on and re-seal with `signer`. */
async function rehashAndReseal(db: Database, from: number, signer: AuditSealKey): Promise<void> {
  const k = db.kysely;
  const rows = await k.selectFrom('audit_log').selectAll().orderBy('chain_index').execute();
  const index = await indexRowsOf(
    k,
    rows.map((r) => r.id),
  );
  let prev = rows[from - 1]!.hash!;
  for (const row of rows.slice(from)) {
    const indexedSubjectIds = index.get(row.id)!.map((r) => r.personId);
    const entry = { ...auditEntryFromRow(row), chainIndex: row.chain_index!, indexedSubjectIds };
    prev = chainHash(prev, entry);
    await k.updateTable('audit_log').set({ hash: prev }).where('id', '=', row.id).execute();
  }
  await k.deleteFrom('audit_seals').where('chain_index', '>=', from).execute();
  const head = rows.at(-1)!;
  const sealedAt = '2026-12-02T00:00:00.000Z';
  await recordSealKey(k, signer, sealedAt);
  const seal = signSeal(
    { chainIndex: head.chain_index!, headHash: prev, sealedAt, keyId: signer.keyId },
    signer.privateKey,
  );
  await insertSeal(k, seal);
}

async function verifyFails(anchor: string): Promise<Record<string, unknown>> {
  const text = await run('audit', 'verify', '--anchor', anchor);
  assert.equal(text.code, 1, text.out);
  assert.match(text.out, /^audit log TAMPERED: /);
  const json = await run('audit', 'verify', '--anchor', anchor, '--json');
  return JSON.parse(json.out) as Record<string, unknown>;
}

forEachEngine('audit forgery with database access alone', ({ db, url }) => {
  const saved = { ...process.env };
  before(() => {
    process.env.TESSERA_DATABASE_URL = url();
    process.env.TESSERA_DATA_DIR = join(dir, 'data');
    process.env.TESSERA_AUDIT_KEY_FILE = keyFile;
    process.env.TESSERA_AUDIT_SEAL_PUBKEYS_FILE = pinnedFile;
  });
  after(() => {
    process.env = saved;
  });

  it('an inserted seal key, an altered entry, the chain rehashed and re-signed: fails naming the key', async () => {
    const { anchor } = await sealedAndAnchored(db());
    await sql`update audit_log set purpose = 'grievance' where chain_index = 3`.execute(
      db().kysely,
    );
    await rehashAndReseal(db(), 3, forgerKey);
    const verdict = await verifyFails(anchor);
    assert.deepEqual([verdict.problem, verdict.chainIndex], ['bad_seal', 19]);
    assert.match(String(verdict.message), new RegExp(`${forgerKey.keyId}, which is not pinned`));
  });

  it('an altered entry: fails naming it', async () => {
    const { ids, anchor } = await sealedAndAnchored(db());
    await sql`update audit_log set actor_id = 'someone-else' where chain_index = 7`.execute(
      db().kysely,
    );
    const verdict = await verifyFails(anchor);
    assert.deepEqual(
      [verdict.problem, verdict.chainIndex, verdict.entryId],
      ['altered', 7, ids[7]],
    );
  });

  it('a deleted entry: fails naming its place', async () => {
    const { anchor } = await sealedAndAnchored(db());
    await sql`delete from audit_log where chain_index = 11`.execute(db().kysely);
    const verdict = await verifyFails(anchor);
    assert.deepEqual([verdict.problem, verdict.chainIndex], ['removed', 11]);
  });

  it('a deleted entry and the rest renumbered: fails naming the place', async () => {
    const { anchor } = await sealedAndAnchored(db());
    const k = db().kysely;
    await sql`delete from audit_log where chain_index = 11`.execute(k);
    for (let i = 12; i < 20; i++) {
      await sql`update audit_log set chain_index = ${i - 1} where chain_index = ${i}`.execute(k);
    }
    const verdict = await verifyFails(anchor);
    assert.deepEqual([verdict.problem, verdict.chainIndex], ['removed', 11]);
    assert.match(String(verdict.message), /removed at #11 and the rest renumbered/);
  });

  it('deleted, renumbered, rehashed and the later seals deleted: the anchor names the loss', async () => {
    const { anchor } = await sealedAndAnchored(db());
    const k = db().kysely;
    await sql`delete from audit_log where chain_index = 11`.execute(k);
    for (let i = 12; i < 20; i++) {
      await sql`update audit_log set chain_index = ${i - 1} where chain_index = ${i}`.execute(k);
    }
    await rehashAndReseal(db(), 11, forgerKey);
    await k.deleteFrom('audit_seals').execute();
    const verdict = await verifyFails(anchor);
    assert.deepEqual([verdict.problem, verdict.chainIndex], ['removed', 19]);
    assert.match(String(verdict.message), /the head anchored at .* is #19/);
    // Without the anchor the missing seal still shows.
    const unanchored = await run('audit', 'verify', '--json');
    assert.equal(unanchored.code, 1);
    const problem = JSON.parse(unanchored.out) as Record<string, unknown>;
    assert.deepEqual([problem.problem, problem.chainIndex], ['unsealed', 0]);
  });

  it('a rewritten log padded back to the anchored length: fails at the anchored head', async () => {
    const { ids, anchor } = await sealedAndAnchored(db());
    const k = db().kysely;
    await sql`update audit_log set details = ${'{"i":-5}'} where chain_index = 5`.execute(k);
    // Even re-signed by an insider holding the pinned key, the rewritten head is not the anchored one.
    await rehashAndReseal(db(), 5, key);
    const verdict = await verifyFails(anchor);
    assert.deepEqual(
      [verdict.problem, verdict.chainIndex, verdict.entryId],
      ['bad_anchor', 19, ids[19]],
    );
    assert.match(String(verdict.message), /was rewritten since the anchor was taken/);
  });

  it('a deleted tail, with its seals: only the anchor sees it, and names where the log ends', async () => {
    const { anchor } = await sealedAndAnchored(db());
    const k = db().kysely;
    await sql`delete from audit_log where chain_index >= 15`.execute(k);
    await sql`delete from audit_seals where chain_index >= 15`.execute(k);
    const unanchored = await run('audit', 'verify');
    assert.equal(unanchored.code, 0, 'the shortened log is consistent in itself');
    const verdict = await verifyFails(anchor);
    assert.deepEqual([verdict.problem, verdict.chainIndex], ['removed', 15]);
    assert.match(String(verdict.message), /the log ends at #14 but the head anchored at .* is #19/);
  });
  it('a person’s access-report index rows deleted: fails naming the entry and the person', async () => {
    const { ids, anchor } = await sealedAndAnchored(db());
    await sql`delete from audit_subjects where person_id = 'person-7'`.execute(db().kysely);
    const verdict = await verifyFails(anchor);
    assert.deepEqual(
      [verdict.problem, verdict.chainIndex, verdict.entryId],
      ['index_altered', 7, ids[7]],
    );
    assert.match(String(verdict.message), /rows deleted for person-7/);
  });

  it('an index row added, or filed under another time: fails naming the entry', async () => {
    const { ids, anchor } = await sealedAndAnchored(db());
    const k = db().kysely;
    const entry = await k
      .selectFrom('audit_log')
      .select(['id', 'at'])
      .where('chain_index', '=', 4)
      .executeTakeFirstOrThrow();
    await k
      .insertInto('audit_subjects')
      .values({ audit_id: entry.id, person_id: 'person-x', at: entry.at })
      .execute();
    const added = await verifyFails(anchor);
    assert.deepEqual([added.problem, added.entryId], ['index_altered', ids[4]]);
    assert.match(String(added.message), /rows added for person-x/);
    await k.deleteFrom('audit_subjects').where('person_id', '=', 'person-x').execute();
    await k
      .updateTable('audit_subjects')
      .set({ at: '2020-01-01T00:00:00.000Z' })
      .where('audit_id', '=', entry.id)
      .execute();
    const moved = await verifyFails(anchor);
    assert.deepEqual([moved.problem, moved.entryId], ['index_altered', ids[4]]);
    assert.match(String(moved.message), /files it at 2020-01-01T00:00:00.000Z/);
  });
});

forEachEngine('tessera audit anchor', ({ db, url }) => {
  const saved = { ...process.env };
  before(() => {
    process.env.TESSERA_DATABASE_URL = url();
    process.env.TESSERA_DATA_DIR = join(dir, 'data');
    process.env.TESSERA_AUDIT_KEY_FILE = keyFile;
    process.env.TESSERA_AUDIT_SEAL_PUBKEYS_FILE = pinnedFile;
  });
  after(() => {
    process.env = saved;
  });

  it('refuses to replace an anchor without --force, and never with an earlier head', async () => {
    const { anchor } = await sealedAndAnchored(db());
    await assert.rejects(run('audit', 'anchor', '--out', anchor), /exists: pass --force/);
    assert.equal((await run('audit', 'anchor', '--out', anchor, '--force')).code, 0);
    const k = db().kysely;
    await sql`delete from audit_log where chain_index >= 15`.execute(k);
    await sql`delete from audit_seals where chain_index >= 15`.execute(k);
    await assert.rejects(
      run('audit', 'anchor', '--out', anchor, '--force'),
      /the head #14 is behind the anchor kept in .* \(#19\): the log lost entries/,
    );
    assert.equal(parseAuditHead(readFileSync(anchor, 'utf8'), anchor).chainIndex, 19);
  });

  it('refuses to anchor a head signed by a key that is not pinned', async () => {
    await sealedAndAnchored(db());
    await rehashAndReseal(db(), 19, forgerKey);
    await assert.rejects(
      run('audit', 'anchor', '--out', join(dir, 'never.json')),
      new RegExp(
        `the head #19 is signed by key ${forgerKey.keyId}, which is not pinned in ${pinnedFile}`,
      ),
    );
    assert.equal(existsSync(join(dir, 'never.json')), false);
  });

  it('fails on an anchor whose signature or key is not trusted, naming the key', async () => {
    const { anchor } = await sealedAndAnchored(db());
    const head = parseAuditHead(readFileSync(anchor, 'utf8'), anchor);
    const forged = join(dir, `forged-${++anchorCount}.json`);
    writeFileSync(forged, anchorFileText({ ...head, headHash: '0'.repeat(64) }));
    const badSignature = await verifyFails(forged);
    assert.equal(badSignature.problem, 'bad_anchor');
    assert.match(
      String(badSignature.message),
      new RegExp(`invalid signature \\(key ${key.keyId}\\)`),
    );
    const byForger = signSeal({ ...head, keyId: forgerKey.keyId }, forgerKey.privateKey);
    writeFileSync(forged, anchorFileText({ ...head, ...byForger }));
    const unpinned = await verifyFails(forged);
    assert.equal(unpinned.problem, 'bad_anchor');
    assert.match(String(unpinned.message), new RegExp(`${forgerKey.keyId}, which is not pinned`));
    writeFileSync(forged, '{"type":"tessera.audit.head.v1"}');
    await assert.rejects(
      run('audit', 'verify', '--anchor', forged),
      /is not an audit head: chainIndex/,
    );
  });

  it('takes the head from a server with --url, checked against the pinned keys', async () => {
    await sealedAndAnchored(db());
    const head = await readAuditHead(db().kysely);
    let body = anchorFileText(head!);
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const out = join(dir, `from-url-${++anchorCount}.json`);
      const headUrl = `http://127.0.0.1:${port}/api/v1/audit/head`;
      const done = await run('audit', 'anchor', '--url', headUrl, '--out', out);
      assert.match(done.out, /^anchored the audit log at #19/);
      assert.equal((await run('audit', 'verify', '--anchor', out)).code, 0);
      const byForger = signSeal({ ...head!, keyId: forgerKey.keyId }, forgerKey.privateKey);
      body = anchorFileText({ ...head!, ...byForger });
      await assert.rejects(
        run('audit', 'anchor', '--url', headUrl, '--out', join(dir, 'never.json')),
        /which is not pinned/,
      );
    } finally {
      server.close();
    }
  });
});
