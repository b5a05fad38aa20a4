import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { scryptSync } from 'node:crypto';
import {
  checkPasswordPolicy,
  commonPasswordList,
  deploymentWords,
  hashPassword,
  isTrivial,
  needsRehash,
  scryptParams,
  verifyPassword,
} from './password';
import { defaultRegions } from '../shared/regions';

const cheap = { N: 2 ** 10, r: 8, p: 1 };

void describe('hashPassword / verifyPassword', () => {
  void it('stores a self-describing scrypt string with the documented parameters', async () => {
    const stored = await hashPassword('correct horse battery staple');
    assert.match(stored, /^scrypt\$32768\$8\$3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
    assert.equal(await verifyPassword('correct horse battery staple', stored), true);
    assert.equal(await verifyPassword('correct horse battery stapler', stored), false);
    assert.equal(needsRehash(stored), false);
  });

  void it('salts every hash', async () => {
    const a = await hashPassword('same password here', { params: cheap });
    const b = await hashPassword('same password here', { params: cheap });
    assert.notEqual(a, b);
  });

  void it('is exact given a fixed salt', async () => {
    const random = (n: number) => new Uint8Array(n).fill(7);
    const a = await hashPassword('fixed salt phrase', { params: cheap, random });
    const b = await hashPassword('fixed salt phrase', { params: cheap, random });
    assert.equal(a, b);
    assert.ok(a.startsWith('scrypt$1024$8$1$BwcHBwcHBwcHBwcHBwcHBw$'));
    // The key is scrypt's own (node:crypto, computed apart from hashPassword) over the
    // password, the sixteen 0x07 salt bytes and the stored parameters, 64 bytes, base64url.
    const key = scryptSync('fixed salt phrase', Buffer.alloc(16, 7), 64, cheap);
    assert.equal(a, `scrypt$1024$8$1$BwcHBwcHBwcHBwcHBwcHBw$${key.toString('base64url')}`);
    // A known answer, so that a change of encoding, key length or normalisation shows.
    assert.equal(
      a,
      'scrypt$1024$8$1$BwcHBwcHBwcHBwcHBwcHBw$Zg_5rqbzSOMVKcCOnoFqDH5QScoYBfNBaIEjXxVBuuh9aFnn6oQSEHdB4mbDHlMXFbXC69_kRt8vEcd3kYPRYA',
    );
  });

  void it('treats canonically equivalent Unicode as the same password (NFKC)', async () => {
    const composed = 'café au lait du matin'; // é as one code point
    const decomposed = 'cafe\u0301 au lait du matin';
    const stored = await hashPassword(composed, { params: cheap });
    assert.equal(await verifyPassword(decomposed, stored), true);
  });

  void it('verifies hashes made with older parameters and asks for a rehash', async () => {
    const stored = await hashPassword('an older account password', { params: cheap });
    assert.equal(await verifyPassword('an older account password', stored), true);
    assert.equal(needsRehash(stored), true);
    assert.equal(needsRehash(stored, cheap), false);
  });

  void it('returns false, never throws, for malformed or hostile stored hashes', async () => {
    const good = await hashPassword('a perfectly fine one', { params: cheap });
    const parts = good.split('$');
    const hostile = [
      '',
      'plaintext',
      'bcrypt$2b$10$abc',
      good.replace('scrypt$1024', 'scrypt$1000'), // N not a power of two
      good.replace('scrypt$1024', `scrypt$${2 ** 24}`), // would allocate 16 GiB
      good.replace('scrypt$1024$8', `scrypt$${2 ** 20}$32`), // each limit alone allows 4 GiB
      [...parts.slice(0, 4), '', parts[5]].join('$'), // no salt
      [...parts.slice(0, 5), 'AAAA'].join('$'), // short key
      good + '$extra',
    ];
    for (const stored of hostile) {
      assert.equal(await verifyPassword('a perfectly fine one', stored), false, stored);
      assert.equal(needsRehash(stored), true, stored);
    }
  });

  void it('refuses absurdly long input without hashing it', async () => {
    const stored = await hashPassword('x'.repeat(128), { params: cheap });
    assert.equal(await verifyPassword('x'.repeat(128), stored), true);
    assert.equal(await verifyPassword('x'.repeat(100_000), stored), false);
  });

  void it('documents its parameters', async () => {
    assert.deepEqual({ ...scryptParams }, { N: 32768, r: 8, p: 3 });
    // And hashes with them: a default hash is scrypt at N=2^15, r=8, p=3 over its salt,
    // which costs the 32 MiB the file comment states (128 · N · r bytes).
    const stored = await hashPassword('documented parameters');
    const [, N, r, p, salt, key] = stored.split('$');
    assert.deepEqual([N, r, p].map(Number), [32768, 8, 3]);
    const params = { N: 32768, r: 8, p: 3, maxmem: 64 * 1024 * 1024 };
    const expected = scryptSync(
      'documented parameters',
      Buffer.from(salt!, 'base64url'),
      64,
      params,
    );
    assert.equal(key, expected.toString('base64url'));
    assert.equal(128 * scryptParams.N * scryptParams.r, 32 * 1024 * 1024);
  });

  void it('hashes at the test parameters only when a test suite asks, under the test runner', () => {
    // In a process of its own, so that this file's other tests keep the real parameters.
    const newHash = (testContext: string | undefined) => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.NODE_TEST_CONTEXT;
      if (testContext) env.NODE_TEST_CONTEXT = testContext;
      const script = [
        `const m = await import(${JSON.stringify(new URL('./password.ts', import.meta.url).href)});`,
        'const switched = m.useTestScryptParams();',
        "console.log(switched, (await m.hashPassword('a long test password')).split('$').slice(1, 4).join(' '));",
      ].join('\n');
      return execFileSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          env,
          encoding: 'utf8',
        },
      ).trim();
    };
    assert.equal(newHash(undefined), 'false 32768 8 3', 'a server or bench keeps the real ones');
    assert.equal(newHash('child-v8'), 'true 1024 8 1');
  });
});

