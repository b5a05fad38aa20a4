import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  dammCheckDigit,
  formatRegistryNumber,
  generateRegistryNumber,
  parseRegistryNumber,
} from './registry-number';

const body = fc.stringMatching(/^[1-9]\d{10}$/);
const full = body.map((b) => b + dammCheckDigit(b));

describe('registry number', () => {
  it('accepts what it generates, with or without separators', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        let s = seed;
        const number = generateRegistryNumber(
          (max) => (s = (s * 1103515245 + 12345) % 2 ** 31) % max,
        );
        assert.equal(parseRegistryNumber(number), number);
        assert.equal(parseRegistryNumber(number.replace(/-/g, ' ')), number);
        assert.equal(parseRegistryNumber(number.replace(/-/g, '')), number);
      }),
    );
  });

  it('catches every single-digit substitution, anywhere including the check digit', () => {
    fc.assert(
      fc.property(full, fc.nat(11), fc.integer({ min: 1, max: 9 }), (digits, pos, delta) => {
        const changed = String((Number(digits[pos]) + delta) % 10);
        const typo = digits.slice(0, pos) + changed + digits.slice(pos + 1);
        assert.equal(parseRegistryNumber(typo), null, `${digits} -> ${typo}`);
      }),
      { numRuns: 5000 },
    );
  });

  it('catches every transposition of two adjacent different digits', () => {
    fc.assert(
      fc.property(full, fc.nat(10), (digits, pos) => {
        fc.pre(digits[pos] !== digits[pos + 1]);
        const swapped =
          digits.slice(0, pos) + digits[pos + 1] + digits[pos] + digits.slice(pos + 2);
        assert.equal(parseRegistryNumber(swapped), null, `${digits} -> ${swapped}`);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses wrong lengths and letters', () => {
    assert.equal(parseRegistryNumber('1234-5678-901'), null);
    assert.equal(parseRegistryNumber('1234-5678-90123'), null);
    assert.equal(parseRegistryNumber('1234-5678-901a'), null);
    assert.equal(parseRegistryNumber(''), null);
  });

  it('formats in three groups of four', () => {
    assert.equal(formatRegistryNumber('123456789012'), '1234-5678-9012');
  });
});
