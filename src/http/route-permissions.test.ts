// Every route refuses an anonymous caller, a caller with the wrong role, and (where data
// belongs to a region) a caller from the wrong region. A route added without a sample
// request here fails the suite, and a route registered without a permission cannot start.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemActor } from '../shared/access';
import type { Permission } from '../shared/access';
import { createHousehold, enrolPerson } from '../registry';
import { createCycle, createProgramme, type ProgrammeInput } from '../programs';
import { createPoint } from '../distribution';
import { forEachEngine } from '../../test/support/engines';
import { personBody, testApp, validPerson } from '../../test/support/app';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';
import { createTestDatabase } from '../../test/support/engines';
import { allRoutes, permissionMatrix } from '../modules';
import { buildServer } from './server';
import { defineRoute, type RouteDefinition } from './route';

interface Fixtures {
  personId: string;
  registryNumber: string;
  householdId: string;
  staffId: string;
  /** A review-queue pair: the marker person and a near-duplicate of them. */
  pairId: string;
  /** A programme served in VE-A, and a draft cycle of it. */
  programmeId: string;
  cycleId: string;
  /** A point of service in VE-A. */
  pointId: string;
}

const sampleProgramme = {
  name: { es: 'Muestra', en: 'Sample' },
  rule: 'age >= 18',
  benefit: {
    kind: 'basket',
    items: [{ code: 'rice', name: { es: 'Arroz', en: 'Rice' }, quantity: 1, unit: 'kg' }],
  },
  serviceAreas: [{ regionCode: 'VE-A' }],
};

interface Sample {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  /** The route touches data that belongs to a region (checked with a caller from another). */
  regionScoped: boolean;
  /** The content type of a raw (string) body; CSV unless named. */
  contentType?: string;
}

const marker = 'Zoraida Ximena';