void describe('checkPasswordPolicy (NIST SP 800-63B)', () => {
  const refused = (plain: string, reason: string, username?: string) => {
    const result = checkPasswordPolicy(plain, username === undefined ? {} : { username });
    assert.equal(result.ok, false, plain);
    if (!result.ok) {
      assert.equal(result.reason, reason, plain);
      assert.ok(result.message.length > 10);
    }
  };

  void it('accepts long passwords without composition rules', () => {
    for (const ok of [
      'velvet harbour lantern',
      'mango tractor lullaby',
      'zebra kettle drums',
      'тихий вечер у реки',
      'Tr0ub4dor&3xyz',
    ]) {
      assert.deepEqual(checkPasswordPolicy(ok, { username: 'amina' }), { ok: true }, ok);
    }
  });

  void it('counts length in characters, 12 to 128', () => {
    refused('elevenchars', 'too_short');
    refused('ab cd ef gh', 'too_short');
    refused('🦓🦓🦓🦓🦓🦓🦓🦓🦓🦓🦓', 'too_short'); // 11 characters, 44 bytes
    assert.equal(checkPasswordPolicy('mango tractor lullaby'.padEnd(128, 'z')).ok, true);
    refused('mango tractor lullaby'.padEnd(129, 'z'), 'too_long');
  });

  void it('refuses the trivial examples from the issue', () => {
    refused('aaaaaaaaaaaa', 'trivial');
    refused('123456789012', 'trivial');
    refused('qwertyuiop12', 'trivial');
    refused('abcabcabcabc', 'trivial');
    refused('passwordpassword', 'trivial');
    refused('zyxwvutsrqponm', 'trivial');
    refused('aaaabbbbcccc', 'trivial');
  });

  void it('refuses common and breached passwords, also padded, capitalised or in leetspeak', () => {
    refused('1qaz2wsx3edc', 'common');
    refused('leavemealone', 'common');
    refused('Supernatural', 'common');
    refused('Password2024!', 'common');
    refused('P@ssw0rd2024', 'common');
    refused('2024 sunshine', 'common');
    refused('tessera!!!!!2024', 'common');
    refused('correcthorsebatterystaple', 'common');
    refused('Correct Horse Battery Staple', 'common');
    refused('correct-horse-battery-staple', 'common');
  });

  void it('refuses passwords built from the service, country, region, username and a year', () => {
    const contextWords = deploymentWords(defaultRegions);
    const context = (plain: string, username = 'omar.r') => {
      const result = checkPasswordPolicy(plain, { username, contextWords });
      assert.equal(result.ok ? 'ok' : result.reason, 'context', plain);
    };
    // The country's name is in the breach corpus: refused whatever the deployment.
    refused('Venezuela2024', 'common');
    refused('V3n3zu3la-2025!', 'common');
    context('Tessera-Zulia-2025!');
    context('Distrito Capital 1999');
    context('Bolivar.Venezuela.2030');
    context('Bolívar Táchira 2024');
    context('TesseraVenezuela');
    context('Zulia-Táchira-2025');
    // Without the deployment's words the same password passes: the context rule is what bites.
    assert.deepEqual(checkPasswordPolicy('Zulia-Táchira-2025'), { ok: true });
    // The same words with some of one's own are fine.
    for (const ok of ['Venezuela mango tractor 2024', 'zulia lantern harbour']) {
      assert.deepEqual(checkPasswordPolicy(ok, { username: 'omar.r', contextWords }), { ok: true });
    }
    // Without the deployment's words only the service name and the year are known.
    assert.equal(checkPasswordPolicy('Tessera-2025-Tessera').ok, false);
  });

  void it('names the country in both languages and every region among the context words', () => {
    const words = deploymentWords(defaultRegions);
    for (const w of ['tessera', 'Venezuela', 'Zulia', 'Distrito Capital', 'Capital', 'Amazonas'])
      assert.ok(words.includes(w), w);
    assert.ok(deploymentWords({ 'CO-ANT': 'Antioquia' }).includes('Colombia'));
  });

  void it('refuses a password that contains the username', () => {
    refused('amina-is-the-best-2024', 'contains_username', 'Amina');
    assert.equal(checkPasswordPolicy('amina-is-the-best-2024', { username: 'omar' }).ok, true);
  });

  void it('bundles at least 100,000 breached passwords, lowercase, without comments', () => {
    const list = commonPasswordList();
    assert.ok(list.size >= 100_000, `${list.size} entries`);
    assert.ok(list.has('password') && list.has('123456') && list.has('qwertyuiop'));
    for (const word of list) {
      assert.equal(word, word.toLowerCase());
      assert.ok(!word.startsWith('#'));
    }
  });

  void it('detects runs in both directions and along keyboard rows', () => {
    assert.equal(isTrivial("asdfghjkl;'"), true);
    assert.equal(isTrivial('9876543210987'), true);
    assert.equal(isTrivial('mango tractor lullaby'), false);
  });
});
