// How the console writes values a person reads: dates and times in the deployment's time zone
// with the zone named, regions by name, and codes (sex, status, purpose, role) in words.
import { activeLanguage, t, type MessageKey } from './i18n';
import { catalogs } from './i18n';

let timeZone = 'America/Caracas';
let regionNames: Readonly<Record<string, string>> = {};

/** Set from the session: the deployment's time zone and region names. */
export function configureFormats(zone: string, regions: Readonly<Record<string, string>>): void {
  timeZone = zone;
  regionNames = regions;
}

/** The deployment's time zone (an IANA name). */
export function deploymentTimeZone(): string {
  return timeZone;
}

function locale(): string {
  return activeLanguage() === 'es' ? 'es-VE' : 'en-GB';
}

/** An instant (ISO string) as a date and time in the deployment's zone, the zone named. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return t('common.none');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), {
    timeZone,
    // dateStyle/timeStyle cannot be combined with timeZoneName (a RangeError), so the parts.
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(date);
}

/** A time of day in the deployment's zone, the zone named. */
export function timeOfDay(iso: string): string {
  return (
    new Intl.DateTimeFormat(locale(), {
      timeZone,
      timeStyle: 'short',
    }).format(new Date(iso)) + ` (${timeZone})`
  );
}

/** A calendar date (YYYY, YYYY-MM or YYYY-MM-DD) in words; partial dates stay partial. */
export function calendarDate(value: string | null | undefined): string {
  if (!value) return t('common.none');
  const [y, m, d] = value.split('-').map(Number);
  if (!y) return value;
  if (!m) return String(y);
  const date = new Date(Date.UTC(y, m - 1, d ?? 1));
  return new Intl.DateTimeFormat(locale(), {
    timeZone: 'UTC',
    year: 'numeric',
    month: 'long',
    ...(d ? { day: 'numeric' } : {}),
  }).format(date);
}

/** A whole number with the reader's digit grouping. */
export function count(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

/** A region's name (its code only when the deployment does not know it). */
export function regionName(code: string | null | undefined): string {
  if (!code) return t('common.none');
  return regionNames[code] ?? code;
}

/** The regions a grant covers, in words. */
export function regionsText(regions: '*' | readonly string[]): string {
  return regions === '*' ? t('common.national') : regions.map(regionName).join(', ');
}

/** Every region the deployment serves, sorted by name. */
export function allRegions(): Array<{ code: string; name: string }> {
  return Object.entries(regionNames)
    .map(([code, name]) => ({ code, name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `prefix.code` in words when the catalog has it, else the code as given. */
export function words(
  prefix: 'sex' | 'status' | 'purpose' | 'role',
  code: string | null | undefined,
): string {
  if (code === null || code === undefined)
    return prefix === 'sex' ? t('sex.unknown') : t('common.none');
  const key = `${prefix}.${code}`;
  return key in catalogs.es ? t(key as MessageKey) : code;
}