/** One sample request per route. A new route must add one here. */
const samples: Record<string, (f: Fixtures) => Sample> = {
  'GET /healthz': () => ({ regionScoped: false }),
  'GET /': () => ({ regionScoped: false }),
  'GET /verify': () => ({ regionScoped: false }),
  'GET /pos': () => ({ regionScoped: false }),
  'GET /me': () => ({ regionScoped: false }),
  'GET /pos.webmanifest': () => ({ regionScoped: false }),
  'GET /sw.js': () => ({ regionScoped: false }),
  'GET /assets/:name': () => ({ regionScoped: false, params: { name: 'none.js' } }),
  'POST /api/v1/auth/sign-in': () => ({
    regionScoped: false,
    body: { username: 'x', password: 'y' },
  }),
  'POST /api/v1/auth/sign-out': () => ({ regionScoped: false }),
  'GET /api/v1/auth/session': () => ({ regionScoped: false }),
  'POST /api/v1/auth/second-factor/enrol': () => ({ regionScoped: false }),
  'POST /api/v1/auth/second-factor/confirm': () => ({
    regionScoped: false,
    body: { code: '000000' },
  }),
  'POST /api/v1/auth/password': () => ({
    regionScoped: false,
    body: { currentPassword: 'a', newPassword: 'b' },
  }),
  'GET /api/v1/staff': () => ({ regionScoped: false }),
  'POST /api/v1/staff': () => ({
    regionScoped: false,
    body: { username: 'someone.new', displayName: 'Someone' },
  }),
  'POST /api/v1/staff/:id/roles': (f) => ({
    regionScoped: false,
    params: { id: f.staffId },
    body: { role: 'registrar', regions: ['VE-A'], reason: 'sample request' },
  }),
  'POST /api/v1/staff/:id/roles/:role/revoke': (f) => ({
    regionScoped: false,
    params: { id: f.staffId, role: 'registrar' },
  }),
  'POST /api/v1/staff/:id/disable': (f) => ({
    regionScoped: false,
    params: { id: f.staffId },
    body: { reason: 'sample request' },
  }),
  'GET /api/v1/tokens': () => ({ regionScoped: false }),
  'POST /api/v1/tokens': () => ({
    regionScoped: false,
    body: { name: 'sample', permissions: ['person:search'], regions: ['VE-A'] },
  }),
  'POST /api/v1/tokens/:id/revoke': () => ({
    regionScoped: false,
    params: { id: 'no-such-token' },
  }),
  'GET /api/v1/approvals': () => ({ regionScoped: false }),
  'GET /api/v1/approvals/:id': () => ({ regionScoped: false, params: { id: 'no-such-approval' } }),
  'POST /api/v1/approvals/:id/decision': () => ({
    regionScoped: false,
    params: { id: 'no-such-approval' },
    body: { approve: true, reason: 'sample' },
  }),
  'POST /api/v1/persons': () => ({
    regionScoped: true,
    body: personBody({ givenNames: 'Otra Persona' }),
  }),
  'POST /api/v1/persons/screen': () => ({
    regionScoped: true,
    body: personBody({ givenNames: 'Otra Persona' }),
  }),
  'POST /api/v1/households/:id/head': (f) => ({
    regionScoped: true,
    params: { id: f.householdId },
    body: { personId: f.personId, formerHeadRelationship: 'spouse', reason: 'sample request' },
  }),
  'GET /api/v1/persons': () => ({
    regionScoped: true,
    query: `name=${encodeURIComponent(marker)}`,
  }),
  'GET /api/v1/persons/by-number/:number': (f) => ({
    regionScoped: true,
    params: { number: f.registryNumber },
  }),
  'GET /api/v1/persons/:id': (f) => ({ regionScoped: true, params: { id: f.personId } }),
  'PATCH /api/v1/persons/:id': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
    body: { phone: null, reason: 'sample change' },
  }),
  'GET /api/v1/persons/:id/history': (f) => ({ regionScoped: true, params: { id: f.personId } }),
  'GET /api/v1/persons/:id/events': (f) => ({ regionScoped: true, params: { id: f.personId } }),
  'POST /api/v1/persons/:id/events': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
    body: { kind: 'death', occurredOn: '2026-11-01' },
  }),
  'POST /api/v1/persons/:id/deactivate': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
    body: { reason: 'sample request' },
  }),
  'POST /api/v1/households': (f) => ({
    regionScoped: true,
    body: { address: { regionCode: 'VE-A' }, headPersonId: f.personId },
  }),
  'GET /api/v1/households/:id': (f) => ({ regionScoped: true, params: { id: f.householdId } }),
  'POST /api/v1/households/:id/members': (f) => ({
    regionScoped: true,
    params: { id: f.householdId },
    body: { personId: f.personId, relationship: 'child', reason: 'sample request' },
  }),
  'POST /api/v1/households/:id/members/:personId/leave': (f) => ({
    regionScoped: true,
    params: { id: f.householdId, personId: f.personId },
    body: { reason: 'sample request' },
  }),
  'POST /api/v1/households/:id/births': (f) => ({
    regionScoped: true,
    params: { id: f.householdId },
    body: { child: personBody({ birthDate: '2026-11-01' }) },
  }),
  'GET /api/v1/attributes': () => ({ regionScoped: false }),
  'POST /api/v1/attributes': () => ({
    regionScoped: false,
    body: {
      name: 'sample_attribute',
      type: 'string',
      category: 'socioeconomic',
      description: 'A sample',
    },
  }),
  'POST /api/v1/exports': () => ({
    regionScoped: false,
    body: { reason: 'sample export request for the ministry' },
  }),
  'GET /api/v1/exports/:id/download': () => ({
    regionScoped: false,
    params: { id: 'no-such-export' },
  }),
  'GET /api/v1/dedup/pairs': () => ({ regionScoped: true }),
  'GET /api/v1/dedup/pairs/:id': (f) => ({ regionScoped: true, params: { id: f.pairId } }),
  'POST /api/v1/dedup/pairs/:id/decision': (f) => ({
    regionScoped: true,
    params: { id: f.pairId },
    body: { decision: 'different_people', reason: 'sample decision' },
  }),
  'POST /api/v1/dedup/pairs/:id/merge': (f) => ({
    regionScoped: true,
    params: { id: f.pairId },
    body: { survivorId: f.personId, reason: 'sample request' },
  }),
  'POST /api/v1/dedup/pairs/:id/unmerge': (f) => ({
    regionScoped: true,
    params: { id: f.pairId },
    body: { reason: 'sample request' },
  }),
  'POST /api/v1/imports/persons': () => ({
    regionScoped: true,
    body: 'given_names,birth_date,region_code\nAna,1990,VE-A\n',
  }),
  // Cards: serial 1 does not exist here, so a wrong-region caller must get 404 exactly as
  // for a card that does (src/credentials/cards-api.test.ts checks real cards).
  'POST /api/v1/persons/:id/cards': (f) => ({ regionScoped: true, params: { id: f.personId } }),
  'GET /api/v1/persons/:id/cards': (f) => ({ regionScoped: true, params: { id: f.personId } }),
  'POST /api/v1/cards/:serial/replace': () => ({
    regionScoped: true,
    params: { serial: '1' },
    body: { reason: 'lost' },
  }),
  'POST /api/v1/cards/:serial/revoke': () => ({
    regionScoped: true,
    params: { serial: '1' },
    body: { reason: 'sample request' },
  }),
  'GET /api/v1/cards/:serial/face.svg': () => ({ regionScoped: true, params: { serial: '1' } }),
  'GET /api/v1/cards/:serial/face.png': () => ({
    regionScoped: true,
    params: { serial: '1' },
    query: 'side=back',
  }),
  'GET /api/v1/cards/:serial/face.pdf': () => ({ regionScoped: true, params: { serial: '1' } }),
  'GET /api/v1/cards/sheet.pdf': () => ({ regionScoped: true, query: 'serials=1,2' }),
  'POST /api/v1/cards/verify': () => ({ regionScoped: false, body: { qrText: 'NOT A CARD' } }),
  'GET /api/v1/audit': () => ({ regionScoped: false }),
  'GET /api/v1/audit/verify': () => ({ regionScoped: false }),
  'GET /api/v1/audit/operations': () => ({ regionScoped: false }),
  'GET /api/v1/access-reports/by-number/:number': (f) => ({
    regionScoped: true,
    params: { number: f.registryNumber },
  }),
  'GET /api/v1/audit/head': () => ({ regionScoped: false }),
  'GET /api/v1/persons/:id/access-report': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
  }),
  'GET /api/v1/statistics/registry': () => ({ regionScoped: false, query: 'by=region,sex' }),
  'GET /api/v1/trust-list': () => ({ regionScoped: false }),
  'GET /api/v1/revocations': () => ({ regionScoped: false }),
  'GET /api/v1/keys': () => ({ regionScoped: false }),
  'POST /api/v1/keys/rotate': () => ({ regionScoped: false, body: { reason: 'sample request' } }),
  // Ledger batches answer per item (an account out of region is `region_not_in_scope`), so
  // only the reads are checked from the wrong region; no account of that id exists here.
  'POST /api/v1/ledger/accounts': () => ({
    regionScoped: false,
    body: { accounts: [{ id: 'sample-fund', ledger: 'VES', code: 'programme_fund' }] },
  }),
  'POST /api/v1/ledger/transfers': () => ({
    regionScoped: false,
    body: {
      transfers: [
        {
          id: 'sample-transfer',
          debitAccountId: 'sample-equity',
          creditAccountId: 'sample-fund',
          amount: '1250',
          ledger: 'VES',
          code: 'funding',
        },
      ],
    },
  }),
  'GET /api/v1/ledger/accounts/:id': () => ({
    regionScoped: true,
    params: { id: 'no-such-account' },
  }),
  'POST /api/v1/ledger/accounts/lookup': () => ({
    regionScoped: true,
    body: { ids: ['no-such-account'] },
  }),
  'GET /api/v1/ledger/accounts/:id/transfers': () => ({
    regionScoped: true,
    params: { id: 'no-such-account' },
  }),
  'GET /api/v1/persons/:id/wallet': (f) => ({ regionScoped: true, params: { id: f.personId } }),
  'PUT /api/v1/persons/:id/wallet/pin': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
    body: { pin: '2719', identityDocument: 'national_id_card', reason: 'sample request' },
  }),
  'POST /api/v1/co-payments': (f) => ({
    regionScoped: true,
    body: {
      id: 'sample-co-payment',
      personId: f.personId,
      merchantAccountId: 'no-such-merchant',
      amount: '100',
      pin: '2719',
    },
  }),
  'POST /api/v1/co-payments/:id/post': () => ({
    regionScoped: true,
    params: { id: 'no-such-co-payment' },
  }),
  'POST /api/v1/co-payments/:id/void': () => ({
    regionScoped: true,
    params: { id: 'no-such-co-payment' },
  }),
  'GET /api/v1/points': () => ({ regionScoped: false }),
  'POST /api/v1/points': () => ({
    regionScoped: true,
    body: { code: 'NEW-POINT', name: 'Punto nuevo', kind: 'pharmacy', regionCode: 'VE-A' },
  }),
  'GET /api/v1/points/:id': (f) => ({ regionScoped: true, params: { id: f.pointId } }),
  'PATCH /api/v1/points/:id': (f) => ({
    regionScoped: true,
    params: { id: f.pointId },
    body: { status: 'closed' },
  }),
  'PUT /api/v1/points/:id/operators/:staffId': (f) => ({
    regionScoped: true,
    params: { id: f.pointId, staffId: f.staffId },
  }),
  'DELETE /api/v1/points/:id/operators/:staffId': (f) => ({
    regionScoped: true,
    params: { id: f.pointId, staffId: f.staffId },
  }),
  'POST /api/v1/devices': (f) => ({
    regionScoped: true,
    body: { pointId: f.pointId, name: 'Teléfono de muestra' },
  }),
  'POST /api/v1/devices/enrol': () => ({
    regionScoped: false,
    body: { code: 'ABCD-EFGH-JKLM', publicKey: 'A'.repeat(43) },
  }),
  'POST /api/v1/devices/:id/revoke': () => ({
    regionScoped: true,
    params: { id: 'no-such-device' },
    body: { reason: 'sample request' },
  }),
  'GET /api/v1/device': () => ({ regionScoped: false }),
  'POST /api/v1/pos/identify': (f) => ({
    regionScoped: true,
    body: { registryNumber: f.registryNumber, birthDate: '1984-03-12', pointId: f.pointId },
  }),
  'POST /api/v1/proof-codes': (f) => ({
    regionScoped: true,
    body: { registryNumber: f.registryNumber, birthDate: '1984-03-12', pointId: f.pointId },
  }),
  'POST /api/v1/redemptions': (f) => ({
    regionScoped: true,
    body: {
      entitlementId: `${f.cycleId}.${f.personId}`,
      quantity: 1,
      pointId: f.pointId,
      proof: {
        kind: 'document',
        registryNumber: f.registryNumber,
        birthDate: '1984-03-12',
        documentType: 'national_id',
        documentNumber: 'V-1234567',
        reason: 'sample request',
      },
    },
  }),
  'GET /api/v1/device/pack': () => ({ regionScoped: false }),
  'POST /api/v1/device/pack/release': () => ({ regionScoped: false }),
  'POST /api/v1/device/sync': () => ({
    regionScoped: false,
    body: {
      entries: [
        {
          entry: {
            v: 1,
            deviceId: 'no-such-device',
            counter: 1,
            prev: '0'.repeat(64),
            entitlementId: 'cycle.person',
            leaseId: 'lease',
            quantity: 1,
            proof: { kind: 'card', serial: '1', kid: 'k' },
            coPayment: { method: 'none', amount: '0' },
            redeemedAt: '2026-11-29T10:00:00.000Z',
          },
          signature: 'A'.repeat(86),
        },
      ],
    },
  }),
  'GET /api/v1/points/:id/operator-candidates': (f) => ({
    regionScoped: true,
    params: { id: f.pointId },
  }),
  'GET /api/v1/points/:id/stock': (f) => ({ regionScoped: true, params: { id: f.pointId } }),
  'POST /api/v1/points/:id/stock': (f) => ({
    regionScoped: true,
    params: { id: f.pointId },
    body: { cycleId: f.cycleId, kind: 'received', quantity: 10, reference: 'sample note' },
  }),
  'GET /api/v1/stock/overdrawn': () => ({ regionScoped: false }),
  'GET /api/v1/points/:id/redemptions': (f) => ({
    regionScoped: true,
    params: { id: f.pointId },
    query: 'day=2026-11-29',
  }),
  'GET /api/v1/conflicts': () => ({ regionScoped: false }),
  'GET /api/v1/conflicts/:id': () => ({ regionScoped: true, params: { id: 'no-such-conflict' } }),
  'POST /api/v1/conflicts/:id/resolve': () => ({
    regionScoped: true,
    params: { id: 'no-such-conflict' },
    body: { resolution: 'error', note: 'sample request' },
  }),
  'GET /api/v1/persons/:id/nominees': (f) => ({ regionScoped: true, params: { id: f.personId } }),
  'POST /api/v1/persons/:id/nominees': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
    body: { nomineeRegistryNumber: f.registryNumber, consent: 'in_person_signed' },
  }),
  'POST /api/v1/persons/:id/nominees/:nomineeId/revoke': (f) => ({
    regionScoped: true,
    params: { id: f.personId, nomineeId: 'no-such-nominee' },
    body: { reason: 'sample request' },
  }),
  'GET /api/v1/grievances': () => ({ regionScoped: false, query: 'status=open' }),
  'GET /api/v1/grievances/stats': () => ({ regionScoped: false }),
  'GET /api/v1/grievances/:id': () => ({ regionScoped: true, params: { id: 'no-such-grievance' } }),
  'POST /api/v1/persons/:id/grievances': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
    body: { category: 'other', description: 'sample grievance' },
  }),
  'POST /api/v1/grievances/:id/review': () => ({
    regionScoped: true,
    params: { id: 'no-such-grievance' },
    body: {},
  }),
  'POST /api/v1/grievances/:id/resolve': () => ({
    regionScoped: true,
    params: { id: 'no-such-grievance' },
    body: { outcome: 'upheld', reason: 'sample' },
  }),
  'POST /api/v1/grievances/:id/appeal': () => ({
    regionScoped: true,
    params: { id: 'no-such-grievance' },
    body: { reason: 'sample' },
  }),
  'POST /api/v1/grievances/:id/appeal-decision': () => ({
    regionScoped: true,
    params: { id: 'no-such-grievance' },
    body: { outcome: 'upheld', reason: 'sample' },
  }),
  // The cardholder portal: public sign-in steps, then routes only a portal session opens.
  'POST /api/v1/me/sign-in/code': (f) => ({
    regionScoped: false,
    body: { registryNumber: f.registryNumber, birthDate: '1984-03-12' },
  }),
  'POST /api/v1/me/sign-in': () => ({
    regionScoped: false,
    body: { challengeId: 'no-such-challenge', code: '000000' },
  }),
  'POST /api/v1/me/sign-out': () => ({ regionScoped: false }),
  'GET /api/v1/me': () => ({ regionScoped: false }),
  'GET /api/v1/me/cards': () => ({ regionScoped: false }),
  'GET /api/v1/me/cards/:serial': () => ({ regionScoped: false, params: { serial: '1' } }),
  'GET /api/v1/me/entitlements': () => ({ regionScoped: false }),
  'GET /api/v1/me/wallet': () => ({ regionScoped: false }),
  'GET /api/v1/me/access-report': () => ({ regionScoped: false }),
  'GET /api/v1/me/grievances': () => ({ regionScoped: false }),
  'POST /api/v1/me/grievances': () => ({
    regionScoped: false,
    body: { category: 'other', description: 'sample grievance' },
  }),
  'GET /api/v1/me/grievances/:id': () => ({ regionScoped: false, params: { id: 'x' } }),
  'POST /api/v1/me/grievances/:id/appeal': () => ({
    regionScoped: false,
    params: { id: 'x' },
    body: { reason: 'sample' },
  }),
  'GET /api/v1/me/nominees': () => ({ regionScoped: false }),
  'POST /api/v1/me/nominees': (f) => ({
    regionScoped: false,
    body: { registryNumber: f.registryNumber, birthDate: '1984-03-12' },
  }),
  'POST /api/v1/me/nominees/:id/revoke': () => ({
    regionScoped: false,
    params: { id: 'x' },
    body: {},
  }),
  'PUT /api/v1/me/preferences': () => ({
    regionScoped: false,
    body: { language: 'en', optOutNonEssential: false },
  }),
  'GET /api/v1/programmes': () => ({ regionScoped: false }),
  'POST /api/v1/programmes': () => ({
    regionScoped: true,
    body: {
      ...sampleProgramme,
      code: 'sample_new',
      kind: 'basket',
      target: 'person',
      schedule: 'monthly',
    },
  }),
  'GET /api/v1/programmes/:id': (f) => ({ regionScoped: false, params: { id: f.programmeId } }),
  'PUT /api/v1/programmes/:id': (f) => ({
    regionScoped: true,
    params: { id: f.programmeId },
    body: { ...sampleProgramme, reason: 'sample request' },
  }),
  'POST /api/v1/programmes/:id/retire': (f) => ({
    regionScoped: true,
    params: { id: f.programmeId },
    body: { reason: 'sample request' },
  }),
  'GET /api/v1/programmes/:id/exclusion': (f) => ({
    regionScoped: true,
    params: { id: f.programmeId },
  }),
  'POST /api/v1/rules/validate': () => ({
    regionScoped: false,
    body: { rule: 'age >= 18', kind: 'basket' },
  }),
  'POST /api/v1/rules/dry-run': () => ({
    regionScoped: true,
    body: { rule: 'age >= 18', kind: 'basket', regions: ['VE-A'] },
  }),
  'GET /api/v1/cycles': () => ({ regionScoped: false }),
  'POST /api/v1/cycles': (f) => ({
    regionScoped: true,
    body: {
      programmeId: f.programmeId,
      label: '2030-01',
      opensOn: '2030-01-01',
      closesOn: '2030-01-31',
    },
  }),
  'GET /api/v1/cycles/:id': (f) => ({ regionScoped: false, params: { id: f.cycleId } }),
  'POST /api/v1/cycles/:id/freeze': (f) => ({ regionScoped: true, params: { id: f.cycleId } }),
  'POST /api/v1/cycles/:id/generate': (f) => ({ regionScoped: true, params: { id: f.cycleId } }),
  'POST /api/v1/cycles/:id/approve': (f) => ({ regionScoped: true, params: { id: f.cycleId } }),
  'POST /api/v1/cycles/:id/close': (f) => ({ regionScoped: true, params: { id: f.cycleId } }),
  'POST /api/v1/cycles/:id/cancel': (f) => ({
    regionScoped: true,
    params: { id: f.cycleId },
    body: { reason: 'sample request' },
  }),
  'GET /api/v1/cycles/:id/changes': (f) => ({ regionScoped: true, params: { id: f.cycleId } }),
  'GET /api/v1/cycles/:id/exclusion': (f) => ({ regionScoped: true, params: { id: f.cycleId } }),
  'POST /api/v1/cycles/:id/payments': (f) => ({
    regionScoped: true,
    params: { id: f.cycleId },
    body: { batchId: 'sample-batch-1' },
  }),
  'POST /api/v1/cycles/:id/payouts': (f) => ({
    regionScoped: true,
    params: { id: f.cycleId },
    body: { batchId: 'sample-payout', executionDate: '2030-01-10' },
  }),
  // Payouts move a national fund: a regional finance officer is refused (403), and a batch
  // that does not exist is not found either way.
  'GET /api/v1/payout-providers': () => ({ regionScoped: false }),
  'PUT /api/v1/payout-providers/:id': () => ({
    regionScoped: false,
    params: { id: 'sample-bank' },
    body: {
      name: 'Banco de muestra',
      kind: 'bank',
      agentId: 'BDVEVECA',
      adapter: 'folder',
      endpoint: 'sample-bank',
      currency: 'VES',
      debtorName: 'Fondo de muestra',
      debtorAccount: '01020000000000000001',
    },
  }),
  'GET /api/v1/persons/:id/payout-destinations': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
  }),
  'PUT /api/v1/persons/:id/payout-destinations': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
    body: {
      providerId: 'no-such-provider',
      scheme: 'account',
      account: '01020000000000000002',
      holderName: 'Zoraida Ximena',
      identityDocument: 'national_id_card',
    },
  }),
  'GET /api/v1/payouts': () => ({ regionScoped: false }),
  'POST /api/v1/payouts': () => ({
    regionScoped: true,
    body: {
      id: 'sample-payout-batch',
      origin: 'sample-origin',
      label: 'Muestra',
      fundAccountId: 'no-such-fund',
      currency: 'VES',
      executionDate: '2030-01-10',
      items: [],
    },
  }),
  'GET /api/v1/payouts/:id': () => ({ regionScoped: true, params: { id: 'no-such-batch' } }),
  'POST /api/v1/payouts/:id/items': (f) => ({
    regionScoped: true,
    params: { id: 'no-such-batch' },
    body: { items: [{ personId: f.personId, amount: '100' }] },
  }),
  'GET /api/v1/payouts/:id/items': () => ({ regionScoped: true, params: { id: 'no-such-batch' } }),
  'POST /api/v1/payouts/:id/approve': () => ({
    regionScoped: true,
    params: { id: 'no-such-batch' },
  }),
  'POST /api/v1/payouts/:id/export': () => ({
    regionScoped: true,
    params: { id: 'no-such-batch' },
  }),
  'POST /api/v1/payouts/:id/retry': () => ({ regionScoped: true, params: { id: 'no-such-batch' } }),
  'POST /api/v1/payouts/:id/g2p-status': () => ({
    regionScoped: true,
    params: { id: 'no-such-batch' },
  }),
  'POST /api/v1/payouts/status-reports': () => ({
    regionScoped: true,
    body: '<?xml version="1.0" encoding="UTF-8"?><Document/>',
    contentType: 'application/xml',
  }),
  // Provider callbacks: only a provider's API token, never a session.
  'POST /api/v1/g2p/on-disburse': () => ({ regionScoped: true, body: {} }),
  'POST /api/v1/g2p/disburse/txn/on-status': () => ({ regionScoped: true, body: {} }),
  'GET /api/v1/notices/events': () => ({ regionScoped: false }),
  'POST /api/v1/notices/preview': () => ({
    regionScoped: false,
    body: { text: 'Hola {code}', event: 'one_time_code', recipients: 10 },
  }),
  'GET /api/v1/notices/templates': () => ({ regionScoped: false }),
  'POST /api/v1/notices/templates': (f) => ({
    regionScoped: true,
    body: {
      programmeId: f.programmeId,
      event: 'payment_received',
      es: 'Pagado {amount}',
      en: 'Paid {amount}',
      reason: 'sample wording',
    },
  }),
  'POST /api/v1/notices/templates/:id/decision': () => ({
    regionScoped: true,
    params: { id: 'no-such-wording' },
    body: { approve: true, reason: 'sample decision' },
  }),
  'GET /api/v1/notices/stats': () => ({ regionScoped: false }),
  // The HTTP gateway's receipts: public, refused without the shared secret's signature.
  'POST /api/v1/notices/receipts': () => ({
    regionScoped: false,
    body: '{"messageId":"x","status":"delivered"}\n',
    contentType: 'application/x-ndjson',
  }),
  // Settlement, reconciliation and disputes (src/ledger): lists filter by region; acting on a
  // point of another region is not found; rates and reconciliation need national scope.
  'GET /api/v1/ledger/accounts': () => ({ regionScoped: false }),
  'GET /api/v1/settlements': () => ({ regionScoped: false, query: 'day=2026-11-28' }),
  'POST /api/v1/settlements': (f) => ({
    regionScoped: true,
    body: { pointId: f.pointId, day: '2026-11-28' },
  }),
  'GET /api/v1/settlements/:id': () => ({ regionScoped: true, params: { id: 'no-such-stl' } }),
  'POST /api/v1/settlements/:id/approve': () => ({
    regionScoped: true,
    params: { id: 'no-such-stl' },
  }),
  'GET /api/v1/settlement-rates': () => ({ regionScoped: false }),
  'POST /api/v1/settlement-rates': (f) => ({
    regionScoped: true,
    body: {
      programmeId: f.programmeId,
      perUnit: '10',
      fundAccountId: 'no-such-fund',
      effectiveFrom: '2026-12-01',
      reason: 'sample rate',
    },
  }),
  'POST /api/v1/payouts/reconciliation': () => ({
    regionScoped: true,
    body: { origin: 'cycle:no-such-cycle' },
  }),
  'GET /api/v1/disputes': () => ({ regionScoped: false }),
  'POST /api/v1/disputes': (f) => ({
    regionScoped: true,
    body: {
      settlementId: 'no-such-stl',
      programmeId: f.programmeId,
      direction: 'underpaid',
      claimed: '100',
      reason: 'sample dispute',
    },
  }),
  'POST /api/v1/disputes/:id/decision': () => ({
    regionScoped: true,
    params: { id: 'no-such-dispute' },
    body: { decision: 'rejected', note: 'sample decision' },
  }),
  'GET /api/v1/persons/:id/entitlements': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
  }),
  'POST /api/v1/persons/:id/entitlements/pause': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
    body: { programmeId: f.programmeId, reason: 'sample request' },
  }),
  'POST /api/v1/persons/:id/entitlements/resume': (f) => ({
    regionScoped: true,
    params: { id: f.personId },
    body: { programmeId: f.programmeId, reason: 'sample request' },
  }),
};

