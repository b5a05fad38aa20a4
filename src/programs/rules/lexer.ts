// Splits rule text into tokens. Hand-written so that every token knows exactly where it
// came from, and so that nothing in a rule is ever handed to a general-purpose evaluator.
import { maxRuleLength } from './limits';
import { problemAt, RuleError, type Span } from './problems';

/** The keywords, written in any case. */
export const keywords = [
  'and',
  'or',
  'not',
  'in',
  'true',
  'false',
  'count',
  'in_programme',
] as const;
/** A keyword. */
export type Keyword = (typeof keywords)[number];

/** The operator and punctuation tokens. */
export type Punctuation =
  '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '(' | ')' | '[' | ']' | ',';

/** One token of rule text. */
export type Token = (
  | { readonly kind: 'integer'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'name'; readonly value: string }
  | { readonly kind: 'keyword'; readonly value: Keyword }
  | { readonly kind: 'symbol'; readonly value: Punctuation }
  | { readonly kind: 'end' }
) &
  Span;

const symbols: readonly Punctuation[] = [
  '!=',
  '<=',
  '>=',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '(',
  ')',
  '[',
  ']',
  ',',
];
const keywordSet: ReadonlySet<string> = new Set(keywords);

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isWordChar(c: string): boolean {
  return /[A-Za-z0-9_]/.test(c);
}

function fail(text: string, span: Span, message: string, tooLarge = false): never {
  throw new RuleError([
    problemAt(text, span, tooLarge ? 'RULE_TOO_LARGE' : 'RULE_SYNTAX', message),
  ]);
}

function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return { value, end: i + 1 };
    if (c === '\n') break;
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '"' && next !== '\\')
        fail(
          text,
          { offset: i, length: next === undefined ? 1 : 2 },
          'in a string, `\\` may only be followed by `"` or `\\`',
        );
      value += next;
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  return fail(
    text,
    { offset: start, length: i - start },
    'this string is not closed: a string ends with `"` on the line where it starts',
  );
}

/** The tokens of a rule, ending with an `end` token; throws RuleError on a malformed one. */
export function tokenize(text: string): Token[] {
  if (text.length > maxRuleLength)
    fail(
      text,
      { offset: maxRuleLength, length: text.length - maxRuleLength },
      `the rule is ${text.length} characters long; a rule may have at most ${maxRuleLength}`,
      true,
    );
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ kind: 'string', value, offset: i, length: end - i });
      i = end;
    } else if (isDigit(c)) {
      let end = i;
      while (end < text.length && isWordChar(text[end]!)) end++;
      const word = text.slice(i, end);
      const span = { offset: i, length: end - i };
      if (!/^[0-9]+$/.test(word)) fail(text, span, `\`${word}\` is neither a number nor a name`);
      const value = Number(word);
      if (!Number.isSafeInteger(value))
        fail(
          text,
          span,
          `${word} is too large: integers may be at most ${Number.MAX_SAFE_INTEGER}`,
          true,
        );
      tokens.push({ kind: 'integer', value, ...span });
      i = end;
    } else if (isWordChar(c)) {
      let end = i;
      while (end < text.length && isWordChar(text[end]!)) end++;
      const word = text.slice(i, end);
      const span = { offset: i, length: end - i };
      const lower = word.toLowerCase();
      if (keywordSet.has(lower)) {
        tokens.push({ kind: 'keyword', value: lower as Keyword, ...span });
      } else {
        if (!/^[a-z][a-z0-9_]*$/.test(word))
          fail(
            text,
            span,
            `\`${word}\` is not a valid name: names are written in lower_snake_case, like \`${lower.replace(/^[_0-9]+/, '') || 'age'}\``,
          );
        tokens.push({ kind: 'name', value: word, ...span });
      }
      i = end;
    } else {
      const symbol = symbols.find((s) => text.startsWith(s, i));
      if (!symbol) {
        const ch = String.fromCodePoint(text.codePointAt(i)!);
        fail(
          text,
          { offset: i, length: ch.length },
          ch === '!'
            ? '`!` on its own means nothing here: write `!=` for "not equal", or `not`'
            : `unexpected character \`${ch}\``,
        );
      }
      tokens.push({ kind: 'symbol', value: symbol, offset: i, length: symbol.length });
      i += symbol.length;
    }
  }
  tokens.push({ kind: 'end', offset: text.length, length: 0 });
  return tokens;
}
