'use client';

import { type FormEvent, useState } from 'react';

import type { AuditEventResponse } from '@atelier/contracts';

import { ErrorNotice } from '../../components/error-notice';
import { PageHeader } from '../../components/page-header';
import { EmptyState, Loading, UpdatedAt } from '../../components/states';
import { accessApi } from '../../lib/access-api';
import { formatTime } from '../../lib/format';
import { useApi } from '../../lib/use-api';

const LIMITS = [50, 100, 500, 1000] as const;
const NO_FILTERS = { actor: '', subject: '' };

/** The audit log, newest first; filters apply on _Apply_ (or a click on an actor or subject). */
export function AuditView() {
  const [draft, setDraft] = useState(NO_FILTERS);
  const [filters, setFilters] = useState(NO_FILTERS);
  const [limit, setLimit] = useState<number>(100);
  const events = useApi(
    () => accessApi.auditLog({ limit, actor: filters.actor.trim() || undefined, subject: filters.subject.trim() || undefined }),
    [filters.actor, filters.subject, limit],
  );
  const apply = (next: typeof NO_FILTERS) => {
    setDraft(next);
    setFilters(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };
  const rows = events.data ?? [];
  const filtered = filters.actor.trim() !== '' || filters.subject.trim() !== '';

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made through the API, newest first, with the owner of the key that made it."
        actions={<UpdatedAt at={events.updatedAt} />}
      />
      <form className="toolbar" onSubmit={submit} data-testid="audit-filters">
        <label className="field-inline">
          Actor
          <input
            value={draft.actor}
            onChange={(e) => setDraft({ ...draft, actor: e.target.value })}
            name="actor"
            placeholder="ada@example.com"
            data-testid="audit-actor"
          />
        </label>
        <label className="field-inline">
          Subject starts with
          <input
            value={draft.subject}
            onChange={(e) => setDraft({ ...draft, subject: e.target.value })}
            name="subject"
            placeholder="model:flight-delay"
            spellCheck={false}
            data-testid="audit-subject"
          />
        </label>
        <label className="field-inline">
          Show
          <select value={limit} onChange={(e) => setLimit(Number(e.target.value))} name="limit">
            {LIMITS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button button-primary" data-testid="audit-apply">
          Apply
        </button>
        {filtered ? (
          <button type="button" className="button" onClick={() => apply(NO_FILTERS)} data-testid="audit-clear">
            Clear filters
          </button>
        ) : null}
        <span className="spacer" />
        <button type="button" className="button" onClick={events.reload} disabled={events.loading}>
          Refresh
        </button>
      </form>
      {events.error ? <ErrorNotice error={events.error} onRetry={events.reload} /> : null}
      {events.data === undefined ? (
        events.loading ? (
          <Loading what="Loading the audit log" />
        ) : null
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? 'No events match these filters' : 'No events yet'}>
          Changes made through the API show up here.
        </EmptyState>
      ) : (
        <div className="card table-wrap">
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>Time (UTC)</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Subject</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((event) => (
                <AuditRow key={event.id} event={event} onFilter={(next) => apply({ ...filters, ...next })} />
              ))}
            </tbody>
          </table>
          {rows.length === limit ? (
            <p className="hint">Showing the newest {limit}; narrow the filters or show more to see older events.</p>
          ) : null}
        </div>
      )}
    </>
  );
}

function AuditRow({ event, onFilter }: { event: AuditEventResponse; onFilter: (filter: Partial<typeof NO_FILTERS>) => void }) {
  return (
    <tr data-testid="audit-row" data-actor={event.actor} data-action={event.action} data-subject={event.subject}>
      <td className="nowrap small">{formatTime(event.createdAt).replace(' UTC', '')}</td>
      <td>
        <button type="button" className="link-button" title="Show only this actor" onClick={() => onFilter({ actor: event.actor })}>
          {event.actor}
        </button>
      </td>
      <td>
        <code>{event.action}</code>
      </td>
      <td>
        <button
          type="button"
          className="link-button mono"
          title="Show only this subject"
          onClick={() => onFilter({ subject: event.subject })}
        >
          {event.subject}
        </button>
      </td>
      <td className="message">
        <Payload payload={event.payload} />
      </td>
    </tr>
  );
}

/** One line of JSON; the whole of it, indented, on demand. */
function Payload({ payload }: { payload: unknown }) {
  if (payload === null || payload === undefined) return <span className="muted">—</span>;
  const line = JSON.stringify(payload);
  if (line.length <= 80) return <code className="small">{line}</code>;
  return (
    <details className="payload">
      <summary>
        <code className="small">{line.slice(0, 77)}…</code>
      </summary>
      <pre className="small">{JSON.stringify(payload, null, 2)}</pre>
    </details>
  );
}
