// The rule grammar, by recursive descent: one function per level of precedence, from `or`
// (loosest) to a primary value (tightest). Syntax errors name what would have been accepted.
import type { ArithmeticOperator, CompareOperator, ListItem, ParsedRule, RuleNode } from './ast';
import { maxListItems, maxRuleNodes } from './limits';
import { tokenize, type Keyword, type Punctuation, type Token } from './lexer';
import { listWithOr, problemAt, RuleError, type Span } from './problems';

const compareOperators: readonly string[] = ['=', '!=', '<', '<=', '>', '>='];
const valueStarts = [
  'a number',
  'a string',
  '`true`',
  '`false`',
  'a name',
  '`(`',
  '`count(...)`',
  '`in_programme(...)`',
];

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the rule';
    case 'string':
      return 'a string';
    case 'integer':
      return `\`${token.value}\``;
    default:
      return `\`${token.value}\``;
  }
}

function join(a: Span, b: Span): Span {
  return { offset: a.offset, length: b.offset + b.length - a.offset };
}

class Parser {
  private at = 0;
  private nodes = 0;
  /** True when the last comparison parsed had no operator, so one could still follow. */
  private openComparison = false;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private get token(): Token {
    return this.tokens[this.at]!;
  }

  private next(): Token {
    const t = this.token;
    if (t.kind !== 'end') this.at++;
    return t;
  }

  private isKeyword(word: Keyword): boolean {
    return this.token.kind === 'keyword' && this.token.value === word;
  }

  private isSymbol(symbol: Punctuation): boolean {
    return this.token.kind === 'symbol' && this.token.value === symbol;
  }

  private fail(expected: string[], extra = ''): never {
    const t = this.token;
    throw new RuleError([
      problemAt(
        this.text,
        t,
        'RULE_SYNTAX',
        `expected ${listWithOr(expected)}, found ${describe(t)}${extra}`,
        { expected },
      ),
    ]);
  }

  private expectSymbol(symbol: Punctuation, expected = `\`${symbol}\``): Token {
    if (!this.isSymbol(symbol)) this.fail([expected]);
    return this.next();
  }

  /** Counts a node against the limit, and returns it. */
  private node(node: RuleNode): RuleNode {
    if (++this.nodes > maxRuleNodes)
      throw new RuleError([
        problemAt(
          this.text,
          node.span,
          'RULE_TOO_LARGE',
          `the rule has more than ${maxRuleNodes} parts; split it or simplify it`,
        ),
      ]);
    return node;
  }

  rule(): RuleNode {
    const root = this.or();
    if (this.token.kind !== 'end') this.failAfterExpression('the end of the rule');
    return root;
  }

  private failAfterExpression(closer: string): never {
    const expected = this.openComparison
      ? ['a comparison operator', '`and`', '`or`', closer]
      : ['`and`', '`or`', closer];
    const chained =
      !this.openComparison &&
      this.token.kind === 'symbol' &&
      compareOperators.includes(this.token.value)
        ? '; comparisons do not chain: join two comparisons with `and`'
        : '';
    return this.fail(expected, chained);
  }

  private or(): RuleNode {
    let left = this.and();
    while (this.isKeyword('or')) {
      this.next();
      const right = this.and();
      left = this.node({ kind: 'logic', op: 'or', left, right, span: join(left.span, right.span) });
    }
    return left;
  }

  private and(): RuleNode {
    let left = this.not();
    while (this.isKeyword('and')) {
      this.next();
      const right = this.not();
      left = this.node({
        kind: 'logic',
        op: 'and',
        left,
        right,
        span: join(left.span, right.span),
      });
    }
    return left;
  }

  private not(): RuleNode {
    if (this.isKeyword('not')) {
      const start = this.next();
      const operand = this.not();
      return this.node({ kind: 'not', operand, span: join(start, operand.span) });
    }
    return this.compare();
  }

  private compare(): RuleNode {
    const left = this.sum();
    const t = this.token;
    if (t.kind === 'symbol' && compareOperators.includes(t.value)) {
      this.next();
      const right = this.sum();
      this.openComparison = false;
      return this.node({
        kind: 'compare',
        op: t.value as CompareOperator,
        opSpan: t,
        left,
        right,
        span: join(left.span, right.span),
      });
    }
    let negated = false;
    if (this.isKeyword('not')) {
      this.next();
      negated = true;
      if (!this.isKeyword('in')) this.fail(['`in` after `not`']);
    }
    if (this.isKeyword('in')) {
      this.next();
      const { items, span } = this.list();
      this.openComparison = false;
      return this.node({ kind: 'in', negated, operand: left, items, span: join(left.span, span) });
    }
    this.openComparison = true;
    return left;
  }

