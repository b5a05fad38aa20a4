// What an entitlement of a programme version hands over, in the words of a point of service:
// the item and unit, the co-payment per unit and its currency. A version never changes once
// written, so its terms are read once and kept (a few hundred versions at most).
import type { Queryable } from '../db';
import { loadProgramme, loadVersion } from '../programs';

/** What one unit of an entitlement is, and costs at the counter. */
export interface ProgrammeTerms {
  programmeId: string;
  code: string;
  kind: 'basket' | 'cash' | 'quota' | 'medicine' | 'one_time';
  target: 'person' | 'household';
  name: { es: string; en: string };
  unit: string;
  itemName: { es: string; en: string };
  coPaymentPerUnit: bigint;
  currency: string;
}

const kept = new Map<string, Promise<ProgrammeTerms>>();

async function load(db: Queryable, programmeId: string, version: number): Promise<ProgrammeTerms> {
  const programme = await loadProgramme(db, programmeId);
  const v = await loadVersion(db, programmeId, version);
  const b = v.benefit;
  const item =
    b.kind === 'quota'
      ? { unit: b.item.unit, itemName: b.item.name }
      : b.kind === 'basket' || b.kind === 'medicine'
        ? {
            unit: b.kind === 'basket' ? 'box' : 'prescription',
            itemName: b.items.length === 1 ? b.items[0]!.name : v.name,
          }
        : { unit: 'payment', itemName: v.name };
  return {
    programmeId,
    code: programme.code,
    kind: programme.kind,
    target: programme.target,
    name: v.name,
    ...item,
    coPaymentPerUnit: v.coPayment,
    currency: v.currency,
  };
}

/** The terms of a programme version (kept after the first read). */
export function programmeTerms(
  db: Queryable,
  programmeId: string,
  version: number,
): Promise<ProgrammeTerms> {
  const key = `${programmeId}@${version}`;
  let hit = kept.get(key);
  if (!hit) {
    hit = load(db, programmeId, version);
    kept.set(key, hit);
    hit.catch(() => kept.delete(key));
  }
  return hit;
}
