// The HTTP server: thin routes over the domain services. Every route is declared with the
// permission it needs; a route registered any other way makes the server refuse to start.
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { anonymousActor, can, type Actor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { requestBodyBytesMax } from '../shared/limits';
import { isPurpose } from '../shared/purposes';
import { safeEqual } from '../shared/safe-equal';
import { parseInput } from '../shared/validate';
import { errorBody, errorHandler, type ErrorTranslator } from './errors';
import { parseJsonBody } from './json-body';
import type { RouteDefinition } from './route';

/** The session cookie's name. */
export const sessionCookie = 'tessera_session';

/** The cardholder portal's session cookie: another name, another table, no staff permission. */
export const cardholderCookie = 'tessera_me';

/** Routes that plugins add (documentation), public by explicit decision. */
const pluginRoutes = [/^\/docs(\/|$)/, /^\/openapi\.json$/];

/** A signed-in staff session, as the gate needs it. */
export interface RequestSession {
  sessionId: string;
  staffId: string;
  /** 'password': the second factor is still to be enrolled or given. */
  stage: 'password' | 'full';
  csrfToken: string;
  mustChangePassword: boolean;
  actor: Actor;
}

/** A cardholder signed in to their own portal: the person, never a staff member. */
export interface CardholderSession {
  sessionId: string;
  personId: string;
  csrfToken: string;
  /** An actor with no permission anywhere (kind `cardholder`). */
  actor: Actor;
}

/** Resolves who is calling from a bearer token or a session cookie (the auth domain does). */
export interface Authenticator {
  resolveBearer(app: AppContext, token: string): Promise<Actor | null>;
  resolveSession(app: AppContext, token: string): Promise<RequestSession | null>;
  /** The cardholder portal's sessions (the portal domain provides it). */
  resolveCardholder?(app: AppContext, token: string): Promise<CardholderSession | null>;
}

/** Options for building the server. */
export interface ServerOptions {
  routes: readonly RouteDefinition[];
  /** Without one, only public routes can be called. */
  authenticator?: Authenticator;
  /** Domain error types turned into responses, tried before the generic mapping. */
  errorTranslators?: readonly ErrorTranslator[];
  /** Log requests (off in tests). */
  logger?: boolean;
  /** Where the log goes (standard output without one); giving one turns logging on. */
  logStream?: { write(line: string): void };
  /**
   * Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or CIDR
   * ranges). Without any, no forwarded header is trusted: the client is the peer address.
   */
  trustedProxies?: readonly string[];
  /**
   * Mark cookies Secure on every response. Defaults to on when trusted proxies are named (the
   * proxy terminates TLS); cookies are Secure anyway on a request that arrived over TLS.
   */
  secureCookies?: boolean;
  /** Scales every rate limit (tests sign in many staff from one address). */
  rateLimitMultiplier?: number;
  /** Extra setup before routes (static web app). */
  setup?: (server: FastifyInstance) => Promise<void>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteDefinition['access'];
  }
  interface FastifyRequest {
    session?: RequestSession;
    /** On `cardholder` routes: the person signed in to their portal. */
    cardholder?: CardholderSession;
    /** Whether cookies set in the answer must be Secure (TLS here or at a trusted proxy). */
    secureCookies: boolean;
  }
}

function jsonSchema(schema: z.ZodType | undefined): Record<string, unknown> | undefined {
  if (!schema) return undefined;
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    unrepresentable: 'any',
    io: 'input',
  }) as Record<string, unknown>;
  return rest;
}

async function authenticate(
  app: AppContext,
  authenticator: Authenticator | undefined,
  request: FastifyRequest,
): Promise<{ actor: Actor; session?: RequestSession } | null> {
  if (!authenticator) return null;
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const actor = await authenticator.resolveBearer(app, header.slice(7).trim());
    return actor ? { actor } : null;
  }
  const token = request.cookies[sessionCookie];
  if (!token) return null;
  const session = await authenticator.resolveSession(app, token);
  return session ? { actor: session.actor, session } : null;
}

