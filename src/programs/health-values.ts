// Health attributes are sealed at rest (AES-256-GCM), so the database cannot read them. A
// medicine programme whose rule names one opens them for the length of one transaction:
// they are decrypted into a temporary table that only this connection sees, the compiled
// rule joins it, and the table is dropped before the transaction ends. The read is allowed
// only under the health_eligibility purpose, and every person whose health data was opened
// sees it in their access report.
import { sql } from 'kysely';
import type { Engine, Queryable } from '../db';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { allowsHealthAttributes } from '../shared/purposes';
import { unseal } from '../shared/sealed';

const pageRows = 5000;

/** Refuses a health read without the health_eligibility purpose. */
export function requireHealthPurpose(caller: Caller): void {
  if (!caller.purpose || !allowsHealthAttributes(caller.purpose))
    throw new DomainError(
      'PURPOSE_NOT_ALLOWED',
      'This rule reads health attributes: declare the purpose health_eligibility.',
      'purpose',
    );
}

/**
 * Decrypts the health attributes of the active persons of `regions` into the temporary table
 * `rule_health_values`; returns how many were opened. Call `dropHealthValues` before commit.
 */
export async function openHealthValues(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  engine: Engine,
  regions: readonly string[],
  why: Record<string, unknown>,
): Promise<number> {
  requireHealthPurpose(caller);
  await sql`drop table if exists rule_health_values`.execute(trx);
  await (
    engine === 'postgres'
      ? sql`create temporary table rule_health_values (person_id text primary key, attributes text not null) on commit drop`
      : sql`create temp table rule_health_values (person_id text primary key, attributes text not null)`
  ).execute(trx);
  const opened: string[] = [];
  let after = '';
  for (;;) {
    const rows = await trx
      .selectFrom('persons')
      .select(['id', 'health_attributes'])
      .where('status', '=', 'active')
      .where('health_attributes', 'is not', null)
      .where('region_code', 'in', [...regions])
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageRows)
      .execute();
    if (rows.length === 0) break;
    const values = rows.map((r) => ({
      person_id: r.id,
      attributes: unseal(app.config.dataKey, r.health_attributes!),
    }));
    await sql`insert into rule_health_values (person_id, attributes) values ${sql.join(
      values.map((v) => sql`(${v.person_id}, ${v.attributes})`),
    )}`.execute(trx);
    opened.push(...rows.map((r) => r.id));
    after = rows[rows.length - 1]!.id;
  }
  await appendAudit(trx, app, caller, {
    operation: 'rule.health_read',
    permission: 'cycle:manage',
    subjectIds: opened,
    details: { ...why, persons: opened.length },
  });
  return opened.length;
}

/** Drops the decrypted values (PostgreSQL drops them at commit anyway). */
export async function dropHealthValues(trx: Queryable): Promise<void> {
  await sql`drop table if exists rule_health_values`.execute(trx);
}
