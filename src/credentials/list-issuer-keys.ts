import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { presentKey } from './store';
import type { IssuerKeyInfo } from './store';

/** Every issuer key, newest first: public halves and life cycle, never private material. */
export async function listIssuerKeys(app: AppContext, caller: Caller): Promise<IssuerKeyInfo[]> {
  requirePermission(caller.actor, 'keys:manage');
  const rows = await app.db.kysely
    .selectFrom('issuer_keys')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute();
  return rows.map(presentKey);
}
