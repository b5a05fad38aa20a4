import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  canonicalJson,
  chainBatch,
  chainHash,
  genesisHash,
  signSeal,
  tamperLookaheadMax,
  verifyChain,
  verifySeal,
  type AuditEntry,
  type AuditSeal,
  type ChainRow,
  type PendingAuditEntry,
} from './audit-chain';

const keyA = generateKeyPairSync('ed25519');
const keyB = generateKeyPairSync('ed25519');
const keys: ReadonlyMap<string, KeyObject> = new Map([
  ['audit-2025', keyA.publicKey],
  ['audit-2026', keyB.publicKey],
]);

function pending(i: number): PendingAuditEntry {
  return {
    id: `e${i}`,
    at: new Date(Date.UTC(2025, 0, 1, 8, 0, i)).toISOString(),
    actorId: i % 3 === 0 ? null : `staff-${i % 7}`,
    actorRole: i % 3 === 0 ? null : 'registrar',
    operation: i % 2 ? 'person.read' : 'person.update',
    purpose: i % 2 ? 'enrolment' : null,
    subjectIds: [`p${i}`, `p${i + 1}`],
    details: { fields: ['name'], count: i, nested: { z: 1, a: [true, null] } },
    origin: 'office-12',
  };
}

/** A log of `count` entries sealed every `batch` entries, the first half under key A. */
function buildLog(count = 40, batch = 10) {
  const entries: AuditEntry[] = [];
  const seals: AuditSeal[] = [];
  let prev = genesisHash;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const chained = chainBatch(
      prev,
      start,
      Array.from({ length: size }, (_, k) => pending(start + k)),
    );
    entries.push(...chained);
    prev = chained.at(-1)!.hash;
    const half = start < count / 2;
    const seal = {
      chainIndex: start + size - 1,
      headHash: prev,
      sealedAt: new Date(Date.UTC(2025, 0, 1, 9, 0, start)).toISOString(),
      keyId: half ? 'audit-2025' : 'audit-2026',
    };
    seals.push(signSeal(seal, half ? keyA.privateKey : keyB.privateKey));
  }
  return { entries, seals };
}

const byIndex = (rows: AuditEntry[]) => [...rows].sort((a, b) => a.chainIndex - b.chainIndex);
const clone = (rows: AuditEntry[]): AuditEntry[] => structuredClone(rows);

function expectProblem(
  result: Awaited<ReturnType<typeof verifyChain>>,
  problem: string,
  chainIndex: number,
  entryId: string | null,
) {
  assert.equal(result.ok, false, 'tampering went unnoticed');
  if (result.ok) return;
  assert.deepEqual(
    { problem: result.problem, chainIndex: result.chainIndex, entryId: result.entryId },
    { problem, chainIndex, entryId },
    result.message,
  );
  assert.ok(result.message.length > 10);
}

void describe('canonicalJson', () => {
  void it('sorts keys at every depth and writes no whitespace', () => {
    const value = { b: [3, { y: 'é', x: null }], a: 1.5, é: true, A: -0 };
    assert.equal(canonicalJson(value), '{"A":0,"a":1.5,"b":[3,{"x":null,"y":"é"}],"é":true}');
  });
  void it('does not depend on key order, as jsonb round trips reorder keys', () => {
    assert.equal(
      canonicalJson({ a: 1, b: { c: 2, d: 3 } }),
      canonicalJson({ b: { d: 3, c: 2 }, a: 1 }),
    );
  });
  void it('drops undefined members and escapes strings as JSON does', () => {
    assert.equal(
      canonicalJson({ a: undefined, b: 'line\n"q"\u2028' }),
      '{"b":"line\\n\\"q\\"\u2028"}',
    );
  });
  void it('refuses values with no single JSON form', () => {
    for (const bad of [NaN, Infinity, new Date(0), 1n, [undefined], () => 1, new Map()]) {
      assert.throws(() => canonicalJson(bad), /canonicalJson/, String(bad));
    }
  });
});

