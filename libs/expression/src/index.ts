export * from './expression.parser';
export * from './expression-syntax.error';

import { parseExpression } from './expression.parser';
import { ExpressionSyntaxError } from './expression-syntax.error';

/** What is wrong with an expression's syntax, and where (0-based); null when it parses. */
export function expressionSyntaxProblem(source: string): { reason: string; position: number } | null {
  try {
    parseExpression(source);
    return null;
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return { reason: error.reason, position: error.position };
    throw error;
  }
}
