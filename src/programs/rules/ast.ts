// The shape of a parsed rule, before names are resolved and types checked. Every node keeps
// the span of text it came from, so that the checker can point at it.
import type { Span } from './problems';

/** Comparison operators. */
export type CompareOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
/** Integer arithmetic operators. */
export type ArithmeticOperator = '+' | '-' | '*';
/** A literal value of the language. */
export type LiteralValue = number | string | boolean;

/** A literal as written, with where it was written. */
export interface ListItem {
  readonly value: LiteralValue;
  readonly span: Span;
}

/** A parsed rule expression. */
export type RuleNode = (
  | { readonly kind: 'integer'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'negate'; readonly operand: RuleNode }
  | { readonly kind: 'not'; readonly operand: RuleNode }
  | {
      readonly kind: 'arithmetic';
      readonly op: ArithmeticOperator;
      readonly left: RuleNode;
      readonly right: RuleNode;
    }
  | {
      readonly kind: 'compare';
      readonly op: CompareOperator;
      readonly opSpan: Span;
      readonly left: RuleNode;
      readonly right: RuleNode;
    }
  | {
      readonly kind: 'logic';
      readonly op: 'and' | 'or';
      readonly left: RuleNode;
      readonly right: RuleNode;
    }
  | {
      readonly kind: 'in';
      readonly negated: boolean;
      readonly operand: RuleNode;
      readonly items: readonly ListItem[];
    }
  | { readonly kind: 'count'; readonly condition: RuleNode }
  | { readonly kind: 'in_programme'; readonly code: string; readonly codeSpan: Span }
) & { readonly span: Span };

/** A parsed rule: its text and its expression tree. */
export interface ParsedRule {
  readonly text: string;
  readonly root: RuleNode;
}
