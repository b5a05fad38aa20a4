// An API token for a client that calls a server in another process (test/support/
// server-process.ts), made the way the API makes one: a staff member with roles, who holds
// `token:manage` and makes themselves a token limited to the permissions the client needs.
// Written through the auth domain's own functions, straight into the database the server will
// open, so that the test does not have to sign in with a password and a TOTP code first.
import { createApiToken, insertGrant, insertStaff } from '../../src/auth';
import type { Database } from '../../src/db';
import { permissionMatrix } from '../../src/modules';
import {
  resolveGrants,
  systemActor,
  type Permission,
  type RoleGrant,
} from '../../src/shared/access';
import type { Caller } from '../../src/shared/context';
import { testApp } from './app';

/** What the token may do, and whose roles stand behind it. */
export interface TestTokenRequest {
  /** The owner's roles; the owner also gets `admin`, which holds `token:manage`. */
  grants: RoleGrant[];
  /** The only permissions the token may use (the owner must hold each). */
  permissions: Permission[];
  /** Regions of the token; national unless given. */
  regions?: string[] | '*';
  /** A point of service the token belongs to (for point-of-service clients). */
  pointId?: string;
  /** A name of 3 to 100 characters, shown in the token list. */
  name?: string;
}

let counter = 0;

/**
 * Creates a staff member with the grants (and `admin`) and a token they made themselves, on
 * `db`; returns the bearer token text and the owner's id. The clock is the real one, so that
 * the token has not expired for a server that runs on the real clock.
 */
export async function createTestApiToken(
  db: Database,
  request: TestTokenRequest,
): Promise<{ token: string; staffId: string }> {
  const app = testApp(db, new Date());
  const system: Caller = { actor: systemActor('test-token'), origin: 'test' };
  const grants: RoleGrant[] = [...request.grants, { role: 'admin', regions: '*' }];
  const username = `client${++counter}.${process.pid}`;
  const staffId = await db.transaction(async (trx) => {
    const made = await insertStaff(trx, app, system, { username, displayName: username });
    for (const g of grants) await insertGrant(trx, app, system, made.account.id, g.role, g.regions);
    return made.account.id;
  });
  const owner: Caller = {
    actor: {
      kind: 'staff',
      id: staffId,
      staffId,
      grants: resolveGrants(permissionMatrix, grants),
    },
    origin: 'test',
  };
  const { token } = await createApiToken(app, owner, {
    name: request.name ?? `test client ${counter}`,
    permissions: request.permissions,
    regions: request.regions ?? '*',
    ...(request.pointId !== undefined ? { pointId: request.pointId } : {}),
    expiresInDays: 1,
  });
  return { token, staffId };
}