void describe('chainHash and seals', () => {
  void it('chains from a fixed, non-zero genesis', () => {
    assert.match(genesisHash, /^[0-9a-f]{64}$/);
    assert.notEqual(genesisHash, '0'.repeat(64));
  });
  void it('ignores extra row columns but covers every entry field', () => {
    const [entry] = chainBatch(genesisHash, 0, [pending(1)]);
    const withExtra = { ...entry!, createdAt: 'x', sealedBy: 7 } as AuditEntry;
    assert.equal(chainHash(genesisHash, withExtra), entry!.hash);
    for (const field of ['id', 'at', 'operation', 'purpose', 'origin', 'actorId'] as const) {
      assert.notEqual(chainHash(genesisHash, { ...entry!, [field]: 'other' }), entry!.hash, field);
    }
    assert.notEqual(chainHash(genesisHash, { ...entry!, chainIndex: 1 }), entry!.hash);
    assert.notEqual(chainHash(genesisHash, { ...entry!, subjectIds: ['p1'] }), entry!.hash);
  });
  void it('signs and verifies a seal, and refuses any change to it', () => {
    const { seals } = buildLog(10, 10);
    const seal = seals[0]!;
    assert.equal(verifySeal(seal, keyA.publicKey), true);
    assert.equal(verifySeal(seal, keyB.publicKey), false);
    assert.equal(verifySeal({ ...seal, chainIndex: 10 }, keyA.publicKey), false);
    assert.equal(
      verifySeal({ ...seal, sealedAt: '2030-01-01T00:00:00.000Z' }, keyA.publicKey),
      false,
    );
    assert.equal(verifySeal({ ...seal, signature: 'garbage' }, keyA.publicKey), false);
  });
  void it('refuses to sign with anything but Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const seal = { chainIndex: 0, headHash: genesisHash, sealedAt: 'now', keyId: 'k' };
    assert.throws(() => signSeal(seal, rsa.privateKey), /Ed25519/);
  });
});

void describe('verifyChain on an untouched log', () => {
  void it('passes and counts entries and seals across a key rotation', async () => {
    const { entries, seals } = buildLog();
    const result = await verifyChain(entries, seals, keys);
    assert.deepEqual(result, {
      ok: true,
      entriesChecked: 40,
      sealsChecked: 4,
      lastIndex: 39,
      headHash: entries[39]!.hash,
      lastSealedIndex: 39,
    });
  });
  void it('passes when jsonb hands details back with keys in another order', async () => {
    const { entries, seals } = buildLog();
    const reordered = entries.map((e) => ({
      ...e,
      details: JSON.parse(
        JSON.stringify({
          nested: e.details.nested,
          count: e.details.count,
          fields: e.details.fields,
        }),
      ) as Record<string, unknown>,
    }));
    assert.equal((await verifyChain(reordered, seals, keys)).ok, true);
  });
  void it('reports unsealed entries after the last seal', async () => {
    const { entries, seals } = buildLog(40, 10);
    const more = chainBatch(entries[39]!.hash, 40, [pending(40), pending(41)]);
    const result = await verifyChain([...entries, ...more], seals, keys);
    assert.ok(result.ok);
    assert.equal(result.lastIndex, 41);
    assert.equal(result.lastSealedIndex, 39);
  });
  void it('verifies a range, continuing from a sealed head', async () => {
    const { entries, seals } = buildLog();
    const prevHash = seals[1]!.headHash; // seal over #19
    const result = await verifyChain(entries.slice(20, 30), seals, keys, {
      fromIndex: 20,
      toIndex: 29,
      prevHash,
    });
    assert.ok(result.ok);
    assert.equal(result.entriesChecked, 10);
    assert.equal(result.sealsChecked, 1);
    await assert.rejects(
      verifyChain(entries.slice(20), seals, keys, { fromIndex: 20 }),
      /prevHash/,
    );
  });
  void it('verifies an empty log', async () => {
    const result = await verifyChain([], [], keys);
    assert.ok(result.ok);
    assert.equal(result.entriesChecked, 0);
    assert.equal(result.headHash, genesisHash);
  });
});

