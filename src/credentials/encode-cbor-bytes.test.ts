// The direct CBOR writers give exactly cborg's bytes for everything a card is made of.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from 'cborg';
import fc from 'fast-check';
import { bytesToHex } from './bytes';
import { cborByteString, encodeCardCbor } from './encode-cbor-bytes';

const leaf = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -70000, max: 70000 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.uint8Array({ maxLength: 300 }),
);
const value = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('node'), { maxLength: 4 }),
    fc
      .uniqueArray(fc.tuple(fc.nat(70000), tie('node')), { selector: ([k]) => k, maxLength: 6 })
      .map((entries) => new Map(entries)),
  ),
})).node;

void test('encodeCardCbor writes what cborg writes, for every card-shaped value', () => {
  fc.assert(
    fc.property(value, (v) => {
      assert.equal(bytesToHex(encodeCardCbor(v)), bytesToHex(encode(v)));
    }),
    { numRuns: 500 },
  );
});

void test('cborByteString writes what cborg writes at every length boundary', () => {
  for (const length of [0, 23, 24, 255, 256, 65535, 65536]) {
    const bytes = new Uint8Array(length).fill(7);
    assert.equal(bytesToHex(cborByteString(bytes)), bytesToHex(encode(bytes)), String(length));
  }
});

void test('encodeCardCbor refuses what a card never holds', () => {
  for (const bad of [1.5, true, null, new Map([[-1, 0]]), new Map([['a', 0]]), 2 ** 60]) {
    assert.throws(() => encodeCardCbor(bad), TypeError);
  }
});
