// `npm test` must be able to fail: a failing, crashing or timed-out test file, or a name that
// matches no file, gives a non-zero exit and says what failed, whether the runner starts its
// own PostgreSQL or is given one. Each case runs the real runner in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const root = new URL('..', import.meta.url).pathname;

function runTests(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; out: string } {
  const result = spawnSync(
    process.execPath,
    ['node_modules/tsx/dist/cli.mjs', 'scripts/run-tests.ts', ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TESSERA_TEST_ENGINES: 'sqlite', ...env },
      timeout: 120_000,
    },
  );
  return { status: result.status, out: `${result.stdout}\n${result.stderr}` };
}

const fixture = (name: string): string => `test/fixtures/runner/${name}.test.ts`;

describe('npm test', () => {
  it('passes a passing file, so that the failures below mean something', () => {
    const { status, out } = runTests([fixture('passes')]);
    assert.equal(status, 0, out);
    assert.match(out, /ℹ pass 1/);
  });

  it('exits non-zero when a test fails, and names the failure', () => {
    const { status, out } = runTests([fixture('fails')]);
    assert.notEqual(status, 0, out);
    assert.match(out, /ℹ fail 1/);
    assert.match(out, /runner fixture that fails on purpose/);
  });

  it('exits non-zero when a test file crashes while loading', () => {
    const { status, out } = runTests([fixture('crashes')]);
    assert.notEqual(status, 0, out);
    assert.match(out, /deliberate crash while loading/);
  });

  it('exits non-zero when a test times out', () => {
    const { status, out } = runTests([fixture('cancelled')]);
    assert.notEqual(status, 0, out);
    assert.match(out, /runner fixture that never finishes/);
  });

  it('exits non-zero when a name matches no test file', () => {
    const { status, out } = runTests(['no-such-test-file-anywhere']);
    assert.equal(status, 2, out);
    assert.match(out, /no test file matches: no-such-test-file-anywhere/);
  });

  it('exits non-zero when one of several names matches nothing', () => {
    const { status, out } = runTests([fixture('passes'), 'no-such-test-file-anywhere']);
    assert.equal(status, 2, out);
  });

  it('exits non-zero on a failure while it runs its own PostgreSQL server', () => {
    const env = { TESSERA_TEST_ENGINES: '', TESSERA_TEST_DATABASE_URL: '' };
    const { status, out } = runTests([fixture('fails'), fixture('passes')], env);
    assert.match(out, /Starting PostgreSQL for the test suite… ready/);
    assert.notEqual(status, 0, out);
    assert.match(out, /ℹ fail 1/);
  });

  it(
    'exits non-zero on a failure when given a PostgreSQL server',
    { skip: !process.env.TESSERA_TEST_DATABASE_URL },
    () => {
      const env = { TESSERA_TEST_ENGINES: '' };
      const { status, out } = runTests([fixture('fails')], env);
      assert.doesNotMatch(out, /Starting PostgreSQL/);
      assert.notEqual(status, 0, out);
    },
  );
});