/** Works out who is calling and refuses whoever may not: the one gate every route passes. */
async function gate(
  app: AppContext,
  authenticator: Authenticator | undefined,
  def: RouteDefinition,
  request: FastifyRequest,
): Promise<Caller> {
  const origin = request.ip;
  if (def.access === 'public') return { actor: anonymousActor, origin };
  if (def.access === 'cardholder') return cardholderGate(app, authenticator, request);
  const who = await authenticate(app, authenticator, request);
  if (!who) throw new DomainError('UNAUTHENTICATED', 'Sign in first (or send a valid API token).');
  if (who.session) {
    request.session = who.session;
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
    const sent = request.headers['x-csrf-token'];
    if (unsafe && (typeof sent !== 'string' || !safeEqual(sent, who.session.csrfToken))) {
      throw new DomainError(
        'CSRF_FAILED',
        'Missing or wrong X-CSRF-Token header for this session.',
      );
    }
    if (def.access !== 'half-signed-in') {
      if (who.session.stage !== 'full')
        throw new DomainError(
          'SECOND_FACTOR_REQUIRED',
          'Enrol and confirm your second factor first.',
        );
      if (who.session.mustChangePassword)
        throw new DomainError('FORBIDDEN', 'Change your one-time password first.');
    }
  } else if (def.access === 'half-signed-in') {
    throw new DomainError(
      'FORBIDDEN',
      'This route is for signed-in staff sessions, not API tokens.',
    );
  }
  if (
    def.access !== 'signed-in' &&
    def.access !== 'half-signed-in' &&
    !can(who.actor, def.access)
  ) {
    throw new DomainError('FORBIDDEN', `This action needs the permission ${def.access}.`);
  }
  const purposeHeader = request.headers['x-purpose'];
  // A token's point of service is what it claims, not where the request came from: both are
  // recorded, so that a token used away from its point shows in the audit log.
  const caller: Caller = {
    actor: who.actor,
    origin: who.actor.pointId ? `point:${who.actor.pointId} via ${origin}` : origin,
  };
  if (purposeHeader !== undefined) {
    if (typeof purposeHeader !== 'string' || !isPurpose(purposeHeader))
      throw new DomainError(
        'VALIDATION_FAILED',
        `X-Purpose: unknown purpose "${String(purposeHeader)}"`,
        'X-Purpose',
      );
    caller.purpose = purposeHeader;
  }
  if (def.readsPersonalData && !caller.purpose) {
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'Reading personal data needs a declared purpose (header X-Purpose), such as enrolment or service_delivery.',
      'X-Purpose',
    );
  }
  return caller;
}

/**
 * The gate of a cardholder route: only the portal's own cookie counts (a staff cookie or an
 * API token is never read here, so a staff session cannot act as a cardholder), and an unsafe
 * method needs the portal session's CSRF token.
 */
async function cardholderGate(
  app: AppContext,
  authenticator: Authenticator | undefined,
  request: FastifyRequest,
): Promise<Caller> {
  const token = request.cookies[cardholderCookie];
  const session =
    token && authenticator?.resolveCardholder
      ? await authenticator.resolveCardholder(app, token)
      : null;
  if (!session) throw new DomainError('UNAUTHENTICATED', 'Sign in to your portal first (/me).');
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
  const sent = request.headers['x-csrf-token'];
  if (unsafe && (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)))
    throw new DomainError('CSRF_FAILED', 'Missing or wrong X-CSRF-Token header for this session.');
  request.cardholder = session;
  return { actor: session.actor, purpose: 'subject_access', origin: request.ip };
}

function register(
  server: FastifyInstance,
  app: AppContext,
  def: RouteDefinition,
  options: ServerOptions,
): void {
  const rateLimitMultiplier = options.rateLimitMultiplier ?? 1;
  const schema: Record<string, unknown> = { summary: def.summary, tags: def.tags };
  if (def.body) schema.body = jsonSchema(def.body);
  if (def.query) schema.querystring = jsonSchema(def.query);
  if (def.params) schema.params = jsonSchema(def.params);
  if (def.access === 'cardholder') schema.security = [{ cardholder: [] }];
  else if (def.access !== 'public') schema.security = [{ session: [] }, { token: [] }];
  if (def.readsPersonalData)
    schema.headers = {
      type: 'object',
      properties: { 'x-purpose': { type: 'string', description: 'Declared purpose of this read' } },
      required: ['x-purpose'],
    };
  server.route({
    method: def.method,
    url: def.url,
    schema,
    config: {
      access: def.access,
      ...(def.rateLimitPerMinute
        ? {
            rateLimit: {
              max: Math.max(1, Math.ceil(def.rateLimitPerMinute * rateLimitMultiplier)),
              timeWindow: '1 minute',
            },
          }
        : {}),
    },
    ...(def.rawBody ? { bodyLimit: def.rawBody.bytesMax } : {}),
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const caller = await gate(app, options.authenticator, def, request);
      if (def.rawBody) {
        const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
        if (!def.rawBody.contentTypes.includes(type))
          throw new DomainError(
            'UNSUPPORTED_MEDIA_TYPE',
            `Send the file as ${def.rawBody.contentTypes.join(' or ')}.`,
            'content-type',
          );
      }
      const params = def.params ? parseInput(def.params, request.params, 'params') : undefined;
      const query = def.query ? parseInput(def.query, request.query, 'query') : undefined;
      const body = def.body ? parseInput(def.body, request.body ?? {}) : request.body;
      const result = await def.handler({ app, caller, body, query, params, request, reply });
      if (reply.sent) return reply;
      return result ?? { ok: true };
    },
  });
}

