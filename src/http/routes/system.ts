import { sql } from 'kysely';
import { defineRoute } from '../route';

/** Health and metadata routes. */
export const systemRoutes = [
  defineRoute({
    method: 'GET',
    url: '/healthz',
    access: 'public',
    summary: 'Liveness and database reachability',
    tags: ['system'],
    handler: async ({ app }) => {
      await sql`select 1`.execute(app.db.kysely);
      return { status: 'ok', engine: app.db.engine };
    },
  }),
];
