// Duplicate-review routes: the queue, a pair side by side, decisions, merge and unmerge
// requests (both four-eyes: the approval routes decide them).
import { decidePair } from './decide-pair';
import {
  mergeRequestInput,
  requestMerge,
  requestUnmerge,
  unmergeRequestInput,
} from './merge-persons';
import { comparePair, listDuplicatePairs, pairDecisionInput, pairListQuery } from './review-queue';
import { defineRoute, idParams } from '../http/route';
import { screenBeforeEnrolment } from './screen-before-enrolment';
import { personInput } from '../registry';

/** The duplicate-review routes. */
export const dedupRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/persons/screen',
    access: 'person:write',
    readsPersonalData: true,
    summary:
      'Check a person before enrolling them: the likely duplicates, with the reasons (purpose: enrolment; nothing is saved)',
    tags: ['dedup'],
    body: personInput,
    handler: async ({ app, caller, body }) => screenBeforeEnrolment(app, caller, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/dedup/pairs',
    access: 'dedup:review',
    summary:
      'The review queue in your regions (no personal data; open pairs unless a status is given)',
    tags: ['dedup'],
    query: pairListQuery,
    handler: async ({ app, caller, query }) => listDuplicatePairs(app, caller, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/dedup/pairs/:id',
    access: 'dedup:review',
    readsPersonalData: true,
    summary: 'Two records side by side with the matcher’s reasons (purpose: deduplication)',
    tags: ['dedup'],
    params: idParams,
    handler: async ({ app, caller, params }) => comparePair(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/dedup/pairs/:id/decision',
    access: 'dedup:review',
    summary: 'Decide a pair: different people (final), or same person (files a merge request)',
    tags: ['dedup'],
    params: idParams,
    body: pairDecisionInput,
    handler: async ({ app, caller, params, body }) => decidePair(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/dedup/pairs/:id/merge',
    access: 'person:deactivate',
    summary: 'Ask to merge a pair into the surviving record (needs a second approver)',
    tags: ['dedup'],
    params: idParams,
    body: mergeRequestInput,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(202);
      return requestMerge(app, caller, params.id, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/dedup/pairs/:id/unmerge',
    access: 'person:deactivate',
    summary: 'Ask to undo a merge (needs a second approver)',
    tags: ['dedup'],
    params: idParams,
    body: unmergeRequestInput,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(202);
      return requestUnmerge(app, caller, params.id, body);
    },
  }),
];
