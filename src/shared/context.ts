import type { z } from 'zod';
import type { Database, Queryable } from '../db';
import type { Actor, Permission, PermissionDeclaration, PermissionMatrix } from './access';
import type { AuditOperation, AuditOperationDescription } from './audit-operations';
import type { IdGenerator } from './ids';
import type { Purpose } from './purposes';

/** Deployment settings every domain may read. */
export interface AppConfig {
  /** ISO 3166-2 region codes this deployment serves, with names. */
  regions: Readonly<Record<string, string>>;
  /** 32-byte key that seals health attributes and TOTP secrets at rest. */
  dataKey: Buffer;
  /** Small-cell threshold for statistics. */
  statsCellMin: number;
  /** What enrolment does with a likely duplicate: flag it for review (default) or refuse it. */
  dedupOnDuplicate?: 'flag' | 'refuse';
  /** Persons one staff member may be shown per sliding hour (0: no limit; default 2,000). */
  readLimitPerHour?: number;
  /** IANA time zone the console shows dates and times in (default America/Caracas). */
  timeZone?: string;
  /** Calling code of phone numbers written in national form, digits only (default 58). */
  phoneCountryCode?: string;
  /** Minor units one device may take from wallets offline per local day (default 0: off). */
  offlineWalletLimitPerDay?: bigint;
}

/**
 * Where a read that may be a moment old goes: the replica when one is configured, else the
 * primary — inside `within` when given, the transaction the caller holds (SQLite's one
 * connection cannot answer outside it meanwhile). Never for what decides a delivery, a
 * payment or a permission: a replica may not yet have the last commit. What such a read
 * writes (its audit entry) goes to the primary.
 */
export function staleReads(app: AppContext, within?: Queryable): Queryable {
  return app.readDb?.kysely ?? within ?? app.db.kysely;
}

/** A registry life event, as the domains that react to it see it. */
export interface LifeEventNotice {
  kind: string;
  personId: string;
  occurredOn: string;
}

/** Hooks other domains register to react to registry life events, inside the same transaction. */
export interface LifeEventHook {
  (trx: Queryable, event: LifeEventNotice, app: AppContext, caller: Caller): Promise<void>;
}

/**
 * What every operation receives: the database, the clock, id generation, configuration, and
 * what the module list assembled from every domain. Domains that provide a service to others
 * add it here by declaration merging (the interface a registry port, for instance, belongs to
 * the domain that calls it), and the module list connects it.
 */
export interface AppContext {
  db: Database;
  /**
   * A read replica, when TESSERA_DATABASE_READ_URL names one: only for reads that may be a
   * moment old (statistics, access reports). Read it through `staleReads(app)`; everything that
   * decides a delivery or a payment reads `db`, the primary.
   */
  readDb?: Database;
  config: AppConfig;
  now: () => Date;
  newId: IdGenerator;
  /** Every permission of every domain, with its description and roles. */
  permissions: Readonly<Record<Permission, PermissionDeclaration>>;
  /** What each role may do, from every domain's permissions. */
  permissionMatrix: PermissionMatrix;
  /** Every audit operation in plain words, from every domain. */
  auditOperations: Readonly<Record<AuditOperation, AuditOperationDescription>>;
  lifeEventHooks: LifeEventHook[];
  /** What runs when a four-eyes request is approved, by operation name. */
  approvalExecutors: Record<string, ApprovalExecutor>;
}

/** An approved four-eyes request as its executor receives it, the payload already parsed. */
export interface ApprovalRequest<P> {
  id: string;
  payload: P;
  requestedBy: string;
}

/**
 * What an approved request of one operation does. The approvals module stores payloads as
 * JSON and cannot know their shapes, so each executor declares its own: decideApproval parses
 * the stored payload with `payload` and refuses the request when it no longer fits.
 * Build one with `approvalExecutor`, which ties `run` to the schema's output type; `run` is a
 * method so that executors of different payloads can sit in one `approvalExecutors` record.
 */
export interface ApprovalExecutor<P = unknown> {
  /** The schema of the payload the request stored. */
  readonly payload: z.ZodType<P>;
  /** Runs the approved operation inside the approval's transaction; returns its result. */
  run(
    trx: Queryable,
    app: AppContext,
    request: ApprovalRequest<P>,
    decider: Caller,
  ): Promise<unknown>;
}

/** Pairs a payload schema with the executor that reads the parsed payload. */
export function approvalExecutor<P>(
  payload: z.ZodType<P>,
  run: ApprovalExecutor<P>['run'],
): ApprovalExecutor<P> {
  return { payload, run };
}

/** Who is calling an operation, why, and from where. */
export interface Caller {
  actor: Actor;
  purpose?: Purpose;
  /** Point of service, office, or client address. */
  origin?: string;
}
