import { describe, expect, it } from 'vitest';

import { parseColumns } from './upload-columns';

describe('parseColumns', () => {
  it('reads one input per line, names split on commas', () => {
    expect(parseColumns('X = a, b ,c\n\n  Y=d  ')).toEqual({ X: ['a', 'b', 'c'], Y: ['d'] });
    expect(parseColumns('  \n')).toBeUndefined();
  });

  it('names the line that is not "input = names"', () => {
    expect(() => parseColumns('X = a\nb, c')).toThrow('column names, line 2: write it as "input = name, name, …"');
    expect(() => parseColumns('X =')).toThrow('line 1');
  });
});
