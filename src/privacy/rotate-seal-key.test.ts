import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Command } from 'commander';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp } from '../../test/support/app';
import { cliContext } from '../app';
import { appendAudit } from './append-audit';
import { readAuditHead } from './audit-head';
import { auditKeySettings } from './audit-key-settings';
import { sealPendingAudit } from './audit-sealer';
import { registerAuditCommands } from './cli-audit';
import { readPinnedSealKeysFile } from './pinned-seal-keys';

async function run(...args: string[]): Promise<{ out: string; code: number }> {
  const result = { out: '', code: 0 };
  const program = new Command('tessera').exitOverride();
  registerAuditCommands(program, cliContext, {
    out: (line) => (result.out += `${line}\n`),
    err: (line) => (result.out += `${line}\n`),
    setExitCode: (code) => (result.code = code),
  });
  await program.parseAsync(['node', 'tessera', ...args]);
  return result;
}

forEachEngine('tessera audit rotate-seal-key', ({ db, url }) => {
  const saved = { ...process.env };
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-rotate-'));
  before(() => {
    process.env.TESSERA_DATABASE_URL = url();
    process.env.TESSERA_DATA_DIR = dataDir;
    delete process.env.TESSERA_AUDIT_KEY_FILE;
    delete process.env.TESSERA_AUDIT_SEAL_PUBKEYS_FILE;
    delete process.env.TESSERA_AUDIT_SEAL_PUBKEYS;
  });
  after(() => {
    process.env = saved;
  });

  it('signs the new key in with the old one; a running server picks it up; both keys verify', async () => {
    const server = testApp(db()); // keys from the environment, as a server's
    const append = () =>
      server.db.transaction((trx) =>
        appendAudit(trx, server, staff('registrar'), {
          operation: 'person.read',
          subjectIds: ['p'],
        }),
      );
    await append();
    await sealPendingAudit(server);
    const pinnedFile = join(dataDir, 'keys', 'audit-seal-keys.pub');
    const oldKeyId = auditKeySettings(server).sealKey().keyId;
    assert.deepEqual([...readPinnedSealKeysFile(pinnedFile).keys()], [oldKeyId]);
    await append(); // pending at rotation: sealed by the old key

    const rotated = await run('audit', 'rotate-seal-key');
    const newKeyId = /-> (audit-[0-9a-f]{16})/.exec(rotated.out)?.[1];
    assert.ok(newKeyId && newKeyId !== oldKeyId, rotated.out);
    assert.match(
      rotated.out,
      new RegExp(`pinned in ${pinnedFile}, after a statement signed by ${oldKeyId}`),
    );
    assert.deepEqual([...readPinnedSealKeysFile(pinnedFile).keys()], [oldKeyId, newKeyId]);
    const statement = readFileSync(pinnedFile, 'utf8')
      .split('\n')
      .find((line) => line.startsWith('# rotation '));
    assert.match(statement ?? '', new RegExp(`"previousKeyId":"${oldKeyId}".*"lastSealedIndex":1`));

    assert.equal(
      auditKeySettings(server).sealKey().keyId,
      newKeyId,
      'read again without a restart',
    );
    const seals = await db()
      .kysely.selectFrom('audit_seals')
      .selectAll()
      .orderBy('chain_index')
      .execute();
    assert.deepEqual(
      seals.map((s) => [s.chain_index, s.key_id]),
      [
        [0, oldKeyId],
        [1, oldKeyId],
        [2, newKeyId],
      ],
    );
    const rotation = await db()
      .kysely.selectFrom('audit_log')
      .selectAll()
      .where('chain_index', '=', 2)
      .executeTakeFirstOrThrow();
    assert.equal(rotation.operation, 'audit.seal_key_rotate');
    await append();
    await sealPendingAudit(server);
    assert.equal((await readAuditHead(db().kysely))?.keyId, newKeyId);
    const verified = await run('audit', 'verify');
    assert.equal(verified.code, 0, verified.out);
    assert.match(verified.out, /4 entries, 4 seals/);
  });

  it('refuses to rotate keys pinned in the environment, which it cannot append to', async () => {
    const pem = readFileSync(join(dataDir, 'keys', 'audit-seal-keys.pub'), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    process.env.TESSERA_AUDIT_SEAL_PUBKEYS = pem;
    try {
      await assert.rejects(run('audit', 'rotate-seal-key'), /which a rotation cannot append to/);
    } finally {
      delete process.env.TESSERA_AUDIT_SEAL_PUBKEYS;
    }
  });
});
