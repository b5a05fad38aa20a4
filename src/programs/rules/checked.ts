// A rule after checking: every name resolved to what it reads, every node typed. This is
// what the SQL compiler and the in-memory evaluator both take, so they agree on meaning.
import type { ArithmeticOperator, CompareOperator, LiteralValue } from './ast';

/** The value types of the language (an enum attribute is a string). */
export type RuleValueType = 'integer' | 'boolean' | 'string' | 'date';

/** The facts about a person that every rule may read, besides declared attributes. */
export type PersonField = 'age' | 'sex' | 'region' | 'locality' | 'relationship';

/** A typed, resolved rule expression. */
export type CheckedExpr =
  | { readonly kind: 'literal'; readonly type: RuleValueType; readonly value: LiteralValue }
  | { readonly kind: 'field'; readonly type: RuleValueType; readonly field: PersonField }
  | { readonly kind: 'household_size'; readonly type: 'integer' }
  | {
      readonly kind: 'attribute';
      readonly type: RuleValueType;
      readonly name: string;
      /** Read from the run's decrypted health values instead of the person's attributes. */
      readonly health: boolean;
    }
  | { readonly kind: 'negate'; readonly type: 'integer'; readonly operand: CheckedExpr }
  | {
      readonly kind: 'arithmetic';
      readonly type: 'integer';
      readonly op: ArithmeticOperator;
      readonly left: CheckedExpr;
      readonly right: CheckedExpr;
    }
  | {
      readonly kind: 'compare';
      readonly type: 'boolean';
      readonly op: CompareOperator;
      /** The type of both operands. */
      readonly operandType: RuleValueType;
      readonly left: CheckedExpr;
      readonly right: CheckedExpr;
    }
  | {
      readonly kind: 'logic';
      readonly type: 'boolean';
      readonly op: 'and' | 'or';
      readonly left: CheckedExpr;
      readonly right: CheckedExpr;
    }
  | { readonly kind: 'not'; readonly type: 'boolean'; readonly operand: CheckedExpr }
  | {
      readonly kind: 'in';
      readonly type: 'boolean';
      readonly negated: boolean;
      readonly operand: CheckedExpr;
      readonly values: readonly LiteralValue[];
    }
  | {
      readonly kind: 'count';
      readonly type: 'integer';
      /** Position among the rule's counts, in order of appearance. */
      readonly index: number;
      readonly condition: CheckedExpr;
    }
  | {
      readonly kind: 'programme';
      readonly type: 'boolean';
      readonly code: string;
      /** The programme's latest frozen cycle, or null (then the call is false). */
      readonly cycleId: string | null;
    };

/** What a rule reads: shown to whoever approves it, and used to plan the query. */
export interface RuleUses {
  /** The rule reads `household_size` or `count(...)`. */
  household: boolean;
  /** Health attributes read (medicine programmes only), sorted. */
  health: string[];
  /** Programme codes of `in_programme(...)`, sorted. */
  programmes: string[];
  /** Declared non-health attributes read, sorted. */
  attributes: string[];
}

/** A rule that parsed and type-checked against an environment. */
export interface CheckedRule {
  readonly text: string;
  readonly root: CheckedExpr;
  readonly uses: RuleUses;
  /** Whether the rule reads `relationship` (anywhere, including inside `count`). */
  readonly usesRelationship: boolean;
}

/** A declared attribute as the checker sees it. */
export interface RuleAttribute {
  readonly type: 'string' | 'integer' | 'boolean' | 'date' | 'enum';
  readonly category: string;
  readonly enumValues?: readonly string[];
}

/** What a rule is checked against. */
export interface RuleEnvironment {
  /** Declared attributes by name. */
  readonly attributes: ReadonlyMap<string, RuleAttribute>;
  /** The kind of programme the rule is for; only medicine rules may read health attributes. */
  readonly programmeKind: 'basket' | 'cash' | 'quota' | 'medicine' | 'one_time';
  /** Programme code → id of its latest frozen cycle, or null when it has none. */
  readonly programmes: ReadonlyMap<string, string | null>;
  /** The ISO 3166-2 region codes of the deployment. */
  readonly regions: readonly string[];
}
