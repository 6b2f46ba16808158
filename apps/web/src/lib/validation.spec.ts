import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { issueLines } from './validation';

describe('issueLines', () => {
  it('names each problem by its path, and an empty number field as one to fill in', () => {
    const schema = z.object({ canary: z.object({ share: z.number().min(0).max(100) }), name: z.string().min(1) });
    expect(issueLines(schema.safeParse({ canary: { share: Number.NaN }, name: '' }))).toEqual([
      'canary.share: enter a number',
      'name: Too small: expected string to have >=1 characters',
    ]);
    expect(issueLines(schema.safeParse({ canary: { share: 101 }, name: 'a' }))).toEqual([
      'canary.share: Too big: expected number to be <=100',
    ]);
    expect(issueLines(schema.safeParse({ canary: { share: 5 }, name: 'a' }))).toEqual([]);
  });
});
