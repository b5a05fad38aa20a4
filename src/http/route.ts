// Every HTTP route is declared through defineRoute(): its permission, its schemas (used for
// validation and for the OpenAPI document), and a handler that only translates HTTP to a
// service call. A route without a permission cannot be registered (deny by default).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Permission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { id } from '../shared/schemas';

/**
 * Who may call a route: a permission, any signed-in staff member, anyone, or a cardholder
 * signed in to their own portal (`/api/v1/me/…`: never a staff session or token).
 */
export type RouteAccess = Permission | 'public' | 'signed-in' | 'half-signed-in' | 'cardholder';

/** What a handler receives. */
export interface RouteContext<B, Q, P> {
  app: AppContext;
  caller: Caller;
  body: B;
  query: Q;
  params: P;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A declared route. */
export interface RouteDefinition<B = unknown, Q = unknown, P = unknown> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  access: RouteAccess;
  summary: string;
  tags: string[];
  /** Reads personal data: a purpose header is required. */
  readsPersonalData?: boolean;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** Raw bodies (CSV, JSON Lines) instead of JSON, up to this many bytes. */
  rawBody?: { contentTypes: string[]; bytesMax: number };
  /** Rate-limit family: requests per minute per client. */
  rateLimitPerMinute?: number;
  handler: (ctx: RouteContext<B, Q, P>) => Promise<unknown>;
}

/** Declares a route (typed). */
export function defineRoute<B = undefined, Q = undefined, P = undefined>(
  def: RouteDefinition<B, Q, P>,
): RouteDefinition {
  return def as unknown as RouteDefinition;
}

/** Route params with an id. */
export const idParams = z.object({ id }).strict();
