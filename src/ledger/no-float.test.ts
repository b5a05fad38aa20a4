// Money paths hold integers only: no file of the ledger (tests aside) may reach for floating
// point or for the Number conversions that round a 64-bit amount.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const folder = new URL('.', import.meta.url).pathname;
const forbidden = [
  /parseFloat\s*\(/,
  /parseInt\s*\(/,
  /\.toFixed\s*\(/,
  /\bNumber\s*\(/,
  /\bMath\./,
];

describe('ledger money paths', () => {
  it('use no floating point and no rounding conversions', () => {
    const files = readdirSync(folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    assert.ok(files.length > 10, 'the scan sees the ledger files');
    const found: string[] = [];
    for (const file of files) {
      const lines = readFileSync(join(folder, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        for (const pattern of forbidden)
          if (pattern.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(found, []);
  });

  it('catches a planted float', () => {
    assert.ok(forbidden.some((p) => p.test('const x = Number(row.amount) * 1.5;')));
    assert.ok(forbidden.some((p) => p.test('Math.round(amount)')));
  });
});
