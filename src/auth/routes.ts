// Sign-in, second factor, sessions, staff accounts, API tokens and four-eyes approvals.
import type { FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import {
  apiTokenInput,
  createApiToken,
  listApiTokens,
  revokeApiToken,
  tokenRevokeInput,
} from './api-tokens';
import { viewApprovals } from './approval-view';
import {
  createStaff,
  disableStaff,
  grantInput,
  listStaff,
  requestRoleGrant,
  revokeInput,
  revokeRoleGrant,
  staffInput,
} from './accounts';
import { regionsFor } from '../shared/access';
import type { Permission } from '../shared/access';
import {
  changePassword,
  confirmTotpEnrolment,
  signIn,
  passwordChangeInput,
  signInInput,
  totpConfirmationInput,
  signOut,
  sessionProfile,
  startTotpEnrolment,
  type SessionInfo,
} from './sessions';
import { decideApproval, decisionInput, getApproval, listApprovals } from '../privacy';
import type { AppContext } from '../shared/context';
import { DomainError } from '../shared/errors';
import { defineRoute, idParams } from '../http/route';
import { reasonBody } from '../shared/schemas';
import { defaultTimeZone } from '../shared/limits';
import { sessionCookie } from '../http/server';

const roleParams = z
  .object({ id: z.string().min(1).max(64), role: z.string().min(1).max(40) })
  .strict();

/** Sets the session cookie, to last as long as the session may. */
function setSessionCookie(
  app: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: string,
): void {
  void reply.setCookie(sessionCookie, token, {
    httpOnly: true,
    secure: request.secureCookies,
    sameSite: 'strict',
    path: '/',
    maxAge: Math.max(0, Math.floor((Date.parse(expiresAt) - app.now().getTime()) / 1000)),
  });
}

function sessionOf(session: SessionInfo | undefined): SessionInfo {
  if (!session) throw new DomainError('FORBIDDEN', 'This route is for signed-in staff sessions.');
  return session;
}

/** Auth and administration routes. */
export const authRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    access: 'public',
    summary: 'Sign in with username, password and second factor',
    tags: ['auth'],
    body: signInInput,
    rateLimitPerMinute: 20,
    handler: async ({ app, body, request, reply }) => {
      const result = await signIn(app, body, request.ip);
      setSessionCookie(app, request, reply, result.sessionToken, result.expiresAt);
      return { next: result.next, csrfToken: result.csrfToken, expiresAt: result.expiresAt };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/auth/sign-out',
    access: 'half-signed-in',
    summary: 'Sign out (the session ends on the server)',
    tags: ['auth'],
    handler: async ({ app, caller, request, reply }) => {
      await signOut(app, caller, sessionOf(request.session).sessionId);
      void reply.clearCookie(sessionCookie, { path: '/' });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/auth/session',
    access: 'half-signed-in',
    summary: 'The current session: what comes next, roles, permissions',
    tags: ['auth'],
    handler: async ({ app, request }) => {
      const s = sessionOf(request.session);
      const granted = (Object.keys(app.permissions) as Permission[])
        .map((p) => ({ permission: p, regions: regionsFor(s.actor, p) }))
        .filter((p) => p.regions === '*' || p.regions.length > 0);
      return {
        staffId: s.staffId,
        ...(await sessionProfile(app, s)),
        timeZone: app.config.timeZone ?? defaultTimeZone,
        regions: app.config.regions,
        next:
          s.stage !== 'full'
            ? 'enrol-second-factor'
            : s.mustChangePassword
              ? 'change-password'
              : 'ready',
        csrfToken: s.csrfToken,
        roles: s.actor.grants.map((g) => ({ role: g.role, regions: g.regions })),
        permissions: granted,
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/auth/second-factor/enrol',
    access: 'half-signed-in',
    summary: 'Start TOTP enrolment (returns the secret and an otpauth URI)',
    tags: ['auth'],
    handler: async ({ app, request }) => {
      const enrolment = await startTotpEnrolment(app, sessionOf(request.session));
      // The QR is drawn here so that the secret never goes to a third-party QR service.
      return {
        ...enrolment,
        qrSvg: await QRCode.toString(enrolment.otpauthUri, {
          type: 'svg',
          errorCorrectionLevel: 'M',
          margin: 2,
        }),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/auth/second-factor/confirm',
    access: 'half-signed-in',
    summary:
      'Confirm TOTP enrolment with a code; returns recovery codes once, and a new session cookie and CSRF token',
    tags: ['auth'],
    body: totpConfirmationInput,
    handler: async ({ app, request, reply, body }) => {
      const { sessionToken, ...confirmed } = await confirmTotpEnrolment(
        app,
        sessionOf(request.session),
        body,
      );
      setSessionCookie(app, request, reply, sessionToken, confirmed.expiresAt);
      return confirmed;
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/auth/password',
    access: 'half-signed-in',
    summary: 'Change your password',
    tags: ['auth'],
    body: passwordChangeInput,
    handler: async ({ app, request, body }) =>
      changePassword(app, sessionOf(request.session), body, request.ip),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/staff',
    access: 'staff:read',
    summary: 'Staff accounts',
    tags: ['staff'],
    handler: async ({ app, caller }) => ({ items: await listStaff(app, caller) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/staff',
    access: 'staff:manage',
    summary: 'Create a staff account (returns a one-time password once)',
    tags: ['staff'],
    body: staffInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return createStaff(app, caller, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/staff/:id/roles',
    access: 'staff:manage',
    summary: 'Ask to grant a role (needs a second approver)',
    tags: ['staff'],
    params: idParams,
    body: grantInput,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(202);
      return requestRoleGrant(app, caller, params.id, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/staff/:id/roles/:role/revoke',
    access: 'staff:manage',
    summary:
      'End a role grant (an administrator’s or auditor’s needs a reason and a second approver)',
    tags: ['staff'],
    params: roleParams,
    body: revokeInput,
    handler: async ({ app, caller, params, body, reply }) => {
      const result = await revokeRoleGrant(app, caller, params.id, params.role, body);
      if ('approval' in result) reply.code(202);
      return result;
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/staff/:id/disable',
    access: 'staff:manage',
    summary:
      'Disable an account (an administrator’s needs a second approver); accounts are never deleted',
    tags: ['staff'],
    params: idParams,
    body: reasonBody,
    handler: async ({ app, caller, params, body, reply }) => {
      const result = await disableStaff(app, caller, params.id, body);
      if ('approval' in result) reply.code(202);
      return result;
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/tokens',
    access: 'token:manage',
    summary: 'API tokens (never the token text), and the permissions a token may name, in words',
    tags: ['staff'],
    handler: async ({ app, caller }) => ({
      items: await listApiTokens(app, caller),
      permissions: (Object.keys(app.permissions) as Permission[]).map((p) => ({
        permission: p,
        en: app.permissions[p].en,
        es: app.permissions[p].es,
      })),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/tokens',
    access: 'token:manage',
    summary: 'Create an API token (shown once)',
    tags: ['staff'],
    body: apiTokenInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return createApiToken(app, caller, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/tokens/:id/revoke',
    access: 'token:manage',
    summary: 'Revoke an API token (the reason, if given, is kept in the audit log)',
    tags: ['staff'],
    params: idParams,
    body: tokenRevokeInput,
    handler: async ({ app, caller, params, body }) =>
      revokeApiToken(app, caller, params.id, body.reason),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/approvals',
    access: 'approval:read',
    summary:
      'Four-eyes requests, with requester and decider by name, whether each is your own, and what it would do',
    tags: ['approvals'],
    query: z
      .object({
        status: z.enum(['pending', 'approved', 'rejected', 'expired', 'failed']).optional(),
      })
      .strict(),
    handler: async ({ app, caller, query }) => ({
      items: await viewApprovals(app, caller, await listApprovals(app, caller, query.status)),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/approvals/:id',
    access: 'signed-in',
    summary: 'One four-eyes request (its requester, or an approver)',
    tags: ['approvals'],
    params: idParams,
    handler: async ({ app, caller, params }) =>
      (await viewApprovals(app, caller, [await getApproval(app, caller, params.id)]))[0],
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/approvals/:id/decision',
    access: 'approval:decide',
    summary: 'Approve or reject a request made by someone else',
    tags: ['approvals'],
    params: idParams,
    body: decisionInput,
    handler: async ({ app, caller, params, body }) =>
      (await viewApprovals(app, caller, [await decideApproval(app, caller, params.id, body)]))[0],
  }),
];
