// What a name in a rule may mean, and the refusals that come before any lookup: a card
// (principle 2) or a prohibited topic (principle 1) is refused even when nobody declared it.
// Built-in names are facts every registry record has; anything else is a declared attribute.
import { prohibitedTopicIn, relationships } from '../../registry';
import { namesACard } from './card-gate';
import type { PersonField, RuleValueType } from './checked';

/** A built-in name: a person field, or the household's size. */
export type BuiltinName =
  | { readonly kind: 'field'; readonly field: PersonField; readonly type: RuleValueType }
  | { readonly kind: 'household_size'; readonly type: 'integer' };

/** The built-in names of the language. */
export const builtinNames: ReadonlyMap<string, BuiltinName> = new Map<string, BuiltinName>([
  ['age', { kind: 'field', field: 'age', type: 'integer' }],
  ['sex', { kind: 'field', field: 'sex', type: 'string' }],
  ['region', { kind: 'field', field: 'region', type: 'string' }],
  ['locality', { kind: 'field', field: 'locality', type: 'string' }],
  ['relationship', { kind: 'field', field: 'relationship', type: 'string' }],
  ['household_size', { kind: 'household_size', type: 'integer' }],
]);

/** The recorded values of `sex`. */
export const sexValues: readonly string[] = ['F', 'M', 'X'];
/** The values of `relationship`. */
export const relationshipValues: readonly string[] = relationships;

/** Why a name may not appear in any rule, or null when it may. */
export function refusalOf(
  name: string,
): { code: 'RULE_CARD_GATE' | 'RULE_PROHIBITED'; message: string } | null {
  if (namesACard(name))
    return {
      code: 'RULE_CARD_GATE',
      message: `\`${name}\` refers to identity cards: eligibility may never depend on having or using a card (principle 2)`,
    };
  const topic = prohibitedTopicIn(name);
  if (topic)
    return {
      code: 'RULE_PROHIBITED',
      message: `\`${name}\` refers to ${topic.category.replace(/_/g, ' ')} (the word "${topic.word}"): eligibility may never depend on it (principle 1)`,
    };
  return null;
}
