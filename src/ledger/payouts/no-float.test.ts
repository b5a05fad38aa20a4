// Payout money paths hold integers only, like the rest of the ledger: no payout file (tests
// aside) may reach for floating point or for the Number conversions that round an amount.
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

describe('payout money paths', () => {
  it('use no floating point and no rounding conversions', () => {
    const files = readdirSync(folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    assert.ok(files.length > 10, 'the scan sees the payout files');
    const found: string[] = [];
    for (const file of files) {
      readFileSync(join(folder, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (forbidden.some((p) => p.test(line))) found.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(found, []);
  });
});
