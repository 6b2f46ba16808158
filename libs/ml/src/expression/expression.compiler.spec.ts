import { describe, expect, it } from 'vitest';

import { MlError } from '../ml.error';
import { compileExpression } from './expression.compiler';
import { ExpressionError } from './expression.error';

const evaluate = (source: string, row: Record<string, number> = {}): number => compileExpression(source).evaluate(row);

function errorOf(source: string): ExpressionError {
  try {
    compileExpression(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`expected "${source}" to be rejected`);
}

describe('compileExpression: arithmetic', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['8 / 4 / 2', 1],
    ['-2 * -3', 6],
    ['- (1 + 1)', -2],
    ['--4', 4],
    ['1.5e2 + .5', 150.5],
    ['2 * -x', -10],
  ])('%s = %d', (source, expected) => expect(evaluate(source, { x: 5 })).toBe(expected));

  it('reads variables and reports them once, in order of first use', () => {
    const expression = compileExpression('delay_min / distance + delay_min * 0 + dep_hour2');
    expect(expression.variables).toEqual(['delay_min', 'distance', 'dep_hour2']);
    expect(expression.evaluate({ delay_min: 30, distance: 10, dep_hour2: 1 })).toBe(4);
  });

  it('supports backtick-quoted names for columns that are not bare identifiers', () => {
    const expression = compileExpression('`origin:delay_mean_7d` - `7d` + `and`');
    expect(expression.variables).toEqual(['origin:delay_mean_7d', '7d', 'and']);
    expect(expression.evaluate({ 'origin:delay_mean_7d': 10, '7d': 3, and: 1 })).toBe(8);
  });

  it('calls log, log1p, abs, sqrt, min and max', () => {
    expect(evaluate('log(x)', { x: Math.E })).toBeCloseTo(1, 15);
    expect(evaluate('log1p(x)', { x: 1e-20 })).toBe(1e-20);
    expect(evaluate('abs(-3) + sqrt(16)')).toBe(7);
    expect(evaluate('min(3, x, 7)', { x: 5 })).toBe(3);
    expect(evaluate('max(3, x * 2, 7)', { x: 5 })).toBe(10);
  });

  it('accepts nesting up to 64 levels', () => {
    expect(evaluate('('.repeat(64) + '1' + ')'.repeat(64))).toBe(1);
  });

  it('lets a column share a function name when it is not called', () => {
    expect(evaluate('log + log(1)', { log: 2 })).toBe(2);
  });
});

describe('compileExpression: comparisons and logic yield 1 / 0', () => {
  it.each([
    ['delay > 15', { delay: 16 }, 1],
    ['delay > 15', { delay: 15 }, 0],
    ['delay >= 15', { delay: 15 }, 1],
    ['delay < 15', { delay: 3 }, 1],
    ['delay <= 2', { delay: 3 }, 0],
    ['delay == 3', { delay: 3 }, 1],
    ['delay != 3', { delay: 3 }, 0],
    ['delay > 15 and distance < 500', { delay: 20, distance: 400 }, 1],
    ['delay > 15 and distance < 500', { delay: 20, distance: 600 }, 0],
    ['delay > 15 or distance < 500', { delay: 0, distance: 400 }, 1],
    ['not delay > 15', { delay: 20 }, 0],
    ['not 0', {}, 1],
    ['1 + 1 > 1 and 2 * 3 == 6', {}, 1],
    // `and` binds tighter than `or`.
    ['1 or 0 and 0', {}, 1],
    ['(1 or 0) and 0', {}, 0],
    ['(delay > 15) * 10', { delay: 20 }, 10],
  ])('%s with %o → %d', (source, row, expected) => expect(evaluate(source, row)).toBe(expected));
});

describe('compileExpression: missing values', () => {
  it('a missing, null or non-numeric variable is NaN', () => {
    const expression = compileExpression('x + 1');
    expect(expression.evaluate({})).toBeNaN();
    expect(expression.evaluate({ x: null } as unknown as Record<string, number>)).toBeNaN();
    expect(expression.evaluate({ x: '3' } as unknown as Record<string, number>)).toBeNaN();
  });

  it('NaN propagates through comparisons and logic instead of becoming a silent 0', () => {
    expect(evaluate('delay > 15', {})).toBeNaN();
    expect(evaluate('not delay', {})).toBeNaN();
    expect(evaluate('1 or delay', {})).toBeNaN();
    expect(evaluate('max(1, delay)', {})).toBeNaN();
  });

  it('does not read inherited object properties as columns', () => {
    expect(evaluate('toString + 1', {})).toBeNaN();
  });
});

describe('compileExpression: errors name the problem and its position', () => {
  it.each([
    ['', 0, /Empty expression/],
    ['1 +', 3, /Unexpected end of expression/],
    ['(a + b', 6, /Expected '\)' to close '\(' at position 0/],
    ['a + * b', 4, /Unexpected '\*'/],
    ['a b', 2, /Unexpected name 'b'/],
    ['a $ b', 2, /Unexpected character '\$'/],
    ['a = 1', 2, /use '=='/],
    ['a && b', 2, /use 'and'/],
    ['!a', 0, /use 'not'/],
    ['foo(1)', 0, /Unknown function 'foo'; available: log/],
    ['log(1, 2)', 0, /log\(\) takes 1 argument/],
    ['max()', 0, /max\(\) takes at least 1/],
    ['1 < a < 3', 6, /cannot be chained/],
    ['7d_delay > 1', 0, /quote it as `7d_delay`/],
    ['`unterminated + 1', 0, /Unterminated quoted name/],
    ['a + and', 4, /Unexpected 'and'/],
    ['('.repeat(65) + '1' + ')'.repeat(65), 64, /nested deeper than 64/],
  ])('%j → position %d', (source, position, message) => {
    const error = errorOf(source);
    expect(error).toBeInstanceOf(MlError);
    expect(error.code).toBe('invalid_expression');
    expect(error.position).toBe(position);
    expect(error.reason).toMatch(message);
    expect(error.message).toContain(`at position ${position}`);
  });
});
