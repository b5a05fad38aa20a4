// What a grievance is about, checked to belong to the person who complains, and described in
// plain words: a redemption (what, where, when), an entitlement, a cycle's eligibility decision
// (why the rule did or did not select them — their own values only, nobody else's), or an
// entry of their access report.
import { z } from 'zod';
import type { Queryable } from '../db';
import { loadEntitlements } from '../programs';
import { DomainError } from '../shared/errors';

/** What a grievance may be linked to. */
export const linkKinds = ['redemption', 'entitlement', 'eligibility', 'access_entry'] as const;
/** A link kind. */
export type LinkKind = (typeof linkKinds)[number];

/** A link in a request. */
export const linkInput = z
  .object({ kind: z.enum(linkKinds), id: z.string().trim().min(1).max(200) })
  .strict();
/** A link, validated. */
export type LinkInput = z.output<typeof linkInput>;

/** A link as shown: what it is, in both languages, with the facts a handler needs. */
export interface LinkView {
  kind: LinkKind;
  id: string;
  found: boolean;
  es: string;
  en: string;
  facts: Record<string, string | number | null>;
}

const notFound = (kind: LinkKind) =>
  new DomainError(
    'NOT_FOUND',
    `link.id: no ${kind.replace('_', ' ')} of this person has that id.`,
    'link.id',
  );

/** Refuses a link that does not belong to the person (the same answer as one that does not exist). */
export async function checkLink(db: Queryable, personId: string, link: LinkInput): Promise<void> {
  switch (link.kind) {
    case 'redemption': {
      const row = await db
        .selectFrom('redemptions')
        .select('id')
        .where('id', '=', link.id)
        .where((eb) =>
          eb.or([eb('person_id', '=', personId), eb('collected_by_person_id', '=', personId)]),
        )
        .executeTakeFirst();
      if (!row) throw notFound(link.kind);
      return;
    }
    case 'entitlement': {
      const [cycleId, owner, extra] = link.id.split('.');
      if (!cycleId || owner !== personId || extra !== undefined) throw notFound(link.kind);
      const row = await db
        .selectFrom('entitlements')
        .select('cycle_id')
        .where('cycle_id', '=', cycleId)
        .where('person_id', '=', personId)
        .executeTakeFirst();
      if (!row) throw notFound(link.kind);
      return;
    }
    case 'eligibility': {
      const row = await db
        .selectFrom('cycles')
        .select('id')
        .where('id', '=', link.id)
        .executeTakeFirst();
      if (!row) throw notFound(link.kind);
      return;
    }
    case 'access_entry': {
      const row = await db
        .selectFrom('audit_subjects')
        .select('audit_id')
        .where('audit_id', '=', link.id)
        .where('person_id', '=', personId)
        .executeTakeFirst();
      if (!row) throw notFound(link.kind);
      return;
    }
  }
}

function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number?, number?];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  let age = y - by;
  if ((m ?? 1) < (bm ?? 1) || ((m ?? 1) === (bm ?? 1) && d < (bd ?? 1))) age--;
  return age;
}

/**
 * Why a cycle's rule did or did not select the person, in plain words: the rule as written,
 * the reference date, and the person's own age and region on it. Nothing about anyone else.
 */
async function eligibilityView(
  db: Queryable,
  personId: string,
  cycleId: string,
): Promise<LinkView> {
  const cycle = await db
    .selectFrom('cycles as c')
    .innerJoin('programme_versions as v', (j) =>
      j
        .onRef('v.programme_id', '=', 'c.programme_id')
        .onRef('v.version', '=', 'c.programme_version'),
    )
    .select(['c.id', 'c.label', 'c.status', 'c.reference_date', 'v.rule', 'v.name_es', 'v.name_en'])
    .where('c.id', '=', cycleId)
    .executeTakeFirst();
  const person = await db
    .selectFrom('persons')
    .select(['birth_date', 'region_code'])
    .where('id', '=', personId)
    .executeTakeFirst();
  if (!cycle || !person)
    return {
      kind: 'eligibility',
      id: cycleId,
      found: false,
      es: 'Ciclo no encontrado.',
      en: 'Cycle not found.',
      facts: {},
    };
  const fixed = ['frozen', 'generated', 'approved', 'closed'].includes(cycle.status);
  const member = fixed
    ? await db
        .selectFrom('cycle_members')
        .select('person_id')
        .where('cycle_id', '=', cycleId)
        .where('person_id', '=', personId)
        .executeTakeFirst()
    : undefined;
  const age = ageOn(person.birth_date, cycle.reference_date);
  const facts = {
    programme: cycle.name_es,
    cycle: cycle.label,
    rule: cycle.rule,
    referenceDate: cycle.reference_date,
    age,
    region: person.region_code,
    selected: fixed ? (member ? 1 : 0) : null,
  };
  const said = {
    es: `Regla de ${cycle.name_es} para el ciclo ${cycle.label}: «${cycle.rule}». El ${cycle.reference_date} su registro decía: edad ${age} años, región ${person.region_code}.`,
    en: `Rule of ${cycle.name_en} for cycle ${cycle.label}: “${cycle.rule}”. On ${cycle.reference_date} your record said: age ${age}, region ${person.region_code}.`,
  };
  if (!fixed)
    return {
      kind: 'eligibility',
      id: cycleId,
      found: true,
      es: `${said.es} La lista de este ciclo aún no está fijada.`,
      en: `${said.en} This cycle's list is not fixed yet.`,
      facts,
    };
  return {
    kind: 'eligibility',
    id: cycleId,
    found: true,
    es: member
      ? `${said.es} Con esos datos la regla le incluyó.`
      : `${said.es} Con esos datos la regla no le incluyó. Si algún dato está mal, dígalo en su reclamo.`,
    en: member
      ? `${said.en} With those values the rule included you.`
      : `${said.en} With those values the rule did not include you. If a value is wrong, say so in your complaint.`,
    facts,
  };
}

