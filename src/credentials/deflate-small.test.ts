// The card's small deflater writes streams every inflater reads, whole or in parts.
import assert from 'node:assert/strict';
import { deflateSync, inflateSync } from 'node:zlib';
import { it } from 'node:test';
import fc from 'fast-check';
import { unzlibSync } from 'fflate';
import { deflateSmall, SmallDeflater } from './deflate-small';

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  // Repetitive input, so that long and distant matches happen.
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 200 }))
    .map(([unit, times]) => {
      const out = new Uint8Array(unit.length * times);
      for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
      return out;
    }),
  fc.string({ maxLength: 2000 }).map((s) => new TextEncoder().encode(s)),
);

it('inflates back to the input with Node’s zlib and with fflate', () => {
  fc.assert(
    fc.property(bytes, (data) => {
      const z = deflateSmall(data);
      assert.deepEqual(new Uint8Array(inflateSync(z)), data);
      assert.deepEqual(unzlibSync(z), data);
    }),
    { numRuns: 300 },
  );
});

it('gives a valid stream however the input is split into parts', () => {
  fc.assert(
    fc.property(bytes, fc.array(fc.nat(), { maxLength: 4 }), (data, cuts) => {
      const points = [...new Set(cuts.map((c) => (data.length ? c % data.length : 0)))].sort(
        (a, b) => a - b,
      );
      const d = new SmallDeflater(data.length + 10);
      let from = 0;
      for (const p of [...points, data.length]) {
        d.write(data.subarray(from, p));
        from = p;
      }
      assert.deepEqual(new Uint8Array(inflateSync(d.finish())), data);
    }),
    { numRuns: 200 },
  );
});

it('is about as small as zlib at level 9 on card-sized input', () => {
  const card = new TextEncoder().encode(
    JSON.stringify({
      n: 'María José Pérez Rodríguez',
      id: 'VE-0012-3456-7',
      iss: 'https://id.example.gob.ve',
    }).repeat(3),
  );
  const mine = deflateSmall(card).length;
  const zlib = deflateSync(card, { level: 9 }).length;
  assert.ok(mine <= zlib * 1.05 + 4, `${mine} bytes against zlib's ${zlib}`);
});

it('refuses more bytes than it has room for', () => {
  assert.throws(() => new SmallDeflater(2).write(new Uint8Array(3)), /room/);
});
