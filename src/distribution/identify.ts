// Who is at the counter and what they may collect here: from a card, or from a registry
// number and date of birth when there is no card (or it failed). The answer carries what the
// operator needs — a display name, whether a phone is on record for a one-time code, the
// entitlements with their windows and states — and the people this person may collect for
// (as a nominee, or a member of a household). Every answer is a read of personal data: it
// needs the service_delivery purpose and is audited.
import { z } from 'zod';
import { qrTextCharsMax } from '../credentials';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { entitlementId, type EntitlementState } from '../programs';
import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { loadHeldEntitlements, type HeldEntitlement } from './apply-redemption';
import { verifyAtPoint } from './card-lists';
import { servingPoint } from './devices';
import { findNamedPerson, namedPerson } from './proofs';

/** Identifying a person: by card, or by registry number and date of birth. */
export const identifyInput = z.union([
  z
    .object({
      qrText: z.string().min(1).max(qrTextCharsMax),
      pointId: z.string().max(64).optional(),
    })
    .strict(),
  namedPerson.extend({ pointId: z.string().max(64).optional() }).strict(),
]);

/** An entitlement as a point of service shows it. */
export interface PointEntitlement {
  id: string;
  cycleId: string;
  cycleLabel: string;
  programmeId: string;
  programmeCode: string;
  programmeName: { es: string; en: string };
  kind: string;
  quantity: number;
  remaining: number;
  unit: string;
  itemName: { es: string; en: string };
  coPaymentPerUnit: string;
  currency: string;
  opensOn: string;
  closesOn: string;
  state: EntitlementState;
  servedHere: boolean;
}

/** An entitlement held, in the point's words. */
export function presentHeld(h: HeldEntitlement): PointEntitlement {
  return {
    id: entitlementId(h.cycleId, h.personId),
    cycleId: h.cycleId,
    cycleLabel: h.cycleLabel,
    programmeId: h.programmeId,
    programmeCode: h.terms.code,
    programmeName: h.terms.name,
    kind: h.terms.kind,
    quantity: h.quantity,
    remaining: h.quantity - h.redeemed,
    unit: h.terms.unit,
    itemName: h.terms.itemName,
    coPaymentPerUnit: h.terms.coPaymentPerUnit.toString(),
    currency: h.terms.currency,
    opensOn: h.opensOn,
    closesOn: h.closesOn,
    state: h.state,
    servedHere: h.pointServes,
  };
}

interface Shown {
  id: string;
  registryNumber: string;
  displayName: string;
}

async function shownPerson(
  db: Queryable,
  personId: string,
): Promise<Shown & { phone: string | null }> {
  const p = await db
    .selectFrom('persons')
    .select(['id', 'registry_number', 'given_names', 'surname1', 'phone'])
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
  return {
    id: p.id,
    registryNumber: p.registry_number,
    displayName: [p.given_names, p.surname1].filter(Boolean).join(' '),
    phone: p.phone,
  };
}

/** A person's entitlements in the last cycles, at this point, today (newest first). */
export async function entitlementsAtPoint(
  db: Queryable,
  personId: string,
  pointId: string,
  today: string,
): Promise<PointEntitlement[]> {
  return (await loadHeldEntitlements(db, personId, pointId, today)).map(presentHeld);
}

/** Who the presenter may collect for: those who nominated them, and their household's holder. */
async function collectFor(db: Queryable, personId: string, pointId: string, today: string) {
  const nominated = await db
    .selectFrom('nominees')
    .select('beneficiary_id')
    .where('nominee_id', '=', personId)
    .where('revoked_at', 'is', null)
    .limit(20)
    .execute();
  const out = [];
  for (const n of nominated) {
    out.push({
      person: await shownPerson(db, n.beneficiary_id).then(({ phone: _, ...p }) => p),
      as: 'nominee' as const,
      entitlements: await entitlementsAtPoint(db, n.beneficiary_id, pointId, today),
    });
  }
  const self = await db
    .selectFrom('persons')
    .select('household_id')
    .where('id', '=', personId)
    .executeTakeFirst();
  if (self?.household_id) {
    // The household's benefit is held by one member (its head): look among the members,
    // through the indexes on household_members and on entitlements' person.
    const members = await db
      .selectFrom('household_members')
      .select('person_id')
      .where('household_id', '=', self.household_id)
      .where('left_at', 'is', null)
      .where('person_id', '<>', personId)
      .limit(30)
      .execute();
    const holders =
      members.length === 0
        ? []
        : await db
            .selectFrom('entitlements as e')
            .innerJoin('cycles as c', 'c.id', 'e.cycle_id')
            .innerJoin('programmes as p', 'p.id', 'e.programme_id')
            .select('e.person_id')
            .distinct()
            .where(
              'e.person_id',
              'in',
              members.map((m) => m.person_id),
            )
            .where('p.target', '=', 'household')
            .where('c.closes_on', '>=', today)
            .limit(5)
            .execute();
    for (const h of holders) {
      const ents = (await entitlementsAtPoint(db, h.person_id, pointId, today)).filter(
        (e) => e.kind !== 'cash',
      );
      out.push({
        person: await shownPerson(db, h.person_id).then(({ phone: _, ...p }) => p),
        as: 'household_member' as const,
        entitlements: ents,
      });
    }
  }
  return out;
}

/** Identifies the person at the counter and what they may collect here. */
export async function identifyAtPoint(
  app: AppContext,
  caller: Caller,
  input: z.output<typeof identifyInput>,
) {
  requirePermission(caller.actor, 'entitlement:read');
  const db = app.db.kysely;
  const { pointId } = await servingPoint(db, caller, input.pointId);
  if (caller.purpose !== 'service_delivery')
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'Identifying a person at a point of service needs the purpose service_delivery (header X-Purpose).',
      'purpose',
    );
  let personId: string;
  let card: { valid: boolean; reason: string; message: string; serial: string | null } | null =
    null;
  if ('qrText' in input) {
    const verdict = await verifyAtPoint(app, input.qrText);
    card = {
      valid: verdict.valid,
      reason: verdict.reason,
      message: verdict.message,
      serial: verdict.cardSerial,
    };
    if (!verdict.valid || !verdict.claims?.id)
      throw new DomainError(
        'INVALID_STATE',
        `The card was not accepted: ${verdict.message} Use another proof of identity.`,
        'qrText',
        {
          reason: verdict.reason,
        },
      );
    const row = await db
      .selectFrom('persons')
      .select(['id', 'status'])
      .where('registry_number', '=', verdict.claims.id)
      .executeTakeFirst();
    if (!row || row.status !== 'active')
      throw new DomainError('NOT_FOUND', 'The card holder has no active record.', 'qrText');
    personId = row.id;
  } else {
    personId = (await findNamedPerson(db, input)).id;
  }
  const today = app.now().toISOString().slice(0, 10);
  const shown = await shownPerson(db, personId);
  const entitlements = await entitlementsAtPoint(db, personId, pointId, today);
  const others = await collectFor(db, personId, pointId, today);
  await app.db.transaction(async (trx) =>
    appendAudit(trx, app, caller, {
      operation: 'entitlement.read',
      permission: 'entitlement:read',
      subjectIds: [personId, ...others.map((o) => o.person.id)],
      details: { pointId, by: card ? 'card' : 'registry_number' },
    }),
  );
  return {
    person: {
      id: shown.id,
      registryNumber: shown.registryNumber,
      displayName: shown.displayName,
      hasPhone: shown.phone !== null,
      phoneHint: shown.phone ? `•••• ${shown.phone.slice(-4)}` : null,
    },
    card,
    entitlements,
    collectFor: others,
  };
}
