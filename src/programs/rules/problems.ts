// What a rule author is told when a rule is refused: a stable code the web console can
// translate, a plain English message, and exactly where in the text the problem is. Every
// stage (lexer, parser, checker) reports through here, so positions are computed one way.

/** The refusal codes of the rule language. */
export const ruleProblemCodes = [
  'RULE_SYNTAX',
  'RULE_TYPE',
  'RULE_VALUE',
  'RULE_UNKNOWN_NAME',
  'RULE_CARD_GATE',
  'RULE_PROHIBITED',
  'RULE_HEALTH_OUTSIDE_MEDICINE',
  'RULE_HEALTH_OF_OTHERS',
  'RULE_TOO_LARGE',
] as const;

/** A rule refusal code. */
export type RuleProblemCode = (typeof ruleProblemCodes)[number];

/** A stretch of the rule text: where a token or expression starts, and how long it is. */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

/** One thing wrong with a rule, with its 1-based line and column (UTF-16 units). */
export interface RuleProblem {
  code: RuleProblemCode;
  message: string;
  line: number;
  column: number;
  offset: number;
  length: number;
  /** For syntax errors: what the parser would have accepted here. */
  expected?: string[];
  /** For unknown names and values: the nearest known one. */
  suggestion?: string;
}

/** A rule refused: every problem found, first one first. */
export class RuleError extends Error {
  override readonly name = 'RuleError';
  constructor(readonly problems: RuleProblem[]) {
    super(problems.map((p) => p.message).join('\n'));
  }
}

/** Line and column (both 1-based) of an offset into text. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** Where a span is, in words: "line 2, column 5". */
export function placeOf(text: string, span: Span): string {
  const { line, column } = lineAndColumn(text, span.offset);
  return `line ${line}, column ${column}`;
}

/** Builds a problem at a span of text. */
export function problemAt(
  text: string,
  span: Span,
  code: RuleProblemCode,
  message: string,
  extra: { expected?: string[]; suggestion?: string } = {},
): RuleProblem {
  return {
    code,
    message,
    ...lineAndColumn(text, span.offset),
    offset: span.offset,
    length: span.length,
    ...extra,
  };
}

/** The source text of a span, shortened for a message. */
export function snippet(text: string, span: Span): string {
  const s = text.slice(span.offset, span.offset + span.length).replace(/\s+/g, ' ');
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** "a, b or c". */
export function listWithOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
