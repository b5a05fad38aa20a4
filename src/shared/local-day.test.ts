import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppContext } from './context';
import { dayRange, localDateTime, localDayOf, localToday } from './local-day';

// Only what the functions read of the app: its zone and its clock.
const appIn = (timeZone: string | undefined, now = '2026-03-08T06:30:00Z') =>
  ({ config: { timeZone }, now: () => new Date(now) }) as unknown as AppContext;

describe('local days and times (formats kept per zone)', () => {
  it('reads each zone with its own format, however the calls interleave', () => {
    const caracas = appIn('America/Caracas');
    const madrid = appIn('Europe/Madrid');
    for (let i = 0; i < 3; i++) {
      assert.equal(localDateTime(caracas, '2026-12-03T23:30:00Z'), '2026-12-03 19:30');
      assert.equal(localDateTime(madrid, '2026-12-03T23:30:00Z'), '2026-12-04 00:30');
      assert.equal(localDayOf(caracas, '2026-12-03T23:30:00Z'), '2026-12-03');
      assert.equal(localDayOf(madrid, new Date('2026-12-03T23:30:00Z')), '2026-12-04');
      assert.equal(localToday(caracas), '2026-03-08');
      assert.equal(localToday(appIn('Asia/Tokyo')), '2026-03-08');
      assert.equal(localToday(appIn('America/Los_Angeles')), '2026-03-07');
    }
  });

  it('the deployment default is Caracas', () => {
    assert.equal(localDateTime(appIn(undefined), '2026-12-03T23:30:00Z'), '2026-12-03 19:30');
  });

  it('a day next to a daylight-saving change keeps its own midnights', () => {
    // New York springs forward on 2026-03-08: that day has 23 hours.
    const ny = appIn('America/New_York');
    assert.deepEqual(dayRange(ny, '2026-03-08'), {
      from: '2026-03-08T05:00:00.000Z',
      to: '2026-03-09T04:00:00.000Z',
    });
    assert.deepEqual(dayRange(appIn('America/Caracas'), '2026-03-08'), {
      from: '2026-03-08T04:00:00.000Z',
      to: '2026-03-09T04:00:00.000Z',
    });
  });

  it('an unknown zone is refused every time, not cached', () => {
    const bad = appIn('Mars/Olympus_Mons');
    assert.throws(() => localDateTime(bad, '2026-12-03T23:30:00Z'), RangeError);
    assert.throws(() => localDateTime(bad, '2026-12-03T23:30:00Z'), RangeError);
  });
});
