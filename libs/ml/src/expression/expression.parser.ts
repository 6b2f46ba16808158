import type { ExpressionNode } from '@atelier/expression';
import { ExpressionSyntaxError, parseExpression as parseSyntax } from '@atelier/expression';

import { ExpressionError } from './expression.error';

export { type BinaryOp, type ComparisonOp, type ExpressionNode, FUNCTION_ARITY, type FunctionName } from '@atelier/expression';

/**
 * The expression grammar lives in `@atelier/expression` (browsers check expressions with it as
 * they are typed); here a syntax error is the library's `ExpressionError`, as every other
 * expression problem is.
 */
export function parseExpression(source: string): ExpressionNode {
  try {
    return parseSyntax(source);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) throw new ExpressionError(error.reason, error.position, error.source);
    throw error;
  }
}