  private sum(): RuleNode {
    let left = this.product();
    for (;;) {
      const t = this.token;
      if (t.kind !== 'symbol' || (t.value !== '+' && t.value !== '-')) return left;
      const op: ArithmeticOperator = t.value;
      this.next();
      const right = this.product();
      left = this.node({ kind: 'arithmetic', op, left, right, span: join(left.span, right.span) });
    }
  }

  private product(): RuleNode {
    let left = this.unary();
    while (this.isSymbol('*')) {
      this.next();
      const right = this.unary();
      left = this.node({
        kind: 'arithmetic',
        op: '*',
        left,
        right,
        span: join(left.span, right.span),
      });
    }
    return left;
  }

  private unary(): RuleNode {
    if (this.isSymbol('-')) {
      const start = this.next();
      const operand = this.unary();
      return this.node({ kind: 'negate', operand, span: join(start, operand.span) });
    }
    return this.primary();
  }

  private primary(): RuleNode {
    const t = this.token;
    switch (t.kind) {
      case 'integer':
        this.next();
        return this.node({ kind: 'integer', value: t.value, span: t });
      case 'string':
        this.next();
        return this.node({ kind: 'string', value: t.value, span: t });
      case 'name':
        this.next();
        return this.node({ kind: 'name', name: t.value, span: t });
      case 'keyword':
        if (t.value === 'true' || t.value === 'false') {
          this.next();
          return this.node({ kind: 'boolean', value: t.value === 'true', span: t });
        }
        if (t.value === 'count') return this.count();
        if (t.value === 'in_programme') return this.inProgramme();
        break;
      case 'symbol':
        if (t.value === '(') {
          this.next();
          const inner = this.or();
          if (!this.isSymbol(')')) this.failAfterExpression('`)`');
          this.next();
          this.openComparison = false;
          return inner;
        }
        break;
      case 'end':
        break;
    }
    return this.fail(valueStarts);
  }

  private count(): RuleNode {
    const start = this.next();
    this.expectSymbol('(', '`(` after `count`');
    const condition = this.or();
    if (!this.isSymbol(')')) this.failAfterExpression('`)`');
    const end = this.next();
    this.openComparison = false;
    return this.node({ kind: 'count', condition, span: join(start, end) });
  }

  private inProgramme(): RuleNode {
    const start = this.next();
    this.expectSymbol('(', '`(` after `in_programme`');
    const code = this.token;
    if (code.kind !== 'string') this.fail(['a programme code in double quotes']);
    this.next();
    const end = this.expectSymbol(')');
    return this.node({
      kind: 'in_programme',
      code: code.value,
      codeSpan: code,
      span: join(start, end),
    });
  }

  private literal(): ListItem {
    const t = this.token;
    if (t.kind === 'integer' || t.kind === 'string') {
      this.next();
      return { value: t.value, span: t };
    }
    if (t.kind === 'keyword' && (t.value === 'true' || t.value === 'false')) {
      this.next();
      return { value: t.value === 'true', span: t };
    }
    if (t.kind === 'symbol' && t.value === '-') {
      this.next();
      const n = this.token;
      if (n.kind !== 'integer') this.fail(['a number after `-`']);
      this.next();
      return { value: -n.value, span: join(t, n) };
    }
    return this.fail(
      ['a number', 'a string', '`true`', '`false`'],
      ' (a list holds only literal values)',
    );
  }

  private list(): { items: ListItem[]; span: Span } {
    const start = this.expectSymbol('[', '`[` to start a list');
    const items = [this.literal()];
    while (this.isSymbol(',')) {
      this.next();
      items.push(this.literal());
      if (items.length > maxListItems)
        throw new RuleError([
          problemAt(
            this.text,
            items[items.length - 1]!.span,
            'RULE_TOO_LARGE',
            `this list has more than ${maxListItems} items`,
          ),
        ]);
    }
    if (!this.isSymbol(']')) this.fail(['`,`', '`]`']);
    const end = this.next();
    return { items, span: join(start, end) };
  }
}

/** Parses rule text into its expression tree; throws RuleError (RULE_SYNTAX, RULE_TOO_LARGE). */
export function parseRule(text: string): ParsedRule {
  const parser = new Parser(text, tokenize(text));
  return { text, root: parser.rule() };
}
