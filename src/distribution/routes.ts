// Distribution routes: points and their operators, devices (register, enrol, revoke), and what
// a device does. Each declares its permission; region scope is checked by the operation.
import { z } from 'zod';
import { defineRoute, idParams } from '../http/route';
import { id } from '../shared/schemas';
import {
  deviceInput,
  deviceOfActor,
  deviceRevokeInput,
  enrolDevice,
  enrolmentInput,
  listDevices,
  presentDevice,
  registerDevice,
  revokeDevice,
} from './devices';
import { packPublicKey } from './pack-key';
import {
  changePoint,
  createPoint,
  listPoints,
  loadPoint,
  pointChangeInput,
  pointInput,
  pointOperators,
  setPointOperator,
} from './points';
import { DomainError } from '../shared/errors';
import { identifyAtPoint, identifyInput } from './identify';
import { proofCodeInput, sendProofCode } from './proof-codes';
import { redeemOnce, redemptionInput } from './redeem';
import { downloadPack, releaseLeases } from './packs';
import { syncInput, syncOffline } from './sync';
import { overdrawnPoints, overdrawnQuery, pointStock, recordStock, stockInput } from './stock';
import { logQuery, redemptionLog } from './redemption-log';
import { operatorCandidates } from './operator-candidates';
import {
  conflictsQuery,
  getConflict,
  listConflicts,
  resolveConflict,
  resolveInput,
} from './conflicts';
import {
  listNominees,
  nomineeInput,
  nomineeRevokeInput,
  recordNominee,
  revokeNominee,
} from './nominees';

const pointsQuery = z.object({ regionCode: z.string().max(10).optional() }).strict();
const operatorParams = z.object({ id, staffId: id }).strict();

