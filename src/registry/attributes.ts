// The closed attribute schema (principle 1): every custom attribute is declared before it
// can be stored, and no declaration, import or write can introduce a prohibited category.
import { z } from 'zod';
import type { Queryable } from '../db';
import { DomainError } from '../shared/errors';
import { textCharsMax } from '../shared/limits';
import { prohibitedCategoryOf, prohibitedTopicIn } from './prohibited';
import { readStoredJson, storedTextList } from '../shared/stored-json';

/** Categories an attribute may be declared in. Health is sealed at rest. */
export const allowedCategories = [
  'identity',
  'contact',
  'household',
  'socioeconomic',
  'education',
  'employment',
  'health',
  'programme',
  'administrative',
] as const;

/** Names that mean health data, which must be declared in the health category. */
const healthWords = [
  'disab',
  'discapacid',
  'diabet',
  'insulin',
  'hiv',
  'vih',
  'pregnan',
  'embaraz',
  'enfermedad',
  'illness',
  'disease',
  'diagnos',
  'medical',
  'medic',
  'chronic',
  'cronic',
];

/** A declared attribute. */
export interface AttributeDefinition {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date' | 'enum';
  category: string;
  description: string;
  enumValues: string[] | null;
}

/** A declaration request. */
export const attributeDeclarationInput = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]{1,62}$/, 'must be lower_snake_case, 2 to 63 characters'),
    type: z.enum(['string', 'integer', 'boolean', 'date', 'enum']),
    category: z.string().min(1).max(60),
    description: z.string().trim().min(3).max(textCharsMax),
    enumValues: z.array(z.string().min(1).max(100)).min(1).max(200).optional(),
  })
  .strict();
/** A declaration request, validated. */
export type AttributeDeclarationInput = z.output<typeof attributeDeclarationInput>;

/** Refuses an attribute name that reveals a prohibited category. */
export function assertNameAllowed(name: string, where: string): void {
  const topic = prohibitedTopicIn(name);
  if (topic) {
    throw new DomainError(
      'PROHIBITED_ATTRIBUTE',
      `"${name}" looks like ${topic.category.replace(/_/g, ' ')} data ("${topic.word}"). Tessera never stores political opinion, party membership or activity, voting or election participation, religion, trade-union membership, sexual life or social-media identities (principle 1).`,
      where,
      { category: topic.category },
    );
  }
}

/** Checks a declaration against principle 1 and the closed list of categories. */
export function checkDeclaration(input: AttributeDeclarationInput): void {
  const prohibited = prohibitedCategoryOf(input.category);
  if (prohibited) {
    throw new DomainError(
      'PROHIBITED_ATTRIBUTE',
      `Category "${input.category}" is ${prohibited.replace(/_/g, ' ')}, which Tessera never stores (principle 1): benefits must never depend on it.`,
      'category',
      { category: prohibited },
    );
  }
  assertNameAllowed(input.name, 'name');
  const inDescription = prohibitedTopicIn(input.description);
  if (inDescription) {
    throw new DomainError(
      'PROHIBITED_ATTRIBUTE',
      `The description mentions ${inDescription.category.replace(/_/g, ' ')} ("${inDescription.word}"), which Tessera never stores (principle 1).`,
      'description',
      { category: inDescription.category },
    );
  }
  if (!(allowedCategories as readonly string[]).includes(input.category)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `category must be one of: ${allowedCategories.join(', ')}`,
      'category',
    );
  }
  const healthLike = healthWords.some((w) => ` ${input.name.replace(/_/g, ' ')}`.includes(` ${w}`));
  if (healthLike && input.category !== 'health') {
    throw new DomainError(
      'VALIDATION_FAILED',
      `"${input.name}" is health data: declare it with category "health" so that it is sealed at rest and read only for a health purpose.`,
      'category',
    );
  }
  if (input.type === 'enum' && !input.enumValues) {
    throw new DomainError('VALIDATION_FAILED', 'an enum attribute needs enumValues', 'enumValues');
  }
}

/** Loads every active declaration, keyed by name. */
export async function loadDefinitions(db: Queryable): Promise<Map<string, AttributeDefinition>> {
  const rows = await db
    .selectFrom('attribute_definitions')
    .selectAll()
    .where('retired_at', 'is', null)
    .execute();
  return new Map(
    rows.map((r) => [
      r.name,
      {
        name: r.name,
        type: r.type,
        category: r.category,
        description: r.description,
        enumValues: r.enum_values
          ? readStoredJson(storedTextList, r.enum_values, `attribute ${r.name} enum_values`)
          : null,
      },
    ]),
  );
}

/** Coerces and checks one value against its declaration; CSV values arrive as text. */
function checkValue(
  def: AttributeDefinition,
  value: unknown,
  field: string,
): string | number | boolean | null {
  if (value === null || value === '') return null;
  const bad = (what: string) =>
    new DomainError('VALIDATION_FAILED', `${field}: must be ${what}`, field);
  switch (def.type) {
    case 'string':
      if (typeof value !== 'string') throw bad('text');
      return value;
    case 'integer': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw bad('a whole number');
      return n;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw bad('true or false');
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
        throw bad('a date YYYY-MM-DD');
      return value;
    case 'enum':
      if (typeof value !== 'string' || !def.enumValues?.includes(value))
        throw bad(`one of ${def.enumValues?.join(', ')}`);
      return value;
  }
}

/**
 * Splits attribute values into plain and health, refusing prohibited names first (even when
 * undeclared), then undeclared names, then values of the wrong type.
 */
export function checkAttributes(
  definitions: Map<string, AttributeDefinition>,
  values: Record<string, unknown>,
  fieldPrefix = 'attributes',
): { plain: Record<string, unknown>; health: Record<string, unknown> } {
  const plain: Record<string, unknown> = {};
  const health: Record<string, unknown> = {};
  for (const name of Object.keys(values)) assertNameAllowed(name, `${fieldPrefix}.${name}`);
  for (const [name, value] of Object.entries(values)) {
    const def = definitions.get(name);
    const field = `${fieldPrefix}.${name}`;
    if (!def) {
      throw new DomainError(
        'UNDECLARED_ATTRIBUTE',
        `Attribute "${name}" is not declared. Declare it (name, type, category) before storing it.`,
        field,
      );
    }
    const checked = checkValue(def, value, field);
    if (checked === null) continue;
    (def.category === 'health' ? health : plain)[name] = checked;
  }
  return { plain, health };
}
