import { type BinaryOp, type ExpressionNode, type FunctionName, parseExpression } from './expression.parser';

export type Row = Record<string, number | null | undefined>;

export interface CompiledExpression {
  /** Column names the expression reads, in order of first use. */
  variables: string[];
  evaluate(row: Row): number;
}

type Evaluator = (row: Row) => number;

/**
 * Compiles a label or transform expression (`delay > 15`, `log1p(distance) / 100`,
 * `` `origin:delay_mean_7d` - delay ``) into a function of one row. The same compiled expression
 * runs at training and at serving time, so a transform cannot drift between the two.
 *
 * Semantics: plain float64 arithmetic; comparisons and `and`/`or`/`not` yield 1 or 0 (any
 * non-zero value is true). Missing data is NaN and propagates: a missing or non-numeric variable
 * is NaN, and any NaN operand makes the result NaN — including comparisons, so a row whose label
 * input is missing gets a NaN label rather than a silent 0. Throws ExpressionError on bad syntax.
 */
export function compileExpression(source: string): CompiledExpression {
  const ast = parseExpression(source);
  const variables = new Set<string>();
  const evaluate = compileNode(ast, variables);
  return { variables: [...variables], evaluate };
}

function compileNode(node: ExpressionNode, variables: Set<string>): Evaluator {
  switch (node.type) {
    case 'number': {
      const { value } = node;
      return () => value;
    }
    case 'variable': {
      const { name } = node;
      variables.add(name);
      return (row) => {
        const value = Object.hasOwn(row, name) ? row[name] : undefined;
        return typeof value === 'number' ? value : NaN;
      };
    }
    case 'unary': {
      const operand = compileNode(node.operand, variables);
      return node.op === '-' ? (row) => -operand(row) : (row) => logical(operand(row), (x) => !x);
    }
    case 'binary':
      return binary(node.op, compileNode(node.left, variables), compileNode(node.right, variables));
    case 'call':
      return call(
        node.fn,
        node.args.map((arg) => compileNode(arg, variables)),
      );
  }
}

function binary(op: BinaryOp, left: Evaluator, right: Evaluator): Evaluator {
  switch (op) {
    case '+':
      return (row) => left(row) + right(row);
    case '-':
      return (row) => left(row) - right(row);
    case '*':
      return (row) => left(row) * right(row);
    case '/':
      return (row) => left(row) / right(row);
    case '>':
      return (row) => compare(left(row), right(row), (a, b) => a > b);
    case '>=':
      return (row) => compare(left(row), right(row), (a, b) => a >= b);
    case '<':
      return (row) => compare(left(row), right(row), (a, b) => a < b);
    case '<=':
      return (row) => compare(left(row), right(row), (a, b) => a <= b);
    case '==':
      return (row) => compare(left(row), right(row), (a, b) => a === b);
    case '!=':
      return (row) => compare(left(row), right(row), (a, b) => a !== b);
    case 'and':
      return (row) => compare(left(row), right(row), (a, b) => a !== 0 && b !== 0);
    case 'or':
      return (row) => compare(left(row), right(row), (a, b) => a !== 0 || b !== 0);
  }
}

function call(fn: FunctionName, args: Evaluator[]): Evaluator {
  const [first] = args;
  switch (fn) {
    case 'log':
      return (row) => Math.log(first(row));
    case 'log1p':
      return (row) => Math.log1p(first(row));
    case 'abs':
      return (row) => Math.abs(first(row));
    case 'sqrt':
      return (row) => Math.sqrt(first(row));
    case 'min':
      return (row) => Math.min(...args.map((arg) => arg(row)));
    case 'max':
      return (row) => Math.max(...args.map((arg) => arg(row)));
  }
}

function compare(a: number, b: number, test: (a: number, b: number) => boolean): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return test(a, b) ? 1 : 0;
}

function logical(x: number, test: (truthy: boolean) => boolean): number {
  if (Number.isNaN(x)) return NaN;
  return test(x !== 0) ? 1 : 0;
}
