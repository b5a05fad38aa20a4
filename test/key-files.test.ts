// Every key file the server reads is checked when `tessera serve` starts, and one that group
// or others can read stops it, naming the file and the fix (issue 9, finding 2).
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { checkKeyFiles, settingsFromEnv } from '../src/app';
import { registerServeCommand } from '../src/cli/serve-command';
import type { Database } from '../src/db';
import { createTestDatabase } from './support/engines';
import { testApp } from './support/app';

void describe('key files at server start', () => {
  let test: { db: Database; dispose: () => Promise<void> };
  const saved = { ...process.env };
  before(async () => {
    test = await createTestDatabase('sqlite');
  });
  after(async () => {
    process.env = saved;
    await test.dispose();
  });

  /** A fresh data directory whose key files the first start creates, all mode 600. */
  function freshInstall(): string {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-keys-'));
    process.env = { ...saved, TESSERA_DATA_DIR: dir };
    for (const name of ['TESSERA_DATA_KEY', 'TESSERA_KEK', 'TESSERA_AUDIT_KEY_FILE']) {
      delete process.env[name];
    }
    settingsFromEnv();
    checkKeyFiles(testApp(test.db));
    for (const name of ['data.key', 'kek.key', 'audit-seal.pem']) {
      assert.equal(statSync(join(dir, 'keys', name)).mode & 0o777, 0o600, name);
    }
    assert.equal(statSync(join(dir, 'keys', 'audit-seal-keys.pub')).mode & 0o777, 0o644);
    return dir;
  }

  for (const name of ['data.key', 'kek.key', 'audit-seal.pem']) {
    void it(`refuses ${name} when group or others can read it, naming it and chmod 600`, () => {
      const file = join(freshInstall(), 'keys', name);
      chmodSync(file, 0o640);
      const start = () => {
        settingsFromEnv();
        checkKeyFiles(testApp(test.db));
      };
      assert.throws(start, (e: Error) =>
        e.message.includes(`${file} is readable by others (mode 640): run chmod 600 ${file}`),
      );
      chmodSync(file, 0o600);
      start();
    });
  }

  void it('refuses a pinned-keys file others can write', () => {
    const file = join(freshInstall(), 'keys', 'audit-seal-keys.pub');
    chmodSync(file, 0o666);
    assert.throws(() => checkKeyFiles(testApp(test.db)), /writable by others .*chmod 644/);
  });

  void it('tessera serve runs the checks before it loads demo data or listens', async () => {
    const file = join(freshInstall(), 'keys', 'kek.key');
    chmodSync(file, 0o604);
    const reached: string[] = [];
    // serve closes the database when it refuses to start, so it gets one of its own.
    const own = await createTestDatabase('sqlite');
    const program = new Command('tessera').exitOverride();
    registerServeCommand(program, {
      createApp: () => Promise.resolve(testApp(own.db)),
      checkKeyFiles,
      routes: () => (reached.push('routes'), []),
      authenticator: () => {
        throw new Error('not reached');
      },
      errorTranslators: () => [],
      startJobs: () => (reached.push('jobs'), []),
      loadDemo: () => (reached.push('demo'), Promise.resolve([])),
    });
    try {
      await assert.rejects(
        program.parseAsync(['node', 'tessera', 'serve', '--demo']),
        new RegExp(`${file} is readable by others`),
      );
    } finally {
      await own.dispose().catch(() => undefined);
    }
    assert.deepEqual(reached, []);
  });
});
