import { requirePermission } from '../shared/access';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import {
  checkDeclaration,
  loadDefinitions,
  type AttributeDeclarationInput,
  type AttributeDefinition,
} from './attributes';

/** Declares a custom attribute in the closed schema; prohibited categories are refused. */
export async function declareAttribute(
  app: AppContext,
  caller: Caller,
  input: AttributeDeclarationInput,
): Promise<AttributeDefinition> {
  requirePermission(caller.actor, 'attribute:declare');
  checkDeclaration(input);
  return app.db.transaction(async (trx) => {
    const existing = await trx
      .selectFrom('attribute_definitions')
      .select('name')
      .where('name', '=', input.name)
      .executeTakeFirst();
    if (existing)
      throw new DomainError(
        'ALREADY_EXISTS',
        `Attribute "${input.name}" is already declared.`,
        'name',
      );
    await trx
      .insertInto('attribute_definitions')
      .values({
        name: input.name,
        type: input.type,
        category: input.category,
        description: input.description,
        enum_values: input.enumValues ? JSON.stringify(input.enumValues) : null,
        created_at: app.now().toISOString(),
        created_by: caller.actor.id,
        retired_at: null,
      })
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'attribute.declare',
      permission: 'attribute:declare',
      details: { name: input.name, category: input.category, type: input.type },
    });
    return {
      name: input.name,
      type: input.type,
      category: input.category,
      description: input.description,
      enumValues: input.enumValues ?? null,
    };
  });
}

/** Lists declared attributes. */
export async function listAttributes(
  app: AppContext,
  caller: Caller,
): Promise<AttributeDefinition[]> {
  requirePermission(caller.actor, 'attribute:read');
  return [...(await loadDefinitions(app.db.kysely)).values()].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
}
