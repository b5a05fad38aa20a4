// Registry routes: persons, households, life events, attributes, import and export.
import { z } from 'zod';
import { attributeDeclarationInput } from './attributes';
import { lifeEventInput } from './life-events';
import { birthInput, headInput, householdInput, memberInput } from './households';
import { personInput, personUpdateInput } from './person-input';
import {
  addHouseholdMember,
  createHousehold,
  getHousehold,
  registerBirth,
  removeHouseholdMember,
  setHouseholdHead,
} from './households';
import { correctPerson } from './change-person';
import { declareAttribute, listAttributes } from './declare-attribute';
import { enrolPerson } from './enrol-person';
import { getPerson, getPersonHistory, searchPersons } from './read-person';
import { importPersons } from './import-persons';
import { listLifeEvents, recordLifeEvent } from './life-events';
import { requestDeactivation } from './deactivate-person';
import { downloadExport, exportRequestInput, requestExport } from './export-request';
import { DomainError } from '../shared/errors';
import { importUploadBytesMax } from '../shared/limits';
import { id, pageAfterId, pageLimit, reasonBody } from '../shared/schemas';
import { defineRoute, idParams } from '../http/route';

const personSearchQuery = z
  .object({
    q: z.string().max(200).optional(),
    registryNumber: z.string().max(20).optional(),
    name: z.string().max(200).optional(),
    birthDate: z
      .string()
      .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'must be YYYY, YYYY-MM or YYYY-MM-DD')
      .optional(),
    regionCode: z.string().max(10).optional(),
    limit: pageLimit,
    after: pageAfterId,
  })
  .strict();

const memberParams = z.object({ id, personId: id }).strict();

/** The registry's routes. */
export const registryRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/persons',
    access: 'person:write',
    summary: 'Enrol a person',
    tags: ['registry'],
    body: personInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return enrolPerson(app, caller, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/persons',
    access: 'person:search',
    readsPersonalData: true,
    summary:
      'Search persons by registry number or name (q), exact matches first; a full birth date also finds year-only records, marked partial',
    tags: ['registry'],
    query: personSearchQuery,
    handler: async ({ app, caller, query }) => searchPersons(app, caller, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/persons/by-number/:number',
    access: 'person:search',
    readsPersonalData: true,
    summary: 'Find a person by registry number (404 outside your regions)',
    tags: ['registry'],
    params: z.object({ number: z.string().min(1).max(20) }).strict(),
    handler: async ({ app, caller, params }) => {
      const page = await searchPersons(app, caller, { registryNumber: params.number });
      const person = page.items[0];
      if (!person)
        throw new DomainError(
          'NOT_FOUND',
          'No person with that registry number in your regions.',
          'number',
        );
      return person;
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/persons/:id',
    access: 'person:read',
    readsPersonalData: true,
    summary: 'Read a person',
    tags: ['registry'],
    params: idParams,
    handler: async ({ app, caller, params }) => getPerson(app, caller, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/persons/:id',
    access: 'person:write',
    summary: 'Correct a person’s record (the previous version is kept)',
    tags: ['registry'],
    params: idParams,
    body: personUpdateInput,
    handler: async ({ app, caller, params, body }) => correctPerson(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/persons/:id/history',
    access: 'person:read',
    readsPersonalData: true,
    summary: 'Every version of a person’s record',
    tags: ['registry'],
    params: idParams,
    handler: async ({ app, caller, params }) => ({
      items: await getPersonHistory(app, caller, params.id),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/persons/:id/events',
    access: 'person:read',
    readsPersonalData: true,
    summary: 'A person’s life events',
    tags: ['registry'],
    params: idParams,
    handler: async ({ app, caller, params }) => ({
      items: await listLifeEvents(app, caller, params.id),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/persons/:id/events',
    access: 'person:write',
    summary: 'Record a death, change of name or change of address',
    tags: ['registry'],
    params: idParams,
    body: lifeEventInput,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(201);
      return recordLifeEvent(app, caller, params.id, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/persons/:id/deactivate',
    access: 'person:deactivate',
    summary: 'Ask to deactivate a person (needs a second approver)',
    tags: ['registry'],
    params: idParams,
    body: reasonBody,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(202);
      return requestDeactivation(app, caller, params.id, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/households',
    access: 'household:write',
    summary: 'Create a household with its head',
    tags: ['registry'],
    body: householdInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return createHousehold(app, caller, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/households/:id',
    access: 'household:read',
    readsPersonalData: true,
    summary: 'A household and its members',
    tags: ['registry'],
    params: idParams,
    handler: async ({ app, caller, params }) => getHousehold(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/households/:id/members',
    access: 'household:write',
    summary: 'Add a member (or move them from another household)',
    tags: ['registry'],
    params: idParams,
    body: memberInput,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(201);
      await addHouseholdMember(app, caller, params.id, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/households/:id/members/:personId/leave',
    access: 'household:write',
    summary: 'Record that a member left',
    tags: ['registry'],
    params: memberParams,
    body: reasonBody,
    handler: async ({ app, caller, params, body }) =>
      removeHouseholdMember(app, caller, params.id, params.personId, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/households/:id/head',
    access: 'household:write',
    summary: 'Make a member the head of the household (the former head gets another relationship)',
    tags: ['registry'],
    params: idParams,
    body: headInput,
    handler: async ({ app, caller, params, body }) =>
      setHouseholdHead(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/households/:id/births',
    access: 'household:write',
    summary: 'Register a birth into a household',
    tags: ['registry'],
    params: idParams,
    body: birthInput,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(201);
      return registerBirth(app, caller, params.id, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/attributes',
    access: 'attribute:read',
    summary: 'Declared custom attributes',
    tags: ['registry'],
    handler: async ({ app, caller }) => ({ items: await listAttributes(app, caller) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/attributes',
    access: 'attribute:declare',
    summary: 'Declare a custom attribute (prohibited categories are refused)',
    tags: ['registry'],
    body: attributeDeclarationInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return declareAttribute(app, caller, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/imports/persons',
    access: 'registry:import',
    summary: `Import persons from CSV (text/csv) or JSON Lines (application/x-ndjson), up to ${importUploadBytesMax / 1024 / 1024} MB`,
    tags: ['registry'],
    rawBody: {
      contentTypes: ['text/csv', 'application/x-ndjson', 'application/jsonl'],
      bytesMax: importUploadBytesMax,
    },
    handler: async ({ app, caller, request }) => {
      const data = request.body as Buffer;
      const format = (request.headers['content-type'] ?? '').startsWith('text/csv')
        ? 'csv'
        : 'jsonl';
      return importPersons(app, caller, { bytes: data }, { format, sourceName: 'http upload' });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/exports',
    access: 'registry:export',
    summary: 'Ask for a row-level export of the registry (needs a second approver)',
    tags: ['registry'],
    body: exportRequestInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(202);
      return requestExport(app, caller, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/exports/:id/download',
    access: 'registry:export',
    summary: 'Download an approved export, once (JSON Lines, tessera.registry format)',
    tags: ['registry'],
    params: idParams,
    handler: async ({ app, caller, params, reply }) => {
      const chunks: string[] = [];
      await downloadExport(app, caller, params.id, (line) => void chunks.push(line));
      void reply
        .header('content-type', 'application/x-ndjson')
        .header('content-disposition', 'attachment; filename="tessera-registry.jsonl"');
      return reply.send(chunks.join(''));
    },
  }),
];
