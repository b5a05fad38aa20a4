// What the programme screens share: the shapes the programmes API answers with, money from
// minor units, the words for kinds, targets, schedules and cycle statuses, and suppressed
// counts said as "fewer than {threshold}", never as 0.
import type { PublishedCell, SuppressedTable } from '../../../../src/privacy/suppression';
import type { Cycle, CycleStatus } from '../../../../src/programs/cycle-store';
import { activeLanguage, t } from '../../i18n';
import { count, regionName, words } from '../../format';

export type Kind = 'basket' | 'cash' | 'quota' | 'medicine' | 'one_time';
export type Target = 'person' | 'household';
export type Schedule = 'monthly' | 'weekly' | 'one_time';
export const kinds: readonly Kind[] = ['basket', 'cash', 'quota', 'medicine', 'one_time'];
export const targets: readonly Target[] = ['household', 'person'];
export const schedules: readonly Schedule[] = ['monthly', 'weekly', 'one_time'];

export interface Names {
  es: string;
  en: string;
}

export interface Item {
  code: string;
  name: Names;
  quantity: number;
  unit: string;
}

export type Benefit =
  | { kind: 'basket' | 'medicine'; items: Item[] }
  | { kind: 'quota'; item: Item }
  | { kind: 'cash'; base: string; perMember?: string; cap?: string }
  | { kind: 'one_time'; amount: string };

export interface Version {
  programmeId: string;
  version: number;
  name: Names;
  rule: string;
  benefit: Benefit;
  coPayment: string;
  currency: string;
  fundingAccountId?: string | null;
  serviceAreas: Array<{ regionCode: string; locality?: string }>;
  retentionDays: number;
  stagger: number[];
  changeReason: string | null;
  createdAt: string;
  createdBy: string;
}

export interface Programme {
  id: string;
  code: string;
  kind: Kind;
  target: Target;
  schedule: Schedule;
  status: 'active' | 'retired';
  currentVersion: number;
  createdAt: string;
  current: Version;
}

export type { Cycle, CycleStatus };
export const cycleStatuses: readonly CycleStatus[] = [
  'draft',
  'frozen',
  'generated',
  'approved',
  'closed',
  'cancelled',
];

export type CycleEventName =
  'created' | 'frozen' | 'generated' | 'approved' | 'closed' | 'cancelled' | 'paid';

export interface CycleEvent {
  at: string;
  actorId: string;
  actorUsername: string | null;
  event: CycleEventName;
  details: Record<string, unknown>;
}

export interface CycleDetail extends Cycle {
  regions: string[];
  timeline: CycleEvent[];
}

/** A published table of counts, small cells suppressed by the server. */
export type { PublishedCell as Cell, SuppressedTable };

function locale(): string {
  return activeLanguage() === 'es' ? 'es-VE' : 'en-GB';
}

/** A programme's name in the reader's language. */
export function nameOf(names: Names): string {
  return names[activeLanguage()] || names.es;
}

/** Minor units ("13000") as a decimal of major units ("130.00"). */
export function majorUnits(minor: string | null | undefined): string {
  if (minor === null || minor === undefined || minor === '') return '';
  const negative = minor.startsWith('-');
  const digits = (negative ? minor.slice(1) : minor).padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2).replace(/^0+(?=\d)/, '')}.${digits.slice(-2)}`;
}

/** Money in minor units, as currency in the reader's words (130,00 Bs. / VES 130.00). */
export function money(minor: string | null | undefined, currency = 'VES'): string {
  if (minor === null || minor === undefined || minor === '') return t('common.none');
  const format = new Intl.NumberFormat(locale(), { style: 'currency', currency });
  // A decimal string keeps every digit (Intl formats strings exactly).
  return format.format(majorUnits(minor) as unknown as number);
}

/** A typed amount ("130", "130,5", "130.50") as minor units, or null when it is not one. */
export function minorUnits(typed: string): string | null {
  const text = typed.trim().replace(',', '.');
  const match = /^(\d{1,15})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const cents = (match[2] ?? '').padEnd(2, '0');
  return (BigInt(whole) * 100n + BigInt(cents || '0')).toString();
}

export function kindWords(kind: Kind): string {
  return t(`programmes.kind.${kind}` as const);
}
export function targetWords(target: Target): string {
  return t(`programmes.target.${target}` as const);
}
export function scheduleWords(schedule: Schedule): string {
  return t(`programmes.schedule.${schedule}` as const);
}
export function cycleStatusWords(status: CycleStatus): string {
  return t(`programmes.cycleStatus.${status}` as const);
}

/** An item of a basket: "Arroz: 2 kg". */
export function itemWords(item: Item): string {
  return t('programmes.item', {
    name: nameOf(item.name),
    quantity: count(item.quantity),
    unit: item.unit,
  });
}

/** The staggered calendar in words: "digits 0–1: day 1", runs of digits with the same day. */
export function staggerWords(stagger: readonly number[]): string[] {
  const out: string[] = [];
  let start = 0;
  for (let d = 1; d <= stagger.length; d++) {
    if (d < stagger.length && stagger[d] === stagger[start]) continue;
    const day = (stagger[start] ?? 0) + 1;
    out.push(
      d - 1 === start
        ? t('programmes.stagger.one', { digit: start, day })
        : t('programmes.stagger.run', { from: start, to: d - 1, day }),
    );
    start = d;
  }
  return out;
}

/** The cell with exactly these labels (null = total over that dimension). */
export function cellOf(
  table: SuppressedTable,
  labels: (string | null)[],
): PublishedCell | undefined {
  return table.cells.find(
    (c) => c.labels.length === labels.length && c.labels.every((l, i) => l === labels[i]),
  );
}

/** A cell's value, or null where suppressed or absent. */
export function valueOf(table: SuppressedTable, labels: (string | null)[]): number | null {
  const cell = cellOf(table, labels);
  return cell && !cell.suppressed ? cell.value : null;
}

/** A count in words: the number, or "fewer than {threshold}" where suppressed. */
export function countText(value: number | null | undefined, threshold: number): string {
  return value === null || value === undefined
    ? t('programmes.suppressed', { threshold: count(threshold) })
    : count(value);
}

/** A table cell for a count: suppressed cells are marked, never 0. */
export function CountCell(props: { value: number | null | undefined; threshold: number }) {
  const hidden = props.value === null || props.value === undefined;
  return (
    <td class={hidden ? 'num suppressed' : 'num'}>
      {hidden ? `< ${count(props.threshold)}` : count(props.value as number)}
      {hidden ? (
        <span class="visually-hidden">
          {' '}
          ({t('programmes.suppressed', { threshold: count(props.threshold) })})
        </span>
      ) : null}
    </td>
  );
}

/** A dimension label of a count table in words. */
export function labelWords(dimension: string, label: string | null): string {
  if (label === null) return t('programmes.total');
  if (dimension === 'region') return regionName(label);
  if (dimension === 'sex') return words('sex', label);
  if (dimension === 'ageBand')
    return label === '75+'
      ? t('programmes.ageBand.75+')
      : t('programmes.ageBand', { band: label.replace('-', '–') });
  return label;
}

/** A fresh payment batch id: one per click, shown to the person paying. */
export function newBatchId(): string {
  const stamp = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return `pay-${stamp}-${crypto.randomUUID().slice(0, 8)}`;
}
