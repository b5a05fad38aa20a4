// The module list: the one place that knows every domain. Migrations, the route table, the
// CLI, the permission matrix and the audit vocabulary are all built from it. To add a
// domain, give it a folder with an index.ts exporting its descriptor (see src/module.ts),
// and add it here.
import { authModule } from './auth';
import { credentialsModule } from './credentials';
import { joinMigrations } from './db';
import { dedupModule } from './dedup';
import { grievancesModule } from './grievances';
import { distributionModule } from './distribution';
import { infrastructureRoutes } from './http/routes';
import type { RouteDefinition } from './http/route';
import { ledgerModule } from './ledger';
import { noticesModule } from './notices';
import { portalModule } from './portal';
import type { DomainModule } from './module';
import { privacyModule } from './privacy';
import { programsModule } from './programs';
import { registryModule } from './registry';
import {
  buildPermissionMatrix,
  type Permission,
  type PermissionDeclaration,
} from './shared/access';
import type { AuditOperation, AuditOperationDescription } from './shared/audit-operations';

/**
 * Every domain, lower layers first: a domain may import only from those before it (privacy
 * audits for everyone; the registry sits on auth and privacy; notices (the outbox) need only
 * the registry's persons, so every domain above may tell a person of its events in the same
 * transaction; cards and duplicate screening sit on the registry; the ledger needs only
 * privacy and notices; programmes sit on the registry and the ledger; distribution sits on all
 * of them; grievances sit on distribution and programmes, which never see them; the cardholder
 * portal sits on top, reading each domain's own store for one person). The import-circle check
 * in test/architecture.test.ts holds this.
 */
export const modules = [
  privacyModule,
  authModule,
  registryModule,
  noticesModule,
  credentialsModule,
  dedupModule,
  ledgerModule,
  programsModule,
  distributionModule,
  grievancesModule,
  portalModule,
] as const satisfies readonly DomainModule[];

/** Every schema migration, by name. */
export const migrations = joinMigrations(modules.map((m) => m.migrations ?? {}));

/** Every permission, with its description and roles. */
export const permissions = {
  ...privacyModule.permissions,
  ...authModule.permissions,
  ...registryModule.permissions,
  ...credentialsModule.permissions,
  ...dedupModule.permissions,
  ...ledgerModule.permissions,
  ...noticesModule.permissions,
  ...programsModule.permissions,
  ...distributionModule.permissions,
  ...grievancesModule.permissions,
} satisfies Record<Permission, PermissionDeclaration>;

/** What each role may do. */
export const permissionMatrix = buildPermissionMatrix([permissions]);

/**
 * Every audit operation in plain words. `satisfies` makes this a compile-time check: an
 * operation that some domain declared but no description covers fails to type-check.
 */
export const auditOperations = {
  ...privacyModule.auditOperations,
  ...authModule.auditOperations,
  ...registryModule.auditOperations,
  ...credentialsModule.auditOperations,
  ...dedupModule.auditOperations,
  ...ledgerModule.auditOperations,
  ...noticesModule.auditOperations,
  ...programsModule.auditOperations,
  ...distributionModule.auditOperations,
  ...grievancesModule.auditOperations,
  ...portalModule.auditOperations,
} satisfies Record<AuditOperation, AuditOperationDescription>;

/** Every HTTP route: the server's own, then each domain's. */
export function allRoutes(): RouteDefinition[] {
  return [...infrastructureRoutes, ...modules.flatMap((m) => m.routes ?? [])];
}
