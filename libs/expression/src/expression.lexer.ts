import { ExpressionSyntaxError } from './expression-syntax.error';

export type Operator = '+' | '-' | '*' | '/' | '(' | ')' | ',' | '>' | '>=' | '<' | '<=' | '==' | '!=';
export type Keyword = 'and' | 'or' | 'not';

export type Token =
  | { kind: 'number'; value: number; position: number }
  | { kind: 'identifier'; name: string; position: number }
  | { kind: 'operator'; op: Operator; position: number }
  | { kind: 'keyword'; word: Keyword; position: number }
  | { kind: 'end'; position: number };

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>(['and', 'or', 'not']);
// Longest first, so '>=' is not read as '>' followed by '='.
const OPERATORS: readonly Operator[] = ['>=', '<=', '==', '!=', '+', '-', '*', '/', '(', ')', ',', '>', '<'];
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;
const IDENTIFIER_CHAR = /[A-Za-z0-9_]/;

/**
 * Splits an expression into tokens. Column names are bare identifiers (letters, digits, `_`, not
 * starting with a digit) or, for any other name (`origin:delay_7d`, `7d_mean`, `and`), quoted in
 * backticks.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (reason: string, position = i): never => {
    throw new ExpressionSyntaxError(reason, position, source);
  };
  while (i < source.length) {
    const rest = source.slice(i);
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      const end = i + number[0].length;
      if (end < source.length && IDENTIFIER_CHAR.test(source[end])) {
        const word = /^[A-Za-z0-9_]+/.exec(rest)?.[0] ?? number[0];
        fail(`"${word}" is not a number, and names cannot start with a digit; quote it as \`${word}\``);
      }
      tokens.push({ kind: 'number', value: Number(number[0]), position: i });
      i = end;
      continue;
    }
    const identifier = IDENTIFIER.exec(rest);
    if (identifier) {
      const word = identifier[0];
      tokens.push(
        KEYWORDS.has(word)
          ? { kind: 'keyword', word: word as Keyword, position: i }
          : { kind: 'identifier', name: word, position: i },
      );
      i += word.length;
      continue;
    }
    if (ch === '`') {
      const close = source.indexOf('`', i + 1);
      if (close < 0) fail('Unterminated quoted name: missing closing `');
      if (close === i + 1) fail('Empty quoted name ``');
      tokens.push({ kind: 'identifier', name: source.slice(i + 1, close), position: i });
      i = close + 1;
      continue;
    }
    const op = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (op) {
      tokens.push({ kind: 'operator', op, position: i });
      i += op.length;
      continue;
    }
    if (ch === '=') fail("Unexpected '='; use '==' to compare");
    if (ch === '!') fail("Unexpected '!'; use 'not' or '!='");
    if (ch === '&' || ch === '|') fail(`Unexpected '${ch}'; use 'and' / 'or'`);
    fail(`Unexpected character '${ch}'`);
  }
  tokens.push({ kind: 'end', position: source.length });
  return tokens;
}
