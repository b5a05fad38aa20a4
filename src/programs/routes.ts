// Programme routes: programmes and their versions, rules (validate, dry run), cycles and their
// transitions, a person's entitlements (with a purpose), pauses, payments and the exclusion
// report. Each declares its permission; region scope is checked by the operation it calls.
import { z } from 'zod';
import { defineRoute, idParams } from '../http/route';
import { reasonBody } from '../shared/schemas';
import { changesSinceFreeze } from './changed-since-freeze';
import {
  approveCycle,
  cancelCycle,
  cancelInput,
  closeCycle,
  createCycle,
  cycleInput,
  freezeCycle,
  getCycle,
  listCycles,
} from './cycles';
import { dryRunInput, dryRunRule } from './dry-run';
import {
  personEntitlements,
  pauseEntitlements,
  pauseInput,
  resumeEntitlements,
} from './entitlements';
import { exclusionReport, programmeExclusionTrend } from './exclusion-report';
import { generateEntitlements } from './generate-entitlements';
import { paymentBatchInput, payCycle } from './payments';
import { cyclePayoutInput, payoutBatchFromCycle } from './payouts-from-cycle';
import { programmeChangeInput, programmeInput, programmeKinds } from './programme-input';
import {
  changeProgramme,
  createProgramme,
  getProgramme,
  listProgrammes,
  retireProgramme,
} from './programmes';
import { presentProgramme } from './present';
import { ruleEnvironment } from './rule-environment';
import { validateRule } from './rules';

const validateInput = z
  .object({ rule: z.string().min(1).max(4000), kind: z.enum(programmeKinds) })
  .strict();
const cyclesQuery = z.object({ programmeId: z.string().max(64).optional() }).strict();

