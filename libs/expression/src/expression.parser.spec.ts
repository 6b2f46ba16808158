import { describe, expect, it } from 'vitest';

import { expressionSyntaxProblem, parseExpression } from './index';

describe('the expression grammar', () => {
  it('parses with the usual precedence, and says what is wrong and where when it cannot', () => {
    expect(parseExpression('a + b * 2 > 3')).toEqual({
      type: 'binary',
      op: '>',
      left: {
        type: 'binary',
        op: '+',
        left: { type: 'variable', name: 'a' },
        right: { type: 'binary', op: '*', left: { type: 'variable', name: 'b' }, right: { type: 'number', value: 2 } },
      },
      right: { type: 'number', value: 3 },
    });
    expect(expressionSyntaxProblem('log1p(distance)')).toBeNull();
    expect(expressionSyntaxProblem('x + * z')).toEqual({ reason: expect.stringMatching(/\*/), position: 4 });
    expect(expressionSyntaxProblem('max(a, ')?.position).toBe(7);
  });
});
