// What the points-of-service screens share: the shapes the distribution API answers with, and
// its codes in words — kinds of point, device states, proofs, who collected, conflict reasons.
import type { Device } from '../../../../src/distribution/devices';
import type { Point } from '../../../../src/distribution/points';
import type { StockLine } from '../../../../src/distribution/stock';
import type { LogLine, LogPage } from '../../../../src/distribution/redemption-log';
import type { Conflict } from '../../../../src/distribution/conflicts';
import type { OperatorCandidate } from '../../../../src/distribution/operator-candidates';
import { t, type MessageKey } from '../../i18n';
import { count } from '../../format';

export type { Conflict, Device, LogLine, LogPage, OperatorCandidate, Point, StockLine };

/** GET /api/v1/points/:id. */
export interface PointDetail extends Point {
  operators: { staffId: string; username: string; assignedAt: string }[];
  devices: Device[];
}

export function kindWords(kind: Point['kind']): string {
  return t(`points.kind.${kind}` as const);
}

export function pointStatusWords(status: Point['status']): string {
  return t(`points.status.${status}` as const);
}

export function deviceStatusWords(status: Device['status']): string {
  return t(`points.devices.status.${status}` as const);
}

/** Units of a stock line in words ("cajas", "caja", "l"). */
export function unitWords(unit: string, n = 2): string {
  const one = n === 1 || n === -1;
  if (unit === 'box') return t(one ? 'points.stock.unit.box.one' : 'points.stock.unit.box');
  if (unit === 'prescription')
    return t(one ? 'points.stock.unit.prescription.one' : 'points.stock.unit.prescription');
  return unit;
}

/** A quantity with its unit: "12 cajas", "1 caja". */
export function quantityText(n: number, unit: string): string {
  return `${count(n)} ${unitWords(unit, n)}`;
}

export function proofWords(kind: LogLine['proofKind']): string {
  return t(`points.proof.${kind}` as const);
}

export function collectedAsWords(as: LogLine['collectedAs']): string {
  return t(`points.collectedAs.${as}` as const);
}

export function channelWords(channel: LogLine['channel']): string {
  return t(`points.channel.${channel}` as const);
}

/** Why sync made a conflict, in words (unknown reasons as given). */
export function conflictReasonWords(reason: string): string {
  const [code, state] = reason.split(':');
  if (code === 'not_redeemable')
    return t('points.conflicts.reason.not_redeemable', { state: state ?? '' });
  const key = `points.conflicts.reason.${code}`;
  const known = [
    'not_leased',
    'before_lease',
    'lease_expired',
    'over_daily_cap',
    'no_entitlement',
    'not_served_here',
    'already_redeemed',
    'wrong_quantity',
  ];
  return known.includes(code ?? '')
    ? t(key as MessageKey)
    : t('points.conflicts.reason.other', { reason });
}

/** Today's date (YYYY-MM-DD) in the deployment's time zone. */
export function todayIn(zone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}
