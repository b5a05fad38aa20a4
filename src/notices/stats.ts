// Notice statistics, aggregates only (principle 5): how many messages were sent, delivered
// and failed, by template and by region — the region from each person's record as it is when
// asked, joined, never stored with the message. Each measure is its own table, suppressed
// like every statistic (cells under TESSERA_STATS_CELL_MIN hidden with their complements).
import { sql } from 'kysely';
import { z } from 'zod';
import { appendAudit, suppressTable, type SuppressedTable } from '../privacy';
import { regionsFor, requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { noticeTemplates } from './templates';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day, YYYY-MM-DD');

/** Which messages to count: created from one day up to and including another. */
export const noticeStatsQuery = z.object({ from: day.optional(), to: day.optional() }).strict();

/** The three measures. */
export const noticeMeasures = ['sent', 'delivered', 'failed'] as const;

/** What the statistics route answers. */
export interface NoticeStats {
  from: string | null;
  to: string | null;
  measures: Record<(typeof noticeMeasures)[number], SuppressedTable>;
}

// Which statuses each measure counts: sent is every message a gateway accepted.
const measureStatuses = {
  sent: ['sent', 'delivered', 'undelivered'],
  delivered: ['delivered'],
  failed: ['undelivered', 'dead', 'failed'],
} as const;

/** Counts by template and region, each measure suppressed. */
export async function noticeStats(
  app: AppContext,
  caller: Caller,
  query: z.output<typeof noticeStatsQuery>,
): Promise<NoticeStats> {
  requirePermission(caller.actor, 'notice:read');
  if (query.from && query.to && query.from > query.to)
    throw new DomainError('VALIDATION_FAILED', 'from: must not be after to', 'from');
  const scope = regionsFor(caller.actor, 'notice:read');
  const regions = Object.keys(app.config.regions)
    .filter((r) => scope === '*' || scope.includes(r))
    .sort();
  if (regions.length === 0)
    throw new DomainError('FORBIDDEN', 'None of your regions is served by this deployment.');
  const templates = Object.keys(noticeTemplates);
  return app.db.transaction(async (trx) => {
    let q = trx
      .selectFrom('notice_outbox')
      .innerJoin('persons', 'persons.id', 'notice_outbox.person_id')
      .select([
        'notice_outbox.template as template',
        'persons.region_code as region',
        'notice_outbox.status as status',
        sql<number>`count(*)`.as('n'),
      ])
      .groupBy(['notice_outbox.template', 'persons.region_code', 'notice_outbox.status']);
    if (query.from) q = q.where('notice_outbox.created_at', '>=', `${query.from}T00:00:00.000Z`);
    if (query.to) q = q.where('notice_outbox.created_at', '<', `${query.to}T99`);
    if (scope !== '*') q = q.where('persons.region_code', 'in', scope.length ? scope : ['-']);
    const rows = await q.execute();
    const dimensions = [
      { name: 'template', labels: templates },
      { name: 'region', labels: regions },
    ];
    const table = (statuses: readonly string[]): SuppressedTable => {
      const counts = new Array<number>(templates.length * regions.length).fill(0);
      for (const r of rows) {
        if (!statuses.includes(r.status)) continue;
        const t = templates.indexOf(r.template);
        const g = regions.indexOf(r.region);
        if (t < 0 || g < 0) continue;
        counts[t * regions.length + g]! += Number(r.n);
      }
      return suppressTable({ dimensions, counts }, { threshold: app.config.statsCellMin });
    };
    const measures = {
      sent: table(measureStatuses.sent),
      delivered: table(measureStatuses.delivered),
      failed: table(measureStatuses.failed),
    };
    await appendAudit(trx, app, caller, {
      operation: 'notice.stats',
      permission: 'notice:read',
      details: { from: query.from ?? null, to: query.to ?? null },
    });
    return { from: query.from ?? null, to: query.to ?? null, measures };
  });
}