/**
 * A request as the log shows it: the route pattern, never the path or query it was called
 * with (those carry names and registry numbers).
 */
function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: request.routeOptions?.url ?? '(no route)',
    remoteAddress: request.ip,
  };
}

/** The 404 answer for a path that names nothing. */
function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply
    .status(404)
    .send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`));
}

/** Whether a URL's path has a `..` segment, once percent-decoded (or cannot be decoded). */
function climbsUp(url: string): boolean {
  const path = url.split('?')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return path.includes('..');
  }
  return /(^|[/\\])\.\.([/\\]|$)/.test(decoded);
}

/** Builds the server over an application context. */
export async function buildServer(
  app: AppContext,
  options: ServerOptions,
): Promise<FastifyInstance> {
  const trustedProxies = [...(options.trustedProxies ?? [])];
  const server = Fastify({
    logger:
      options.logger || options.logStream
        ? {
            level: 'info',
            ...(options.logStream ? { stream: options.logStream } : {}),
            serializers: { req: requestForLog },
            redact: [
              'req.headers.cookie',
              'req.headers.authorization',
              'req.headers["x-csrf-token"]',
            ],
          }
        : false,
    bodyLimit: requestBodyBytesMax,
    // A path that cannot be percent-decoded: the standard error body, not Fastify's.
    frameworkErrors: (_error, _request, reply) =>
      void (reply as unknown as FastifyReply)
        .status(400)
        .send(errorBody('BAD_REQUEST', 'The request URL is malformed.')),
    trustProxy: trustedProxies.length > 0 ? trustedProxies : false,
  });
  const alwaysSecure = options.secureCookies ?? trustedProxies.length > 0;
  server.decorateRequest('secureCookies', {
    getter(this: FastifyRequest) {
      return alwaysSecure || this.protocol === 'https';
    },
  });
  server.setValidatorCompiler(() => () => true);
  server.setErrorHandler(errorHandler(options.errorTranslators ?? []));
  server.setNotFoundHandler(notFound);
  // No route has a `..` segment: refuse one (however encoded) before any route, so that the
  // documentation's static files are never asked for a file outside their folder.
  server.addHook('onRequest', async (request, reply) => {
    if (climbsUp(request.url)) return notFound(request, reply);
  });
  // Answers that may carry personal data are never stored by a browser or a proxy: every
  // answer of a route that is not public, and every /api/ answer (errors, 404s, sign-in)
  // unless a public route set its own caching (the trust and revocation lists).
  server.addHook('onSend', async (request, reply, payload) => {
    const access = request.routeOptions.config?.access;
    const guarded = access !== undefined && access !== 'public';
    const underApi = request.url.startsWith('/api/') || request.url === '/api';
    if (guarded || (underApi && !reply.hasHeader('cache-control')))
      reply.header('cache-control', 'no-store');
    return payload;
  });
  // Deny by default: a route with no declared access must not exist.
  server.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (route.config?.access === undefined && !pluginRoutes.some((p) => p.test(url))) {
      throw new Error(
        `route ${String(route.method)} ${url} declares no permission; register it with defineRoute()`,
      );
    }
  });
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  for (const type of [
    'text/csv',
    'application/x-ndjson',
    'application/jsonl',
    'application/xml',
    'text/xml',
  ]) {
    server.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
  }
  await server.register(cookie);
  // Security headers (helmet), built once: @fastify/helmet rebuilt the middleware (parsing the
  // CSP directives again) on every request, 5% of the server's CPU at a point-of-service rush.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'", 'blob:'],
      },
    },
  });
  server.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
  await server.register(rateLimit, {
    global: true,
    max: Math.max(1, Math.ceil(600 * (options.rateLimitMultiplier ?? 1))),
    timeWindow: '1 minute',
    errorResponseBuilder: () =>
      new DomainError('RATE_LIMITED', 'Too many requests; slow down and try again shortly.'),
  });
  await server.register(swagger, {
    openapi: {
      info: {
        title: 'Tessera API',
        version: '0.1.0',
        description:
          'Registry, cards and benefits — built so it cannot become an instrument of political control.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: sessionCookie },
          cardholder: { type: 'apiKey', in: 'cookie', name: cardholderCookie },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await server.register(swaggerUi, { routePrefix: '/docs' });
  server.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    server.swagger(),
  );
  if (options.setup) await options.setup(server);
  for (const def of options.routes) register(server, app, def, options);
  return server;
}
