// Grievance routes for staff: the queue, one grievance with its history, filing on a person's
// behalf, review, resolution, appeals, and the counts. Each declares its permission; region
// scope and purpose are checked by the operation.
import { z } from 'zod';
import { defineRoute, idParams } from '../http/route';
import { id } from '../shared/schemas';
import { aggregatesQuery, grievanceAggregates } from './aggregates';
import {
  appealGrievance,
  appealInput,
  decideAppeal,
  fileGrievance,
  getGrievance,
  grievanceInput,
  listGrievances,
  queueQuery,
  resolveGrievance,
  resolveInput,
  reviewGrievance,
  reviewInput,
} from './grievances';

const personParams = z.object({ id }).strict();

/** The grievances domain's routes. */
export const grievancesRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/grievances',
    access: 'grievance:read',
    summary: 'The grievance queue of your regions, soonest due (overdue) first',
    tags: ['grievances'],
    readsPersonalData: true,
    query: queueQuery,
    handler: async ({ app, caller, query }) => listGrievances(app, caller, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/grievances/stats',
    access: 'grievance:stats',
    summary: 'Grievance counts by category, region and outcome (small cells suppressed)',
    tags: ['grievances'],
    query: aggregatesQuery,
    handler: async ({ app, caller, query }) => grievanceAggregates(app, caller, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/grievances/:id',
    access: 'grievance:read',
    summary: 'One grievance (by id or reference) with its person, link and history',
    tags: ['grievances'],
    readsPersonalData: true,
    params: idParams,
    handler: async ({ app, caller, params }) => getGrievance(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/persons/:id/grievances',
    access: 'grievance:file',
    summary: 'File a grievance on a person’s behalf, with the person present',
    tags: ['grievances'],
    params: personParams,
    body: grievanceInput,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(201);
      return fileGrievance(app, caller, params.id, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/grievances/:id/review',
    access: 'grievance:handle',
    summary: 'Take a grievance for review, or add a note',
    tags: ['grievances'],
    params: idParams,
    body: reviewInput,
    handler: async ({ app, caller, params, body }) => reviewGrievance(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/grievances/:id/resolve',
    access: 'grievance:handle',
    summary: 'Resolve a grievance with an outcome and a reason',
    tags: ['grievances'],
    params: idParams,
    body: resolveInput,
    handler: async ({ app, caller, params, body }) =>
      resolveGrievance(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/grievances/:id/appeal',
    access: 'grievance:file',
    summary: 'Appeal a resolution on the person’s behalf',
    tags: ['grievances'],
    params: idParams,
    body: appealInput,
    handler: async ({ app, caller, params, body }) => appealGrievance(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/grievances/:id/appeal-decision',
    access: 'grievance:handle',
    summary: 'Decide an appeal (never of a grievance you resolved)',
    tags: ['grievances'],
    params: idParams,
    body: resolveInput,
    handler: async ({ app, caller, params, body }) => decideAppeal(app, caller, params.id, body),
  }),
];
