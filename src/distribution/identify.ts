// Who is at the counter and what they may collect here: from a card, or from a registry
// number and date of birth when there is no card (or it failed). The answer carries what the
// operator needs — a display name, whether a phone is on record for a one-time code, the
// entitlements with their windows and states — and the people this person may collect for
// (as a nominee, or a member of a household). Every answer is a read of personal data: it
// needs the service_delivery purpose and is audited.
import { sql } from 'kysely';
import { z } from 'zod';
import { qrTextCharsMax } from '../credentials';
import { preparedQuery, type Queryable } from '../db';
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

const personShown = preparedQuery(1, (db, personId: string) =>
  db
    .selectFrom('persons')
    .select(['id', 'registry_number', 'given_names', 'surname1', 'phone', 'household_id'])
    .where('id', '=', personId),
);

async function shownPerson(
  db: Queryable,
  personId: string,
): Promise<Shown & { phone: string | null; householdId: string | null }> {
  const p = (await personShown(db, personId)).rows[0];
  if (!p) throw new DomainError('NOT_FOUND', 'The person has no record.', 'personId');
  return {
    id: p.id,
    registryNumber: p.registry_number,
    displayName: [p.given_names, p.surname1].filter(Boolean).join(' '),
    phone: p.phone,
    householdId: p.household_id,
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

const nominatedBy = preparedQuery(1, (db, nomineeId: string) =>
  db
    .selectFrom('nominees')
    .select('beneficiary_id')
    .where('nominee_id', '=', nomineeId)
    .where('revoked_at', 'is', null)
    .limit(sql.lit(20)),
);

// The household's benefit is held by one member (its head): the other current members who
// hold an entitlement of a household programme in a cycle still open on `day`, in one prepared
// statement (through the indexes on household_members and on entitlements' person).
const householdHolders = preparedQuery(
  3,
  (db, householdId: string, personId: string, day: string) =>
    db
      .selectFrom('household_members as hm')
      .innerJoin('entitlements as e', 'e.person_id', 'hm.person_id')
      .innerJoin('cycles as c', 'c.id', 'e.cycle_id')
      .innerJoin('programmes as p', 'p.id', 'e.programme_id')
      .select('e.person_id')
      .distinct()
      .where('hm.household_id', '=', householdId)
      .where('hm.left_at', 'is', null)
      .where('hm.person_id', '<>', personId)
      .where('p.target', '=', 'household')
      .where('c.closes_on', '>=', day)
      .limit(sql.lit(5)),
);

const shown = ({ id, registryNumber, displayName }: Shown): Shown => ({
  id,
  registryNumber,
  displayName,
});

/**
 * Who the presenter may collect for: those who nominated them, and their household's holder.
 * `householdId` is the presenter's household, as just read with the presenter.
 */
async function collectFor(
  db: Queryable,
  personId: string,
  householdId: string | null,
  pointId: string,
  today: string,
) {
  const { rows: nominated } = await nominatedBy(db, personId);
  const out = [];
  for (const n of nominated) {
    out.push({
      person: shown(await shownPerson(db, n.beneficiary_id)),
      as: 'nominee' as const,
      entitlements: await entitlementsAtPoint(db, n.beneficiary_id, pointId, today),
    });
  }
  if (householdId) {
    const { rows: holders } = await householdHolders(db, householdId, personId, today);
    for (const h of holders) {
      const ents = (await entitlementsAtPoint(db, h.person_id, pointId, today)).filter(
        (e) => e.kind !== 'cash',
      );
      out.push({
        person: shown(await shownPerson(db, h.person_id)),
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
  let card: { valid: boolean; reason: string; message: string; serial: string | null } | null =
    null;
  // The presenter: typed (registry number and birth date), or carried by the card.
  let cardNumber = '';
  const typed = 'qrText' in input ? null : input;
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
    cardNumber = verdict.claims.id;
  }
  const today = app.now().toISOString().slice(0, 10);
  // The reads and the audit entry that records them are one transaction: the entry is written
  // only with what was read, and on SQLite a read outside a transaction is a transaction of
  // its own — two lock calls on the shared memory — where inside this one it costs none.
  const { presenter, entitlements, others } = await app.db.transaction(async (trx) => {
    let personId: string;
    // Found by registry number, the presenter's row is read already; by card, it is read below.
    let named: Awaited<ReturnType<typeof shownPerson>> | null = null;
    if (typed) {
      named = await findNamedPerson(trx, typed);
      personId = named.id;
    } else {
      const row = await trx
        .selectFrom('persons')
        .select(['id', 'status'])
        .where('registry_number', '=', cardNumber)
        .executeTakeFirst();
      if (!row || row.status !== 'active')
        throw new DomainError('NOT_FOUND', 'The card holder has no active record.', 'qrText');
      personId = row.id;
    }
    const presenter = named ?? (await shownPerson(trx, personId));
    const entitlements = await entitlementsAtPoint(trx, personId, pointId, today);
    const others = await collectFor(trx, personId, presenter.householdId, pointId, today);
    await appendAudit(trx, app, caller, {
      operation: 'entitlement.read',
      permission: 'entitlement:read',
      subjectIds: [personId, ...others.map((o) => o.person.id)],
      details: { pointId, by: card ? 'card' : 'registry_number' },
    });
    return { presenter, entitlements, others };
  });
  return {
    person: {
      id: presenter.id,
      registryNumber: presenter.registryNumber,
      displayName: presenter.displayName,
      hasPhone: presenter.phone !== null,
      phoneHint: presenter.phone ? `•••• ${presenter.phone.slice(-4)}` : null,
    },
    card,
    entitlements,
    collectFor: others,
  };
}
