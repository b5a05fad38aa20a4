// The plain progress lines (stderr not a terminal): the rate and the time left count only this
// session's work, so a resumed job does not claim the earlier sessions' rows as its speed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressBar } from './progress';

function linesOf(run: () => void): string[] {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    run();
  } finally {
    process.stderr.write = write;
  }
  return lines;
}

describe('progress lines', () => {
  it('a resumed job: the count includes earlier sessions, the rate does not', (t) => {
    if (process.stderr.isTTY) return t.skip('stderr is a terminal here');
    const startedAt = Date.now() - 10_000;
    const lines = linesOf(() => {
      const bar = progressBar('dedup', 1_000_000, startedAt, 600_000);
      bar.update(700_000);
    });
    assert.equal(lines.length, 1);
    const [, done, rate, left] =
      /^dedup: (\d+)\/1000000 \(70%\), (\d+)\/s, ~(\d+)s left/.exec(lines[0] ?? '') ?? [];
    assert.equal(done, '700000');
    // 100,000 rows in about 10 s: about 10,000/s, and 300,000 left take about 30 s.
    assert.ok(Math.abs(Number(rate) - 10_000) < 300, `rate ${rate}`);
    assert.ok(Math.abs(Number(left) - 30) <= 1, `left ${left}`);
  });

  it('a fresh job counts from zero', (t) => {
    if (process.stderr.isTTY) return t.skip('stderr is a terminal here');
    const lines = linesOf(() => progressBar('keys', 100, Date.now() - 4_000).update(40));
    assert.match(lines[0] ?? '', /^keys: 40\/100 \(40%\), 10\/s, ~6s left/);
  });
});