function requestFor(route: RouteDefinition, f: Fixtures) {
  const make = samples[`${route.method} ${route.url}`];
  if (!make)
    throw new Error(
      `no sample request for ${route.method} ${route.url}: add one to the samples map`,
    );
  const sample = make(f);
  let url = route.url;
  for (const [k, v] of Object.entries(sample.params ?? {}))
    url = url.replace(`:${k}`, encodeURIComponent(v));
  if (sample.query) url += `?${sample.query}`;
  const isCsv = typeof sample.body === 'string';
  return {
    sample,
    options: {
      method: route.method,
      url,
      purpose: 'enrolment',
      ...(sample.body !== undefined ? { payload: sample.body as string } : {}),
      ...(isCsv ? { headers: { 'content-type': sample.contentType ?? 'text/csv' } } : {}),
    },
  };
}

const wrongRoles = ['analyst', 'operator', 'registrar'] as const;

/** A role that lacks the permission, to sign in as "the wrong role". */
function roleWithout(permission: Permission): (typeof wrongRoles)[number] {
  const role = wrongRoles.find((r) => !permissionMatrix[r].includes(permission));
  if (!role) throw new Error(`every sample role holds ${permission}: add a role to wrongRoles`);
  return role;
}

describe('route permissions: every route is declared', () => {
  it('has a sample request for every route, and no sample for a route that is gone', () => {
    const declared = allRoutes()
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    assert.deepEqual(
      Object.keys(samples).sort(),
      declared,
      'add a sample (and so a permission check) for each new route',
    );
  });

  it('refuses to start when a route is registered without a permission', async () => {
    const t = await createTestDatabase('sqlite');
    try {
      const app = testApp(t.db);
      await assert.rejects(
        buildServer(app, {
          routes: allRoutes(),
          setup: async (server) =>
            void server.get('/api/v1/sneaky', async () => ({ all: 'the data' })),
        }),
        /declares no permission/,
      );
      const undeclared = defineRoute({
        method: 'GET',
        url: '/api/v1/also-sneaky',
        summary: 'x',
        tags: [],
        handler: async () => ({}),
      } as unknown as RouteDefinition);
      await assert.rejects(
        buildServer(app, { routes: [...allRoutes(), undeclared] }),
        /declares no permission/,
      );
    } finally {
      await t.dispose();
    }
  });
});