/** The programmes domain's routes. */
export const programsRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/programmes',
    access: 'programme:read',
    summary: 'Every programme with its current version',
    tags: ['programmes'],
    handler: async ({ app, caller }) => ({
      items: (await listProgrammes(app, caller)).map(presentProgramme),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/programmes',
    access: 'programme:write',
    summary: 'Define a programme (its rule is checked first)',
    tags: ['programmes'],
    body: programmeInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return presentProgramme(await createProgramme(app, caller, body));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/programmes/:id',
    access: 'programme:read',
    summary: 'A programme with all its versions',
    tags: ['programmes'],
    params: idParams,
    handler: async ({ app, caller, params }) => {
      const p = await getProgramme(app, caller, params.id);
      return {
        ...presentProgramme(p),
        versions: p.versions.map((v) => presentProgramme({ ...p, current: v }).current),
      };
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v1/programmes/:id',
    access: 'programme:write',
    summary: 'Change a programme: writes its next version (cycles opened before keep theirs)',
    tags: ['programmes'],
    params: idParams,
    body: programmeChangeInput,
    handler: async ({ app, caller, params, body }) =>
      presentProgramme(await changeProgramme(app, caller, params.id, body)),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/programmes/:id/retire',
    access: 'programme:write',
    summary: 'Retire a programme (no new cycles; nothing is deleted)',
    tags: ['programmes'],
    params: idParams,
    body: reasonBody,
    handler: async ({ app, caller, params, body }) =>
      presentProgramme(await retireProgramme(app, caller, params.id, body.reason)),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/programmes/:id/exclusion',
    access: 'exclusion:read',
    summary: 'Exclusion totals of each cycle of a programme (suppressed), oldest first',
    tags: ['programmes'],
    params: idParams,
    handler: async ({ app, caller, params }) => ({
      items: await programmeExclusionTrend(app, caller, params.id),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/rules/validate',
    access: 'cycle:manage',
    summary: 'Check a rule: every problem with its line and column, and what it uses',
    tags: ['programmes'],
    body: validateInput,
    handler: async ({ app, body }) =>
      validateRule(body.rule, await ruleEnvironment(app.db.kysely, app, body.kind)),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/rules/dry-run',
    access: 'cycle:manage',
    summary: 'Run a rule without storing anything: counts by region, age band and sex, suppressed',
    tags: ['programmes'],
    body: dryRunInput,
    handler: async ({ app, caller, body }) => dryRunRule(app, caller, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/cycles',
    access: 'programme:read',
    summary: 'Cycles, newest first (optionally of one programme)',
    tags: ['programmes'],
    query: cyclesQuery,
    handler: async ({ app, caller, query }) => ({
      items: await listCycles(app, caller, query.programmeId),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/cycles',
    access: 'cycle:manage',
    summary: 'Open a draft cycle of a programme’s current version',
    tags: ['programmes'],
    body: cycleInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return createCycle(app, caller, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/cycles/:id',
    access: 'programme:read',
    summary: 'A cycle with its timeline',
    tags: ['programmes'],
    params: idParams,
    handler: async ({ app, caller, params }) => getCycle(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/cycles/:id/freeze',
    access: 'cycle:manage',
    summary: 'Freeze a draft: compute and store its eligible set',
    tags: ['programmes'],
    params: idParams,
    handler: async ({ app, caller, params }) => freezeCycle(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/cycles/:id/generate',
    access: 'cycle:manage',
    summary: 'Generate a frozen cycle’s entitlements (idempotent: run again after a failure)',
    tags: ['programmes'],
    params: idParams,
    handler: async ({ app, caller, params }) => generateEntitlements(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/cycles/:id/approve',
    access: 'cycle:approve',
    summary: 'Approve a generated cycle (someone other than who froze or generated it)',
    tags: ['programmes'],
    params: idParams,
    handler: async ({ app, caller, params }) => approveCycle(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/cycles/:id/close',
    access: 'cycle:manage',
    summary: 'Close an approved cycle: expire what was not collected, store the exclusion report',
    tags: ['programmes'],
    params: idParams,
    handler: async ({ app, caller, params }) => closeCycle(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/cycles/:id/cancel',
    access: 'cycle:manage',
    summary: 'Cancel a cycle not yet approved (its entitlements become void)',
    tags: ['programmes'],
    params: idParams,
    body: cancelInput,
    handler: async ({ app, caller, params, body }) =>
      cancelCycle(app, caller, params.id, body.reason),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/cycles/:id/changes',
    access: 'cycle:manage',
    summary: 'Registry changes since the freeze (counts): they do not alter the cycle',
    tags: ['programmes'],
    params: idParams,
    handler: async ({ app, caller, params }) => changesSinceFreeze(app, caller, params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/cycles/:id/exclusion',
    access: 'exclusion:read',
    summary: 'The cycle’s exclusion report by region, small cells suppressed',
    tags: ['programmes'],
    params: idParams,
    handler: async ({ app, caller, params }) => exclusionReport(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/cycles/:id/payments',
    access: 'cycle:manage',
    summary: 'Pay an approved cash or one-time cycle to wallets, as a named batch (idempotent)',
    tags: ['programmes'],
    params: idParams,
    body: paymentBatchInput,
    handler: async ({ app, caller, params, body }) =>
      payCycle(app, caller, params.id, body.batchId),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/cycles/:id/payouts',
    access: 'payout:create',
    summary:
      'A payout batch from an approved cash or one-time cycle, for the people with a payout destination',
    tags: ['programmes', 'payouts'],
    params: idParams,
    body: cyclePayoutInput,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(201);
      return payoutBatchFromCycle(app, caller, params.id, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/persons/:id/entitlements',
    access: 'entitlement:read',
    readsPersonalData: true,
    summary: 'A person’s entitlements with what each allows today',
    tags: ['programmes'],
    params: idParams,
    handler: async ({ app, caller, params }) => ({
      items: await personEntitlements(app, caller, params.id),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/persons/:id/entitlements/pause',
    access: 'entitlement:pause',
    summary: 'Pause a person’s entitlements in a programme, with a reason',
    tags: ['programmes'],
    params: idParams,
    body: pauseInput,
    handler: async ({ app, caller, params, body }) =>
      pauseEntitlements(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/persons/:id/entitlements/resume',
    access: 'entitlement:pause',
    summary: 'Resume a person’s paused entitlements in a programme, with a reason',
    tags: ['programmes'],
    params: idParams,
    body: pauseInput,
    handler: async ({ app, caller, params, body }) =>
      resumeEntitlements(app, caller, params.id, body),
  }),
];