/** Describes a grievance's link, or says it is gone (detail reduced by retention). */
export async function describeLink(
  db: Queryable,
  personId: string,
  kind: LinkKind,
  id: string,
  today: string,
): Promise<LinkView> {
  const gone = (es: string, en: string): LinkView => ({
    kind,
    id,
    found: false,
    es,
    en,
    facts: {},
  });
  switch (kind) {
    case 'redemption': {
      const r = await db
        .selectFrom('redemptions as r')
        .leftJoin('points as p', 'p.id', 'r.point_id')
        .innerJoin('cycles as c', 'c.id', 'r.cycle_id')
        .innerJoin('programme_versions as v', (j) =>
          j
            .onRef('v.programme_id', '=', 'c.programme_id')
            .onRef('v.version', '=', 'c.programme_version'),
        )
        .select([
          'r.quantity',
          'r.redeemed_at',
          'r.receipt_code',
          'p.name as point',
          'v.name_es',
          'v.name_en',
          'c.label',
        ])
        .where('r.id', '=', id)
        .executeTakeFirst();
      if (!r)
        return gone(
          'La entrega ya no consta en detalle.',
          'The delivery is no longer kept in detail.',
        );
      const when = r.redeemed_at.slice(0, 16).replace('T', ' ');
      return {
        kind,
        id,
        found: true,
        es: `Entrega de ${r.quantity} de ${r.name_es} (ciclo ${r.label}) en ${r.point ?? 'un punto de atención'} el ${when}, recibo ${r.receipt_code}.`,
        en: `Delivery of ${r.quantity} of ${r.name_en} (cycle ${r.label}) at ${r.point ?? 'a point of service'} on ${when}, receipt ${r.receipt_code}.`,
        facts: {
          quantity: r.quantity,
          redeemedAt: r.redeemed_at,
          receiptCode: r.receipt_code,
          point: r.point,
        },
      };
    }
    case 'entitlement': {
      const e = (await loadEntitlements(db, personId, today)).find((x) => x.id === id);
      if (!e) return gone('El beneficio ya no consta.', 'The entitlement is no longer on record.');
      return {
        kind,
        id,
        found: true,
        es: `${e.programmeName.es}, ciclo ${e.cycleLabel}: ${e.quantity} asignado(s), quedan ${e.remaining}; del ${e.opensOn} al ${e.closesOn}.`,
        en: `${e.programmeName.en}, cycle ${e.cycleLabel}: ${e.quantity} allotted, ${e.remaining} left; from ${e.opensOn} to ${e.closesOn}.`,
        facts: { quantity: e.quantity, remaining: e.remaining, state: e.state },
      };
    }
    case 'eligibility':
      return eligibilityView(db, personId, id);
    case 'access_entry': {
      const a = await db
        .selectFrom('audit_log')
        .select(['at', 'operation', 'purpose'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!a) return gone('La entrada ya no consta.', 'The entry is no longer on record.');
      return {
        kind,
        id,
        found: true,
        es: `Acceso a su registro el ${a.at.slice(0, 16).replace('T', ' ')} (${a.operation}${a.purpose ? `, propósito ${a.purpose}` : ''}).`,
        en: `Access to your record on ${a.at.slice(0, 16).replace('T', ' ')} (${a.operation}${a.purpose ? `, purpose ${a.purpose}` : ''}).`,
        facts: { at: a.at, operation: a.operation, purpose: a.purpose },
      };
    }
  }
}
