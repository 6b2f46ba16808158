'use client';

import type { ConsumerLagResponse } from '@atelier/contracts';

import { formatCount } from '../lib/format';
import { useApi } from '../lib/use-api';
import { ErrorNotice } from './error-notice';
import { Loading } from './states';

/**
 * How far a consumer group is behind on its Kafka topics: the total, and per partition the
 * group's committed offset, the partition's end and the messages between. Refreshed every 5 s.
 */
export function ConsumerLag({ title, load, testId }: { title: string; load: () => Promise<ConsumerLagResponse>; testId: string }) {
  const lag = useApi(load, [], { refreshMs: 5000 });
  return (
    <section className="card" data-testid={testId}>
      <h2 className="card-title">
        {title}
        {lag.data ? (
          <span className="muted small" data-testid={`${testId}-total`}>
            {' '}
            — {formatCount(lag.data.lag)} message{lag.data.lag === 1 ? '' : 's'} behind
          </span>
        ) : null}
      </h2>
      {lag.error ? <ErrorNotice error={lag.error} onRetry={lag.reload} compact /> : null}
      {lag.data ? (
        <div className="table-wrap">
          <table className="table table-compact">
            <thead>
              <tr>
                <th>Topic</th>
                <th className="num">partition</th>
                <th className="num">committed</th>
                <th className="num">end</th>
                <th className="num">lag</th>
              </tr>
            </thead>
            <tbody>
              {lag.data.partitions.map((p) => (
                <tr key={`${p.topic}:${p.partition}`} data-testid={`${testId}-partition`}>
                  <td className="mono">{p.topic}</td>
                  <td className="num mono">{p.partition}</td>
                  <td className="num mono">{p.committed === null ? '—' : formatCount(p.committed)}</td>
                  <td className="num mono">{formatCount(p.end)}</td>
                  <td className="num mono">{formatCount(p.lag)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">
            Consumer group <span className="mono">{lag.data.group}</span>, as the broker has it.
          </p>
        </div>
      ) : lag.loading ? (
        <Loading what="Asking Kafka" />
      ) : null}
    </section>
  );
}
