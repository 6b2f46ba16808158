import { describe, expect, it } from 'vitest';

import { barLine, type JobProgress, plainLine, progressReporter, renderBar } from './progress';

const at = '2001-01-31T23:59:30.000Z';
const job = (status: JobProgress['status'], progress: number, messages: string[] = []): JobProgress => ({
  status,
  progress,
  events: messages.map((message) => ({ at, message })),
});

function sink(isTTY: boolean, columns?: number) {
  const s = { text: '', isTTY, columns, write: (chunk: string) => (s.text += chunk) };
  return s;
}

describe('progress bar', () => {
  it('fills whole cells in proportion, and is full only at 1', () => {
    expect(renderBar(0, 10)).toBe('░'.repeat(10));
    expect(renderBar(0.42, 10)).toBe('████░░░░░░');
    expect(renderBar(0.999, 10)).toBe('█████████░');
    expect(renderBar(1, 10)).toBe('█'.repeat(10));
    expect([renderBar(-1, 4), renderBar(7, 4), renderBar(Number.NaN, 4)]).toEqual(['░░░░', '████', '░░░░']);
  });

  it('draws bar, percent, status and the last event on one line that fits the terminal', () => {
    const line = barLine(job('running', 0.5, ['building the training set', 'epoch 3/20: loss 0.50000']), 80);
    expect(line).toBe(`${'█'.repeat(15)}${'░'.repeat(15)}  50%  running  epoch 3/20: loss 0.50000`);
    const narrow = barLine(job('running', 0.5, ['a long message '.repeat(10)]), 60);
    expect([...narrow]).toHaveLength(59);
    expect(narrow.endsWith('…')).toBe(true);
    expect(plainLine(1, 'succeeded')).toBe('100%  succeeded');
  });

  it('on a terminal redraws one line in place and ends it when the job ends', () => {
    const tty = sink(true, 80);
    const reporter = progressReporter(tty);
    reporter.update(job('queued', 0));
    reporter.update(job('running', 0.25, ['epoch 5/20: loss 0.6']));
    reporter.finish(job('succeeded', 1, ['epoch 5/20: loss 0.6', 'registered version 3']));
    const draws = tty.text.split('\r\x1b[2K').slice(1);
    expect(draws).toHaveLength(3);
    expect(draws[1]).toContain(' 25%  running  epoch 5/20: loss 0.6');
    expect(draws[2]).toBe(`${'█'.repeat(30)} 100%  succeeded  registered version 3\n`);
    expect(tty.text.split('\n')).toHaveLength(2);
  });

  it('elsewhere prints each event once, and a status change that came without one', () => {
    const log = sink(false);
    const reporter = progressReporter(log);
    reporter.update(job('queued', 0));
    reporter.update(job('queued', 0));
    reporter.update(job('running', 0.1, ['building the training set']));
    reporter.update(job('running', 0.5, ['building the training set', 'epoch 1/2: loss 0.7', 'epoch 2/2: loss 0.6']));
    reporter.finish(job('succeeded', 1, ['building the training set', 'epoch 1/2: loss 0.7', 'epoch 2/2: loss 0.6']));
    expect(log.text).toBe(
      [
        '  0%  queued',
        ' 10%  running  building the training set',
        ' 50%  running  epoch 1/2: loss 0.7',
        ' 50%  running  epoch 2/2: loss 0.6',
        '100%  succeeded',
        '',
      ].join('\n'),
    );
    expect(log.text).not.toContain('\r');
  });

  it('shows where a job without events stands, and a line off a terminal each time that changes', () => {
    const batch = (status: string, progress: number, summary?: string): JobProgress => ({ status, progress, events: [], summary });
    expect(barLine(batch('running', 0.25, '1/4 shards, 250/1000 rows'), 80)).toBe(
      `${'█'.repeat(7)}${'░'.repeat(23)}  25%  running  1/4 shards, 250/1000 rows`,
    );
    const log = sink(false);
    const reporter = progressReporter(log);
    reporter.update(batch('queued', 0));
    reporter.update(batch('running', 0.25, '1/4 shards, 250/1000 rows'));
    reporter.update(batch('running', 0.25, '1/4 shards, 250/1000 rows'));
    reporter.finish(batch('succeeded', 1, '4/4 shards, 1000/1000 rows'));
    expect(log.text).toBe(
      ['  0%  queued', ' 25%  running  1/4 shards, 250/1000 rows', '100%  succeeded  4/4 shards, 1000/1000 rows', ''].join('\n'),
    );
  });
});
