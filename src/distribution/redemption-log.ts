// A point's redemption log for one day: who collected what, when, how they proved who they
// were, and the receipt code they were sent. It names people, so it is read with a purpose
// (checking the point's work, a complaint, or the counter's own day), inside the reader's
// regions — an operator only at their own point — and every person shown is a subject of the
// audit entry, so that each sees the read in their access report. Paged, at most 200 a page.
import { z } from 'zod';
import { appendAudit } from '../privacy';
import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { pageSizeDefault } from '../shared/limits';
import type { Purpose } from '../shared/purposes';
import { pageLimit } from '../shared/schemas';
import { dayRange, dayText } from '../shared/local-day';
import { requireActsAtPoint } from './point-scope';
import { loadPoint } from './points';
import { programmeTerms } from './terms';
import type { RedemptionsTable } from './tables';
import { decodeCursor, encodeCursor } from './page-cursor';

/** The purposes a point's log may be read for. */
export const logPurposes: readonly Purpose[] = ['audit', 'grievance', 'service_delivery'];

/** A page of a point's log. */
export const logQuery = z
  .object({
    day: dayText,
    cursor: z.string().max(200).optional(),
    limit: pageLimit,
  })
  .strict();
/** A page of a point's log, validated. */
export type LogQuery = z.output<typeof logQuery>;

/** One line of the log. */
export interface LogLine {
  id: string;
  redeemedAt: string;
  cycleId: string;
  cycleLabel: string;
  programmeId: string;
  programmeName: { es: string; en: string };
  unit: string;
  quantity: number;
  proofKind: RedemptionsTable['proof_kind'];
  collectedAs: RedemptionsTable['collected_as'];
  channel: RedemptionsTable['channel'];
  receiptCode: string;
  person: { id: string; registryNumber: string; displayName: string };
}

/** A page of the log, and the cursor of the next (null at the end). */
export interface LogPage {
  pointId: string;
  day: string;
  /** The instants the day covers, in the deployment's time zone. */
  from: string;
  to: string;
  items: LogLine[];
  next: string | null;
}

/** Reads one page of a point's log for a day, with a purpose; audited with each person shown. */
export async function redemptionLog(
  app: AppContext,
  caller: Caller,
  pointId: string,
  query: LogQuery,
): Promise<LogPage> {
  requirePermission(caller.actor, 'redemption:read');
  const db = app.db.kysely;
  const point = await loadPoint(db, caller, pointId, 'redemption:read');
  await requireActsAtPoint(db, caller, point, 'redemption:read');
  if (!caller.purpose)
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'A redemption log names people: declare a purpose (header X-Purpose).',
      'purpose',
    );
  if (!logPurposes.includes(caller.purpose))
    throw new DomainError(
      'PURPOSE_NOT_ALLOWED',
      `A redemption log is read for ${logPurposes.join(', ')}; not for ${caller.purpose}.`,
      'purpose',
    );
  const { from, to } = dayRange(app, query.day);
  const after = query.cursor ? decodeCursor(query.cursor, 'log') : null;
  const limit = query.limit ?? pageSizeDefault;
  return app.db.transaction(async (trx) => {
    const rows = await trx
      .selectFrom('redemptions as r')
      .innerJoin('persons as p', 'p.id', 'r.person_id')
      .innerJoin('cycles as c', 'c.id', 'r.cycle_id')
      .select([
        'r.id',
        'r.redeemed_at',
        'r.cycle_id',
        'c.label',
        'c.programme_version',
        'r.programme_id',
        'r.quantity',
        'r.proof_kind',
        'r.collected_as',
        'r.channel',
        'r.receipt_code',
        'r.person_id',
        'p.registry_number',
        'p.given_names',
        'p.surname1',
      ])
      .where('r.point_id', '=', pointId)
      .where('r.redeemed_at', '>=', from)
      .where('r.redeemed_at', '<', to)
      .$if(after !== null, (q) =>
        q.where((eb) =>
          eb.or([
            eb('r.redeemed_at', '>', after!.at),
            eb.and([eb('r.redeemed_at', '=', after!.at), eb('r.id', '>', after!.id)]),
          ]),
        ),
      )
      .orderBy('r.redeemed_at')
      .orderBy('r.id')
      .limit(limit + 1)
      .execute();
    const shown = rows.slice(0, limit);
    const items: LogLine[] = [];
    for (const r of shown) {
      const terms = await programmeTerms(trx, r.programme_id, r.programme_version);
      items.push({
        id: r.id,
        redeemedAt: r.redeemed_at,
        cycleId: r.cycle_id,
        cycleLabel: r.label,
        programmeId: r.programme_id,
        programmeName: terms.name,
        unit: terms.unit,
        quantity: Number(r.quantity),
        proofKind: r.proof_kind,
        collectedAs: r.collected_as,
        channel: r.channel,
        receiptCode: r.receipt_code,
        person: {
          id: r.person_id,
          registryNumber: r.registry_number,
          displayName: [r.given_names, r.surname1].filter(Boolean).join(' '),
        },
      });
    }
    await appendAudit(trx, app, caller, {
      operation: 'redemption.read',
      permission: 'redemption:read',
      subjectIds: items.map((i) => i.person.id),
      details: { pointId, day: query.day, lines: items.length },
    });
    const last = shown.at(-1);
    return {
      pointId,
      day: query.day,
      from,
      to,
      items,
      next: rows.length > limit && last ? encodeCursor(last.redeemed_at, last.id) : null,
    };
  });
}
