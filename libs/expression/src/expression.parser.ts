import { type Operator, type Token, tokenize } from './expression.lexer';
import { ExpressionSyntaxError } from './expression-syntax.error';

export type ComparisonOp = '>' | '>=' | '<' | '<=' | '==' | '!=';
export type BinaryOp = '+' | '-' | '*' | '/' | ComparisonOp | 'and' | 'or';
export type FunctionName = 'log' | 'log1p' | 'abs' | 'sqrt' | 'min' | 'max';

export type ExpressionNode =
  | { type: 'number'; value: number }
  | { type: 'variable'; name: string }
  | { type: 'unary'; op: '-' | 'not'; operand: ExpressionNode }
  | { type: 'binary'; op: BinaryOp; left: ExpressionNode; right: ExpressionNode }
  | { type: 'call'; fn: FunctionName; args: ExpressionNode[] };

/** Accepted argument counts per function. */
export const FUNCTION_ARITY: Record<FunctionName, { min: number; max: number }> = {
  log: { min: 1, max: 1 },
  log1p: { min: 1, max: 1 },
  abs: { min: 1, max: 1 },
  sqrt: { min: 1, max: 1 },
  min: { min: 1, max: Infinity },
  max: { min: 1, max: Infinity },
};

const COMPARISONS: ReadonlySet<Operator> = new Set<Operator>(['>', '>=', '<', '<=', '==', '!=']);
// Deeply nested input would otherwise exhaust the stack of this recursive parser.
const MAX_DEPTH = 64;

/**
 * Recursive-descent parser. Precedence, loosest first:
 *   or < and < not < comparison (not chainable) < + - < * / < unary - < call, (…)
 */
export function parseExpression(source: string): ExpressionNode {
  return new Parser(source).parse();
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parse(): ExpressionNode {
    if (this.peek().kind === 'end') throw this.error('Empty expression', this.peek());
    const node = this.or();
    const next = this.peek();
    if (next.kind !== 'end') throw this.error(`Unexpected ${describe(next)}; expected an operator or the end`, next);
    return node;
  }

  private or(): ExpressionNode {
    let left = this.and();
    while (this.acceptKeyword('or')) left = { type: 'binary', op: 'or', left, right: this.and() };
    return left;
  }

  private and(): ExpressionNode {
    let left = this.not();
    while (this.acceptKeyword('and')) left = { type: 'binary', op: 'and', left, right: this.not() };
    return left;
  }

  private not(): ExpressionNode {
    const token = this.peek();
    if (this.acceptKeyword('not')) return this.nested(token, () => ({ type: 'unary', op: 'not', operand: this.not() }));
    return this.comparison();
  }

  private comparison(): ExpressionNode {
    const left = this.additive();
    const token = this.peek();
    if (token.kind !== 'operator' || !COMPARISONS.has(token.op)) return left;
    this.index++;
    const node: ExpressionNode = { type: 'binary', op: token.op as ComparisonOp, left, right: this.additive() };
    const next = this.peek();
    if (next.kind === 'operator' && COMPARISONS.has(next.op)) {
      throw this.error("Comparisons cannot be chained; combine them with 'and'", next);
    }
    return node;
  }

  private additive(): ExpressionNode {
    let left = this.multiplicative();
    for (let op = this.acceptOperator('+', '-'); op; op = this.acceptOperator('+', '-')) {
      left = { type: 'binary', op: op as '+' | '-', left, right: this.multiplicative() };
    }
    return left;
  }

  private multiplicative(): ExpressionNode {
    let left = this.unary();
    for (let op = this.acceptOperator('*', '/'); op; op = this.acceptOperator('*', '/')) {
      left = { type: 'binary', op: op as '*' | '/', left, right: this.unary() };
    }
    return left;
  }

  private unary(): ExpressionNode {
    const token = this.peek();
    if (this.acceptOperator('-')) return this.nested(token, () => ({ type: 'unary', op: '-', operand: this.unary() }));
    return this.primary();
  }

  private primary(): ExpressionNode {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return { type: 'number', value: token.value };
      case 'identifier':
        return this.isOperator(this.peek(), '(') ? this.call(token) : { type: 'variable', name: token.name };
      case 'operator':
        if (token.op === '(') {
          const inner = this.nested(token, () => this.or());
          this.expectOperator(')', token);
          return inner;
        }
        throw this.error(`Unexpected ${describe(token)}; expected a number, a name or '('`, token);
      case 'keyword':
        throw this.error(`Unexpected ${describe(token)}; expected a number, a name or '('`, token);
      case 'end':
        throw this.error('Unexpected end of expression; expected a number, a name or \'(\'', token);
    }
  }

  private call(nameToken: Extract<Token, { kind: 'identifier' }>): ExpressionNode {
    const fn = nameToken.name;
    if (!Object.hasOwn(FUNCTION_ARITY, fn)) {
      throw this.error(`Unknown function '${fn}'; available: ${Object.keys(FUNCTION_ARITY).join(', ')}`, nameToken);
    }
    const open = this.next();
    const args: ExpressionNode[] = [];
    if (!this.isOperator(this.peek(), ')')) {
      do args.push(this.nested(open, () => this.or()));
      while (this.acceptOperator(','));
    }
    this.expectOperator(')', open);
    const arity = FUNCTION_ARITY[fn as FunctionName];
    if (args.length < arity.min || args.length > arity.max) {
      const expected = arity.max === arity.min ? `${arity.min}` : `at least ${arity.min}`;
      throw this.error(`${fn}() takes ${expected} argument(s), got ${args.length}`, nameToken);
    }
    return { type: 'call', fn: fn as FunctionName, args };
  }

  /** Runs a nested parse, refusing (at the token that opened it) to go deeper than MAX_DEPTH. */
  private nested<T>(opener: Token, parse: () => T): T {
    if (this.depth >= MAX_DEPTH) throw this.error(`Expression nested deeper than ${MAX_DEPTH} levels`, opener);
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private expectOperator(op: Operator, opener: Token): void {
    const token = this.peek();
    if (!this.isOperator(token, op)) {
      throw this.error(`Expected '${op}' to close '(' at position ${opener.position}, found ${describe(token)}`, token);
    }
    this.index++;
  }

  private acceptOperator(...ops: Operator[]): Operator | undefined {
    const token = this.peek();
    if (token.kind !== 'operator' || !ops.includes(token.op)) return undefined;
    this.index++;
    return token.op;
  }

  private acceptKeyword(word: string): boolean {
    const token = this.peek();
    if (token.kind !== 'keyword' || token.word !== word) return false;
    this.index++;
    return true;
  }

  private isOperator(token: Token, op: Operator): boolean {
    return token.kind === 'operator' && token.op === op;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private error(reason: string, token: Token): ExpressionSyntaxError {
    return new ExpressionSyntaxError(reason, token.position, this.source);
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'number':
      return `number ${token.value}`;
    case 'identifier':
      return `name '${token.name}'`;
    case 'operator':
      return `'${token.op}'`;
    case 'keyword':
      return `'${token.word}'`;
    case 'end':
      return 'end of expression';
  }
}