forEachEngine('route permissions', ({ db }) => {
  let t: TestServer;
  let fixtures: Fixtures;
  const agents = new Map<string, Agent>();
  before(async () => {
    t = await startTestServer(db());
    const system = { actor: systemActor('fixtures') };
    const person = await enrolPerson(t.app, system, validPerson({ givenNames: marker }));
    const other = await enrolPerson(t.app, system, validPerson({ givenNames: 'Cabeza Hogar' }));
    const household = await createHousehold(t.app, system, {
      address: { regionCode: 'VE-A' },
      headPersonId: other.id,
    });
    const twice = await enrolPerson(t.app, system, validPerson({ givenNames: 'Zoraida Jimena' }));
    const pairId = twice.duplicateReview?.pairIds[0];
    if (!pairId)
      throw new Error('fixture: the near-duplicate of the marker person was not flagged');
    agents.set('analyst', await signedInAgent(t, [{ role: 'analyst', regions: '*' }]));
    agents.set('operator', await signedInAgent(t, [{ role: 'operator', regions: '*' }]));
    agents.set('registrar', await signedInAgent(t, [{ role: 'registrar', regions: '*' }]));
    const programme = await createProgramme(t.app, system, {
      ...(sampleProgramme as never as ProgrammeInput),
      code: 'sample_programme',
      kind: 'basket',
      target: 'person',
      schedule: 'monthly',
      coPayment: 0n,
      currency: 'VES',
      retentionDays: 30,
      stagger: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    const cycle = await createCycle(t.app, system, {
      programmeId: programme.id,
      label: '2026-12',
      opensOn: '2026-12-01',
      closesOn: '2026-12-31',
    });
    const point = await createPoint(t.app, system, {
      code: 'SAMPLE-POINT',
      name: 'Punto de muestra',
      kind: 'food_depot',
      regionCode: 'VE-A',
      programmeIds: [programme.id],
    });
    const everything = (
      [
        'registrar',
        'programme_admin',
        'operator',
        'auditor',
        'analyst',
        'admin',
        'finance',
      ] as const
    ).map((role) => ({ role, regions: ['VE-Z'] }));
    agents.set('elsewhere', await signedInAgent(t, everything));
    fixtures = {
      personId: person.id,
      registryNumber: person.registryNumber,
      householdId: household.id,
      staffId: agents.get('analyst')!.staffId,
      pairId,
      pointId: point.id,
      programmeId: programme.id,
      cycleId: cycle.id,
    };
  });
  after(async () => {
    await t.server.close();
  });

  it('refuses an anonymous caller on every non-public route', async () => {
    for (const route of allRoutes()) {
      if (route.access === 'public') continue;
      const { options } = requestFor(route, fixtures);
      const { purpose, ...rest } = options;
      const response = await t.server.inject({
        ...rest,
        headers: { ...(rest.headers ?? {}), 'x-purpose': purpose },
      });
      assert.equal(
        response.statusCode,
        401,
        `${route.method} ${route.url} answered ${response.statusCode} to an anonymous caller`,
      );
    }
  });

  it('refuses a caller with the wrong role on every permission route', async () => {
    for (const route of allRoutes()) {
      if (
        route.access === 'public' ||
        route.access === 'signed-in' ||
        route.access === 'half-signed-in'
      )
        continue;
      if (route.access === 'cardholder') {
        // A staff session, whatever its roles, is nobody on the cardholder's own routes.
        const response = await agents
          .get('registrar')!
          .request(requestFor(route, fixtures).options);
        assert.equal(
          response.statusCode,
          401,
          `${route.method} ${route.url} let a staff session in`,
        );
        continue;
      }
      const agent = agents.get(roleWithout(route.access))!;
      const response = await agent.request(requestFor(route, fixtures).options);
      assert.equal(
        response.statusCode,
        403,
        `${route.method} ${route.url} answered ${response.statusCode} to a ${roleWithout(route.access)}`,
      );
    }
  });

  it('refuses a caller from the wrong region on every regional route, and leaks nothing', async () => {
    for (const route of allRoutes()) {
      const { sample, options } = requestFor(route, fixtures);
      if (!sample.regionScoped) continue;
      const response = await agents.get('elsewhere')!.request(options);
      const what = `${route.method} ${route.url} answered ${response.statusCode}: ${response.body.slice(0, 200)}`;
      assert.ok(!response.body.includes(marker), `${what} — it leaked another region's person`);
      if (
        route.method === 'GET' &&
        (route.url === '/api/v1/persons' || route.url === '/api/v1/dedup/pairs')
      ) {
        assert.equal(response.statusCode, 200, what);
        assert.deepEqual(response.json().items, [], what);
      } else if (route.url === '/api/v1/imports/persons') {
        assert.equal(response.statusCode, 200, what);
        assert.equal(response.json().accepted, 0, what);
        assert.equal(response.json().rejects[0].code, 'FORBIDDEN', what);
      } else {
        assert.ok([403, 404].includes(response.statusCode), what);
      }
    }
    const person = await t.app.db.kysely
      .selectFrom('persons')
      .select(['status', 'version', 'household_id'])
      .where('id', '=', fixtures.personId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      person,
      { status: 'active', version: 1, household_id: null },
      'nothing about the person changed',
    );
    const pair = await t.app.db.kysely
      .selectFrom('dedup_pairs')
      .select(['status', 'approval_id'])
      .where('id', '=', fixtures.pairId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      pair,
      { status: 'open', approval_id: null },
      'nothing about the review pair changed',
    );
  });
});
