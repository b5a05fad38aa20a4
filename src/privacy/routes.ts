// Privacy routes: the auditor's log and its verification, a person's access report, and
// registry statistics. Each validates, calls one operation, and returns what it returns.
import { z } from 'zod';
import { accessReport, accessReportByNumber, accessReportPageInput } from './access-report';
import { requirePermission } from '../shared/access';
import { publishedAuditHead } from './audit-head';
import { auditQueryInput, queryAudit } from './query-audit';
import { registryStatistics, registryStatisticsInput } from './statistics';
import { verifyAuditLogAs } from './verify-audit';
import { defineRoute, idParams } from '../http/route';

const chainIndex = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const verifyQuery = z
  .object({ fromIndex: chainIndex.optional(), toIndex: chainIndex.optional() })
  .strict();
// The query string names the dimensions comma-separated; parsed once, into the operation's input.
const statisticsQuery = z
  .object({
    by: z
      .string()
      .min(1)
      .max(40)
      .describe('Comma-separated: region, ageBand, sex (1 to 3)')
      .transform((by) => by.split(',').map((d) => d.trim()))
      .pipe(registryStatisticsInput.shape.by),
  })
  .strict();

// The number is checked inside the operation, so that a malformed one names `registryNumber`.
const registryNumberParams = z.object({ number: z.string().min(1).max(64) }).strict();

/** The privacy domain's routes. */
export const privacyRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/audit',
    access: 'audit:read',
    summary:
      'Audit log entries by person, staff member, operation and time, newest first (audited)',
    tags: ['privacy'],
    query: auditQueryInput,
    handler: async ({ app, caller, query }) => queryAudit(app, caller, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/audit/operations',
    access: 'audit:read',
    summary: 'Every audit operation by name, with its kind and its words in Spanish and English',
    tags: ['privacy'],
    handler: async ({ app, caller }) => {
      requirePermission(caller.actor, 'audit:read');
      return {
        items: Object.entries(app.auditOperations)
          .map(([operation, d]) => ({ operation, kind: d.kind, es: d.es, en: d.en }))
          .sort((a, b) => a.operation.localeCompare(b.operation)),
      };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/audit/verify',
    access: 'audit:read',
    summary: 'Verify the audit hash chain and its signed seals; names the first tampered entry',
    tags: ['privacy'],
    query: verifyQuery,
    handler: async ({ app, caller, query }) => verifyAuditLogAs(app, caller, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/audit/head',
    access: 'public',
    summary:
      'The signed head of the audit chain (index, hash, time, key id, signature; nothing personal), for witnesses to keep outside the database',
    tags: ['privacy'],
    handler: async ({ app, reply }) => {
      reply.header('cache-control', 'no-cache');
      return publishedAuditHead(app.db.kysely);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/persons/:id/access-report',
    access: 'access-report:read',
    readsPersonalData: true,
    summary: 'Every read and change of a person’s record: when, why, by which role, from where',
    tags: ['privacy'],
    params: idParams,
    query: accessReportPageInput,
    handler: async ({ app, caller, params, query }) => accessReport(app, caller, params.id, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/access-reports/by-number/:number',
    access: 'access-report:read',
    readsPersonalData: true,
    summary:
      'A person’s access report found by registry number, without opening the record: who (by username), when, why, what (audited)',
    tags: ['privacy'],
    params: registryNumberParams,
    query: accessReportPageInput,
    handler: async ({ app, caller, params, query }) =>
      accessReportByNumber(app, caller, params.number, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/statistics/registry',
    access: 'stats:read',
    summary: 'Counts of active persons by region, age band and sex, small cells suppressed',
    tags: ['privacy'],
    query: statisticsQuery,
    handler: async ({ app, caller, query }) => registryStatistics(app, caller, query),
  }),
];
