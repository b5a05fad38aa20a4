// The shape of a domain as the application sees it: one descriptor, exported from the
// domain's index.ts, lists everything the domain adds — its migrations, routes, commands,
// permissions, audit operations, and what it does when other domains act. `src/modules.ts`
// lists the domains; the migrations, route table, CLI and permission matrix are built from
// that list, so that adding a domain touches its own folder and that one list.
import type { Command } from 'commander';
import type { CliContext } from './cli/cli-context';
import type { MigrationStep } from './db';
import type { ErrorTranslator } from './http/errors';
import type { RouteDefinition } from './http/route';
import type { Authenticator } from './http/server';
import type { PermissionTable } from './shared/access';
import type { AuditOperationTable } from './shared/audit-operations';
import type { AppContext, ApprovalExecutor, Caller, LifeEventHook } from './shared/context';

/** A background job started with the server; resolves its stop function. */
export type StartJob = (app: AppContext, onError: (e: unknown) => void) => () => Promise<void>;

/** What `serve --demo` does for a domain on a database with nothing of it yet. */
export type LoadDemo = (app: AppContext, caller: Caller) => Promise<string[]>;

/** One domain, as the application wires it. */
export interface DomainModule {
  /** The domain's folder name. */
  name: string;
  /**
   * Schema migrations by name. Names are dated (`2026-11-29-01-registry`) and applied in name
   * order across every domain; an applied migration never changes its name or its steps.
   */
  migrations?: Readonly<Record<string, MigrationStep>>;
  routes?: readonly RouteDefinition[];
  /** Adds the domain's commands to the `tessera` program. */
  commands?: (program: Command, cli: CliContext) => void;
  permissions?: PermissionTable;
  auditOperations?: AuditOperationTable;
  /** Reactions to registry life events, run inside the transaction that records the event. */
  lifeEventHooks?: readonly LifeEventHook[];
  /** What an approved four-eyes request of this domain does, by operation. */
  approvalExecutors?: Readonly<Record<string, ApprovalExecutor>>;
  /** Connects services this domain provides to others (the ports they declare). */
  connect?: (app: AppContext) => void;
  /** Who is calling, from a session cookie or a bearer token (one domain provides it). */
  authenticator?: Authenticator;
  /** Who is calling a cardholder route, from the portal's cookie (one domain provides it). */
  cardholderAuthenticator?: Required<Pick<Authenticator, 'resolveCardholder'>>;
  /** Turns this domain's own error types into HTTP responses. */
  httpErrors?: ErrorTranslator;
  /**
   * Checks `tessera serve` runs before it loads anything or listens: each reads a key file
   * the domain needs (or will need) and throws on an unsafe one, naming it, so that the
   * server refuses to start rather than fail at first use.
   */
  startChecks?: readonly ((app: AppContext) => void)[];
  /** Background jobs that run with the server. */
  jobs?: readonly StartJob[];
  /** Demo data for `serve --demo`; returns lines to print (one-time credentials, counts). */
  loadDemo?: LoadDemo;
}

/** Declares a domain module; keeps its exact type, so that the module list can check it. */
export function defineModule<const M extends DomainModule>(module: M): M {
  return module;
}
