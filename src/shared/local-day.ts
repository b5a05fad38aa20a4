// A calendar day where the points are: the deployment's time zone (TESSERA_TIME_ZONE), not UTC.
// A depot in Caracas that closes at 19:00 hands over its last boxes after 23:00 UTC; its log
// for "today" must still show them. Redemption times are stored as UTC ISO text, so a day is
// the half-open range of instants from its local midnight to the next. Distribution (the
// redemption log, stock) and the ledger (settlement, the offline wallet limit) count by it.
import { z } from 'zod';
import type { AppContext } from './context';
import { defaultTimeZone } from './limits';

/** A day as YYYY-MM-DD (a real date). */
export const dayText = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'must be a real date');

// Building an Intl.DateTimeFormat costs far more than formatting with one (a receipt per
// redemption spent a tenth of a point of service's time here): one per zone and shape, kept.
const formats = new Map<string, Intl.DateTimeFormat>();
const formatsMax = 64;

function formatIn(
  shape: string,
  locale: string,
  options: Intl.DateTimeFormatOptions & { timeZone: string },
): Intl.DateTimeFormat {
  const key = `${shape}\n${options.timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    if (formats.size >= formatsMax) formats.delete(formats.keys().next().value!);
    formats.set(key, format);
  }
  return format;
}

const dayShape = { year: 'numeric', month: '2-digit', day: '2-digit' } as const;

/** Milliseconds the zone's wall clock is ahead of UTC at `instant`. */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = formatIn('offset', 'en-US', {
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

/** The instant a local wall-clock midnight of `day` falls on, in `timeZone`. */
function localMidnight(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y!, m! - 1, d!);
  // Two passes settle a midnight next to a daylight-saving change.
  let instant = wall - zoneOffset(wall, timeZone);
  instant = wall - zoneOffset(instant, timeZone);
  return instant;
}

/** The day's instants in the deployment's zone: [from, to) as ISO text. */
export function dayRange(app: AppContext, day: string): { from: string; to: string } {
  const zone = app.config.timeZone ?? defaultTimeZone;
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return {
    from: new Date(localMidnight(day, zone)).toISOString(),
    to: new Date(localMidnight(next.toISOString().slice(0, 10), zone)).toISOString(),
  };
}

/** Today in the deployment's zone, as YYYY-MM-DD. */
export function localToday(app: AppContext): string {
  const zone = app.config.timeZone ?? defaultTimeZone;
  return formatIn('day', 'en-CA', { timeZone: zone, ...dayShape }).format(app.now());
}

/** The local day an instant falls on, as YYYY-MM-DD. */
export function localDayOf(app: AppContext, instant: string | Date): string {
  const zone = app.config.timeZone ?? defaultTimeZone;
  return formatIn('day', 'en-CA', { timeZone: zone, ...dayShape }).format(
    typeof instant === 'string' ? new Date(instant) : instant,
  );
}

/** An instant as the deployment's wall clock reads it, `YYYY-MM-DD HH:MM` (for messages). */
export function localDateTime(app: AppContext, instant: string | Date): string {
  const zone = app.config.timeZone ?? defaultTimeZone;
  const parts = formatIn('minute', 'en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(typeof instant === 'string' ? new Date(instant) : instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