/** Routes about points and devices. */
export const pointRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/points',
    access: 'point:read',
    summary: 'Points of service in your regions',
    tags: ['distribution'],
    query: pointsQuery,
    handler: async ({ app, caller, query }) => ({
      items: await listPoints(app, caller, query.regionCode),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/points',
    access: 'point:write',
    summary: 'Define a point of service',
    tags: ['distribution'],
    body: pointInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return createPoint(app, caller, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/points/:id',
    access: 'point:read',
    summary: 'A point of service with its operators and devices',
    tags: ['distribution'],
    params: idParams,
    handler: async ({ app, caller, params }) => ({
      ...(await loadPoint(app.db.kysely, caller, params.id, 'point:read')),
      operators: await pointOperators(app.db.kysely, params.id),
      devices: await listDevices(app, caller, params.id),
    }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/points/:id',
    access: 'point:write',
    summary: 'Change the programmes a point serves, or close it',
    tags: ['distribution'],
    params: idParams,
    body: pointChangeInput,
    handler: async ({ app, caller, params, body }) => changePoint(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v1/points/:id/operators/:staffId',
    access: 'point:write',
    summary: 'Assign an operator to a point (their operator role must cover its region)',
    tags: ['distribution'],
    params: operatorParams,
    handler: async ({ app, caller, params }) => {
      await setPointOperator(app, caller, params.id, params.staffId, true);
      return { operators: await pointOperators(app.db.kysely, params.id) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/points/:id/operators/:staffId',
    access: 'point:write',
    summary: 'Remove an operator from a point (the assignment is kept as history)',
    tags: ['distribution'],
    params: operatorParams,
    handler: async ({ app, caller, params }) => {
      await setPointOperator(app, caller, params.id, params.staffId, false);
      return { operators: await pointOperators(app.db.kysely, params.id) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/devices',
    access: 'device:manage',
    summary: 'Register a device at a point; returns its one-time enrolment code',
    tags: ['distribution'],
    body: deviceInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return registerDevice(app, caller, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/devices/enrol',
    access: 'device:enrol',
    summary: 'Enrol this device with its code and public key; returns its token, once',
    tags: ['distribution'],
    body: enrolmentInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return { ...(await enrolDevice(app, caller, body)), packKey: packPublicKey(app) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/devices/:id/revoke',
    access: 'device:manage',
    summary: 'Revoke a lost device: its token stops and its leases are released',
    tags: ['distribution'],
    params: idParams,
    body: deviceRevokeInput,
    handler: async ({ app, caller, params, body }) =>
      revokeDevice(app, caller, params.id, body.reason),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/device',
    access: 'point:read',
    summary: 'The device calling, its point, and the key its packs are signed with',
    tags: ['distribution'],
    handler: async ({ app, caller }) => {
      const device = await deviceOfActor(app.db.kysely, caller.actor);
      if (!device) throw new DomainError('FORBIDDEN', 'Only a device token can ask this.');
      return {
        device: presentDevice(device),
        point: await loadPoint(app.db.kysely, caller, device.point_id, 'point:read'),
        packKey: packPublicKey(app),
      };
    },
  }),
];

/** What a point of service does at the counter. */
export const counterRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/pos/identify',
    access: 'entitlement:read',
    readsPersonalData: true,
    summary:
      'Who is at the counter (card, or registry number and date of birth) and what they may collect here',
    tags: ['distribution'],
    body: identifyInput,
    handler: async ({ app, caller, body }) => identifyAtPoint(app, caller, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/proof-codes',
    access: 'proof:send',
    summary: 'Send a one-time code to the phone on record, to collect without a card',
    tags: ['distribution'],
    body: proofCodeInput,
    rateLimitPerMinute: 30,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return sendProofCode(app, caller, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/redemptions',
    access: 'redemption:create',
    readsPersonalData: true,
    summary:
      'Hand over an entitlement (header Idempotency-Key: the same key and body return the first answer)',
    tags: ['distribution'],
    body: redemptionInput,
    handler: async ({ app, caller, body, request, reply }) => {
      const key = request.headers['idempotency-key'];
      const result = await redeemOnce(app, caller, typeof key === 'string' ? key : '', body);
      reply.code(result.status);
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return result.body;
    },
  }),
];

/** What a device does to work with no network: its pack, and the upload of what it recorded. */
export const offlineRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/device/pack',
    access: 'pack:download',
    summary: 'A signed offline pack: lists, programmes and the entitlements leased to this device',
    tags: ['distribution'],
    handler: async ({ app, caller, reply }) => {
      reply.header('cache-control', 'no-store');
      return downloadPack(app, caller);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/device/pack/release',
    access: 'pack:download',
    summary: 'Release every lease of this device (sync first)',
    tags: ['distribution'],
    handler: async ({ app, caller }) => releaseLeases(app, caller),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/device/sync',
    access: 'sync:upload',
    summary:
      'Upload redemptions recorded offline (signed, chained): each becomes one delivery or one conflict',
    tags: ['distribution'],
    body: syncInput,
    handler: async ({ app, caller, body }) => syncOffline(app, caller, body),
  }),
];

const stockQuery = z.object({ cycleId: id.optional() }).strict();
const nomineeParams = z.object({ id, nomineeId: id }).strict();

/** What points hold and hand over: stock, the day's log, and the conflicts to review. */
export const recordRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/points/:id/operator-candidates',
    access: 'point:write',
    summary: 'Staff whose operator role covers this point’s region, to assign',
    tags: ['distribution'],
    params: idParams,
    handler: async ({ app, caller, params }) => operatorCandidates(app, caller, params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/points/:id/stock',
    access: 'stock:read',
    summary: 'A point’s stock per cycle: received, delivered, left, and whether it is overdrawn',
    tags: ['distribution'],
    params: idParams,
    query: stockQuery,
    handler: async ({ app, caller, params, query }) =>
      pointStock(app, caller, params.id, query.cycleId),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/points/:id/stock',
    access: 'stock:write',
    summary: 'Record stock received at a point for a cycle, or an adjustment with its reason',
    tags: ['distribution'],
    params: idParams,
    body: stockInput,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(201);
      return recordStock(app, caller, params.id, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/stock/overdrawn',
    access: 'stock:read',
    summary: 'Points in your regions that delivered more than they received in a cycle',
    tags: ['distribution'],
    query: overdrawnQuery,
    handler: async ({ app, caller, query }) => overdrawnPoints(app, caller, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/points/:id/redemptions',
    access: 'redemption:read',
    readsPersonalData: true,
    summary:
      'A point’s redemptions of one day (names people: purpose audit, grievance or service_delivery)',
    tags: ['distribution'],
    params: idParams,
    query: logQuery,
    handler: async ({ app, caller, params, query }) => redemptionLog(app, caller, params.id, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/conflicts',
    access: 'conflict:read',
    summary: 'Conflicting redemptions in your regions, oldest first (names no one)',
    tags: ['distribution'],
    query: conflictsQuery,
    handler: async ({ app, caller, query }) => listConflicts(app, caller, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/conflicts/:id',
    access: 'conflict:read',
    readsPersonalData: true,
    summary: 'One conflict, with its person and the delivery it collides with',
    tags: ['distribution'],
    params: idParams,
    handler: async ({ app, caller, params }) => getConflict(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/conflicts/:id/resolve',
    access: 'conflict:resolve',
    summary:
      'Resolve a conflict (confirmed_loss, recovered or error) with a note; never a delivery',
    tags: ['distribution'],
    params: idParams,
    body: resolveInput,
    handler: async ({ app, caller, params, body }) => resolveConflict(app, caller, params.id, body),
  }),
];

/** A person's nominees: who may collect for them. */
export const nomineeRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/persons/:id/nominees',
    access: 'person:read',
    readsPersonalData: true,
    summary: 'A person’s nominees, live and revoked',
    tags: ['distribution'],
    params: idParams,
    handler: async ({ app, caller, params }) => listNominees(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/persons/:id/nominees',
    access: 'nominee:write',
    readsPersonalData: true,
    summary: 'Record a nominee the person designated, with how they consented (purpose enrolment)',
    tags: ['distribution'],
    params: idParams,
    body: nomineeInput,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(201);
      return recordNominee(app, caller, params.id, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/persons/:id/nominees/:nomineeId/revoke',
    access: 'nominee:write',
    readsPersonalData: true,
    summary: 'Revoke a nominee with a reason (the record is kept)',
    tags: ['distribution'],
    params: nomineeParams,
    body: nomineeRevokeInput,
    handler: async ({ app, caller, params, body }) =>
      revokeNominee(app, caller, params.id, params.nomineeId, body.reason),
  }),
];

/** The distribution domain's routes. */
export const distributionRoutes = [
  ...pointRoutes,
  ...counterRoutes,
  ...offlineRoutes,
  ...recordRoutes,
  ...nomineeRoutes,
];
