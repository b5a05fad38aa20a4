// A point's local day, for settlement and the offline wallet limit: the deployment's time zone
// (TESSERA_TIME_ZONE), as the redemption log reads it. The ledger sits beneath distribution and
// cannot import its local-day helper, so the same arithmetic is kept here.
import { z } from 'zod';
import type { AppContext } from '../shared/context';
import { defaultTimeZone } from '../shared/limits';

/** A day as YYYY-MM-DD (a real date). */
export const settlementDayText = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'must be a real date');

function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

function localMidnight(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y!, m! - 1, d!);
  let instant = wall - zoneOffset(wall, timeZone);
  instant = wall - zoneOffset(instant, timeZone);
  return instant;
}

/** The day's instants in the deployment's zone: [from, to) as ISO text. */
export function localDayRange(app: AppContext, day: string): { from: string; to: string } {
  const zone = app.config.timeZone ?? defaultTimeZone;
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return {
    from: new Date(localMidnight(day, zone)).toISOString(),
    to: new Date(localMidnight(next.toISOString().slice(0, 10), zone)).toISOString(),
  };
}

/** The local day an instant falls on, as YYYY-MM-DD. */
export function localDayOf(app: AppContext, instant: string | Date): string {
  const zone = app.config.timeZone ?? defaultTimeZone;
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(typeof instant === 'string' ? new Date(instant) : instant);
}