void describe('verifyChain names the first tampered entry', () => {
  void it('altered in place: a field edited, hash left alone', async () => {
    const { entries, seals } = buildLog();
    const rows = clone(entries);
    rows[17]!.purpose = 'audit';
    rows[30]!.operation = 'person.delete';
    expectProblem(await verifyChain(rows, seals, keys), 'altered', 17, 'e17');
  });

  void it('altered: a person removed from subjectIds, or details rewritten', async () => {
    const { entries, seals } = buildLog();
    const rows = clone(entries);
    rows[3]!.subjectIds = ['p3'];
    expectProblem(await verifyChain(rows, seals, keys), 'altered', 3, 'e3');
    const rows2 = clone(entries);
    rows2[0]!.details = { fields: [] };
    expectProblem(await verifyChain(rows2, seals, keys), 'altered', 0, 'e0');
  });

  void it('altered: only the stored hash changed', async () => {
    const { entries, seals } = buildLog();
    const rows = clone(entries);
    rows[25]!.hash = 'f'.repeat(64);
    expectProblem(await verifyChain(rows, seals, keys), 'altered', 25, 'e25');
  });

  void it('altered: a corrupt row whose details are not JSON values', async () => {
    const { entries, seals } = buildLog();
    const rows = clone(entries);
    rows[8]!.details = { n: NaN };
    expectProblem(await verifyChain(rows, seals, keys), 'altered', 8, 'e8');
  });

  void it('altered: a row that cannot be read is named in its place, and fits nowhere else', async () => {
    const { entries, seals } = buildLog();
    const unreadable = (e: AuditEntry, id = e.id) => ({
      chainIndex: e.chainIndex,
      id,
      hash: e.hash,
      unreadable: 'details is not JSON',
    });
    const rows: ChainRow[] = [...entries];
    rows[8] = unreadable(entries[8]!);
    const result = await verifyChain(rows, seals, keys);
    expectProblem(result, 'altered', 8, 'e8');
    assert.match(result.ok ? '' : result.message, /cannot be read \(details is not JSON\)/);
    const forged = unreadable(entries[10]!, 'forged');
    const after = [...entries.slice(0, 11), forged, ...entries.slice(11)];
    expectProblem(await verifyChain(after, seals, keys), 'inserted', 10, 'forged');
  });

  void it('altered and the whole rest of the chain rehashed: the next seal catches it', async () => {
    const { entries, seals } = buildLog();
    const forged = chainBatch(
      entries[11]!.hash,
      12,
      entries.slice(12).map((e) => ({ ...e, operation: e.id === 'e12' ? 'forged' : e.operation })),
    );
    const rows = [...entries.slice(0, 12), ...forged];
    const result = await verifyChain(rows, seals, keys);
    expectProblem(result, 'bad_seal', 19, 'e19');
    assert.match(result.ok ? '' : result.message, /#10 to #19/);
  });

  void it('altered and only that entry rehashed: the blame lands on its successor', async () => {
    const { entries, seals } = buildLog();
    const rows = clone(entries);
    rows[12]!.operation = 'forged';
    rows[12]!.hash = chainHash(rows[11]!.hash, rows[12]!);
    expectProblem(await verifyChain(rows, seals, keys), 'altered', 13, 'e13');
  });

  void it('removed: a row deleted leaves a gap', async () => {
    const { entries, seals } = buildLog();
    const rows = entries.filter((e) => e.chainIndex !== 22);
    expectProblem(await verifyChain(rows, seals, keys), 'removed', 22, null);
    const several = entries.filter((e) => e.chainIndex < 5 || e.chainIndex > 7);
    expectProblem(await verifyChain(several, seals, keys), 'removed', 5, null);
  });

  void it('removed: a row deleted and the later indices renumbered', async () => {
    const { entries, seals } = buildLog();
    const rows = clone(entries)
      .filter((e) => e.chainIndex !== 22)
      .map((e) => (e.chainIndex > 22 ? { ...e, chainIndex: e.chainIndex - 1 } : e));
    expectProblem(await verifyChain(rows, seals, keys), 'removed', 22, null);
  });

  void it('removed: sealed entries cut from the end', async () => {
    const { entries, seals } = buildLog();
    expectProblem(await verifyChain(entries.slice(0, 35), seals, keys), 'removed', 35, null);
  });

  void it('removed: unsealed entries cut from the end are seen only with toIndex', async () => {
    const { entries, seals } = buildLog(40, 10);
    const more = chainBatch(entries[39]!.hash, 40, [pending(40), pending(41)]);
    assert.equal((await verifyChain([...entries, more[0]!], seals, keys)).ok, true);
    const cut = await verifyChain([...entries, more[0]!], seals, keys, { toIndex: 41 });
    expectProblem(cut, 'removed', 41, null);
  });

  void it('reordered: two adjacent rows swap their indices', async () => {
    const { entries, seals } = buildLog();
    const rows = clone(entries);
    rows[14]!.chainIndex = 15;
    rows[15]!.chainIndex = 14;
    expectProblem(await verifyChain(byIndex(rows), seals, keys), 'reordered', 14, 'e15');
  });

  void it('reordered: two distant rows swap their indices', async () => {
    const { entries, seals } = buildLog();
    const rows = clone(entries);
    rows[4]!.chainIndex = 9;
    rows[9]!.chainIndex = 4;
    expectProblem(await verifyChain(byIndex(rows), seals, keys), 'reordered', 4, 'e9');
  });

  void it('reordered: contents swapped while index and hash columns stay put', async () => {
    const { entries, seals } = buildLog();
    const rows = clone(entries);
    const a = rows[6]!;
    const b = rows[7]!;
    rows[6] = { ...b, chainIndex: 6, hash: a.hash };
    rows[7] = { ...a, chainIndex: 7, hash: b.hash };
    expectProblem(await verifyChain(rows, seals, keys), 'reordered', 6, 'e7');
  });

  void it('reordered: a stream whose indices go backwards', async () => {
    const { entries, seals } = buildLog();
    const rows = [...entries.slice(0, 5), entries[6]!, entries[5]!, ...entries.slice(7)];
    expectProblem(await verifyChain(rows, seals, keys), 'reordered', 6, 'e6');
  });

  void it('inserted: a forged row with a duplicate index, after or before the real one', async () => {
    const { entries, seals } = buildLog();
    const forged: AuditEntry = { ...entries[10]!, id: 'forged', operation: 'person.read' };
    const after = [...entries.slice(0, 11), forged, ...entries.slice(11)];
    expectProblem(await verifyChain(after, seals, keys), 'inserted', 10, 'forged');
    const before = [...entries.slice(0, 10), forged, ...entries.slice(10)];
    expectProblem(await verifyChain(before, seals, keys), 'inserted', 10, 'forged');
  });

  void it('inserted: a forged row with the later indices renumbered to make room', async () => {
    const { entries, seals } = buildLog();
    const forged: AuditEntry = {
      ...pending(99),
      id: 'forged',
      chainIndex: 10,
      hash: 'a'.repeat(64),
    };
    const shifted = clone(entries).map((e) =>
      e.chainIndex >= 10 ? { ...e, chainIndex: e.chainIndex + 1 } : e,
    );
    const rows = byIndex([...shifted, forged]);
    expectProblem(await verifyChain(rows, seals, keys), 'inserted', 10, 'forged');
  });
});

void describe('verifyChain checks the seals', () => {
  void it('bad_seal: a signature that does not verify', async () => {
    const { entries, seals } = buildLog();
    const bad = seals.map((s, i) => (i === 2 ? { ...s, signature: seals[1]!.signature } : s));
    expectProblem(await verifyChain(entries, bad, keys), 'bad_seal', 29, 'e29');
  });
  void it('bad_seal: a head that is not the chain, even when validly signed by a stolen old key', async () => {
    const { entries, seals } = buildLog();
    const wrong = signSeal({ ...seals[1]!, headHash: entries[18]!.hash }, keyA.privateKey);
    const bad = seals.map((s, i) => (i === 1 ? wrong : s));
    expectProblem(await verifyChain(entries, bad, keys), 'bad_seal', 19, 'e19');
  });
  void it('bad_seal: an unknown key', async () => {
    const { entries, seals } = buildLog();
    const bad = seals.map((s, i) => (i === 0 ? { ...s, keyId: 'who' } : s));
    const result = await verifyChain(entries, bad, keys);
    expectProblem(result, 'bad_seal', 9, 'e9');
    assert.match(result.ok ? '' : result.message, /signed by key \S+, which is not pinned/);
  });
});

void describe('verification streams', () => {
  function* lazyLog(count: number, pulled: { n: number }) {
    let prev = genesisHash;
    for (let i = 0; i < count; i++) {
      const [entry] = chainBatch(prev, i, [pending(i)]);
      prev = entry!.hash;
      pulled.n++;
      yield i === 500 ? { ...entry!, origin: 'tampered' } : entry!;
    }
  }

  void it('reads a long log lazily and stops soon after the first problem', async () => {
    const pulled = { n: 0 };
    const result = await verifyChain(lazyLog(20_000, pulled), [], keys);
    expectProblem(result, 'altered', 500, 'e500');
    assert.ok(pulled.n <= 501 + tamperLookaheadMax, `pulled ${pulled.n} entries`);
  });

  void it('verifies async pages, as read from PostgreSQL', async () => {
    const { entries, seals } = buildLog(95, 10);
    async function* pages<T>(rows: T[], size: number) {
      for (let i = 0; i < rows.length; i += size) {
        await new Promise((r) => setImmediate(r));
        yield* rows.slice(i, i + size);
      }
    }
    const ok = await verifyChain(pages(entries, 7), pages(seals, 3), keys);
    assert.ok(ok.ok);
    assert.equal(ok.sealsChecked, 10);
    const rows = entries.filter((e) => e.chainIndex !== 60);
    const bad = await verifyChain(pages(rows, 7), seals, keys);
    expectProblem(bad, 'removed', 60, null);
  });
});
