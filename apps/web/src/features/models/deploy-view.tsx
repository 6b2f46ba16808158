'use client';

import Link from 'next/link';
import { type FormEvent, useEffect, useState } from 'react';

import {
  type ArmStats,
  type DeploymentHistoryEntry,
  type DeploymentResponse,
  PRIMARY_ALIAS,
  SetDeploymentRequest,
  type SetDeploymentRequestInput,
} from '@atelier/contracts';

import { ErrorNotice, IssueList } from '../../components/error-notice';
import { PageHeader } from '../../components/page-header';
import { EmptyState, Loading } from '../../components/states';
import { api } from '../../lib/api';
import { formatCount, formatMetric, formatStat, formatTime } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { issueLines } from '../../lib/validation';

const ARMS_WINDOW_SECONDS = 3600;
const REFRESH_MS = 5000;

interface FormState {
  canaryVersion: string;
  share: string;
  stickyBy: string;
  shadowVersion: string;
}

const formOf = (d: DeploymentResponse): FormState => ({
  canaryVersion: d.canary ? String(d.canary.version) : '',
  share: d.canary ? String(d.canary.share) : '10',
  stickyBy: d.canary?.stickyBy ?? '',
  shadowVersion: d.shadow ? String(d.shadow.version) : '',
});

/**
 * A model's deployment: which version production serves, a canary answering a share of its
 * traffic (sticky by an entity key), a shadow scoring a mirrored copy; the arms side by side
 * over the last hour; promote, rollback and the history of changes.
 */
export function DeployView({ name }: { name: string }) {
  const state = useApi(async () => {
    const [deployment, versions, history] = await Promise.all([
      api.getDeployment(name),
      api.listVersions(name),
      api.deploymentHistory(name),
    ]);
    return { deployment, versions: versions.map((v) => v.version).sort((a, b) => b - a), history };
  }, [name]);
  const arms = useApi(() => api.armStats(name, ARMS_WINDOW_SECONDS), [name], { refreshMs: REFRESH_MS });
  const [form, setForm] = useState<FormState | null>(null);
  const [issues, setIssues] = useState<string[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();

  const deployment = state.data?.deployment;
  useEffect(() => {
    if (deployment) setForm(formOf(deployment));
  }, [deployment]);

  const act = async (what: string, call: () => Promise<DeploymentResponse>) => {
    setBusy(what);
    setError(undefined);
    try {
      await call();
      state.reload();
      arms.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!form) return;
    const body: SetDeploymentRequestInput = {
      canary: form.canaryVersion
        ? {
            version: Number(form.canaryVersion),
            share: form.share.trim() === '' ? Number.NaN : Number(form.share),
            stickyBy: form.stickyBy.trim() || null,
          }
        : null,
      shadow: form.shadowVersion ? { version: Number(form.shadowVersion) } : null,
    };
    const problems = issueLines(SetDeploymentRequest.safeParse(body));
    setIssues(problems);
    if (problems.length === 0) void act('save', () => api.setDeployment(name, body));
  };

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => (f ? { ...f, [key]: value } : f));
  const others = (state.data?.versions ?? []).filter((v) => v !== deployment?.primaryVersion);

  return (
    <>
      <p className="breadcrumb">
        <Link href="/models">Models</Link> / <Link href={`/models/${name}`}>{name}</Link> / <span>Deploy</span>
      </p>
      <PageHeader
        title={`Deploy ${name}`}
        description={`How "${PRIMARY_ALIAS}" serves its traffic: a canary answers a share of it, a shadow scores a mirrored copy that nobody is answered with.`}
        actions={
          <button type="button" className="button" onClick={state.reload} disabled={state.loading}>
            Refresh
          </button>
        }
      />
      {state.error ? <ErrorNotice error={state.error} onRetry={state.reload} /> : null}
      {error ? <ErrorNotice error={error} /> : null}
      {!deployment || !form ? (
        state.loading ? (
          <Loading what="Loading the deployment" />
        ) : null
      ) : deployment.primaryVersion === null ? (
        <EmptyState title={`No "${PRIMARY_ALIAS}" version yet`}>
          Set one on the <Link href={`/models/${name}`}>model page</Link> first; a canary and a shadow split its traffic.
        </EmptyState>
      ) : (
        <>
          <section className="card" data-testid="deployment-now">
            <h2 className="card-title">Now</h2>
            <dl className="facts">
              <div>
                <dt>{PRIMARY_ALIAS}</dt>
                <dd data-testid="deployment-primary">v{deployment.primaryVersion}</dd>
              </div>
              <div>
                <dt>canary</dt>
                <dd data-testid="deployment-canary">
                  {deployment.canary
                    ? `v${deployment.canary.version}, ${formatStat(deployment.canary.share)} % of traffic${deployment.canary.stickyBy ? `, sticky by ${deployment.canary.stickyBy}` : ', drawn per request'}`
                    : 'none'}
                </dd>
              </div>
              <div>
                <dt>shadow</dt>
                <dd data-testid="deployment-shadow">{deployment.shadow ? `v${deployment.shadow.version}` : 'none'}</dd>
              </div>
              <div>
                <dt>changed</dt>
                <dd>{deployment.updatedAt ? `${formatTime(deployment.updatedAt)} by ${deployment.updatedBy}` : 'never'}</dd>
              </div>
            </dl>
            <div className="form-actions">
              <button
                type="button"
                className="button"
                disabled={busy !== null || !deployment.canary}
                onClick={() => void act('promote', () => api.promoteCanary(name))}
                data-testid="promote-canary"
              >
                {busy === 'promote' ? 'Promoting…' : `Promote the canary to ${PRIMARY_ALIAS}`}
              </button>
              <button
                type="button"
                className="button button-danger"
                disabled={busy !== null || (!deployment.canary && !deployment.shadow)}
                onClick={() => void act('rollback', () => api.rollbackDeployment(name))}
                data-testid="rollback-deployment"
              >
                {busy === 'rollback' ? 'Rolling back…' : 'Roll back'}
              </button>
            </div>
          </section>

          <form className="card form" onSubmit={save} data-testid="deployment-form" noValidate>
            <h2 className="card-title">Canary and shadow</h2>
            <div className="form-grid">
              <VersionSelect
                label="Canary version"
                name="canaryVersion"
                value={form.canaryVersion}
                versions={others}
                onChange={(v) => set('canaryVersion', v)}
              />
              <label className="field">
                <span>Canary share (%)</span>
                <input
                  type="number"
                  name="share"
                  min={0}
                  max={100}
                  step="any"
                  value={form.share}
                  onChange={(e) => set('share', e.target.value)}
                  disabled={!form.canaryVersion}
                />
              </label>
              <label className="field">
                <span>Sticky by entity (optional)</span>
                <input
                  name="stickyBy"
                  value={form.stickyBy}
                  onChange={(e) => set('stickyBy', e.target.value)}
                  placeholder="airport"
                  spellCheck={false}
                  disabled={!form.canaryVersion}
                />
              </label>
              <VersionSelect
                label="Shadow version"
                name="shadowVersion"
                value={form.shadowVersion}
                versions={others}
                onChange={(v) => set('shadowVersion', v)}
              />
            </div>
            <p className="hint">
              A caller with the sticky entity&apos;s key stays on one arm while the share is unchanged; raising the share only moves callers
              to the canary. Every serving replica picks the change up from Kafka.
            </p>
            <IssueList issues={issues} />
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={busy !== null} data-testid="save-deployment">
                {busy === 'save' ? 'Saving…' : 'Save'}
              </button>
            </div>
          </form>

          <ArmsTable arms={arms.data?.arms} error={arms.error} />
          <History entries={state.data?.history ?? []} />
        </>
      )}
    </>
  );
}

/** A version to pick, or none (''). */
function VersionSelect(props: { label: string; name: string; value: string; versions: number[]; onChange: (value: string) => void }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <select name={props.name} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">none</option>
        {props.versions.map((v) => (
          <option key={v} value={v}>
            v{v}
          </option>
        ))}
      </select>
    </label>
  );
}

function ArmsTable({ arms, error }: { arms: ArmStats[] | undefined; error: unknown }) {
  return (
    <section className="card table-wrap">
      <h2 className="card-title">Arms, last hour</h2>
      {error ? <ErrorNotice error={error} /> : null}
      {arms === undefined ? null : arms.length === 0 ? (
        <p className="muted">No predictions through a canary or shadow in the last hour.</p>
      ) : (
        <table className="table table-fit" data-testid="arms-table">
          <thead>
            <tr>
              <th>Arm</th>
              <th className="num">Predictions</th>
              <th className="num">Latency p50 / p95 (ms)</th>
              <th className="num">Mean prediction</th>
              <th className="num">Prediction p10 / p50 / p90</th>
              <th className="num">Positive rate</th>
              <th className="num">Outcomes</th>
              <th className="num">Accuracy</th>
              <th className="num">Log loss</th>
              <th className="num">Agreement with answer</th>
            </tr>
          </thead>
          <tbody>
            {arms.map((a) => (
              <tr key={`${a.arm}-${a.version}`} data-testid="arm-row" data-arm={a.arm}>
                <td>
                  <span className="strong">{a.arm}</span> <span className="muted">v{a.version}</span>
                </td>
                <td className="num mono">{formatCount(a.predictions)}</td>
                <td className="num mono">
                  {formatStat(a.latencyP50Ms)} / {formatStat(a.latencyP95Ms)}
                </td>
                <td className="num mono">{formatMetric(a.predictionMean)}</td>
                <td className="num mono">
                  {formatMetric(a.predictionP10)} / {formatMetric(a.predictionP50)} / {formatMetric(a.predictionP90)}
                </td>
                <td className="num mono">{formatMetric(a.positiveRate)}</td>
                <td className="num mono">{formatCount(a.outcomes)}</td>
                <td className="num mono">{formatMetric(a.accuracy)}</td>
                <td className="num mono">{formatMetric(a.logLoss)}</td>
                <td className="num mono" data-testid="arm-agreement">
                  {a.arm === 'shadow' ? formatMetric(a.agreement) : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function History({ entries }: { entries: DeploymentHistoryEntry[] }) {
  const describe = (e: DeploymentHistoryEntry) =>
    [
      `${PRIMARY_ALIAS} v${e.primaryVersion ?? '—'}`,
      e.canary ? `canary v${e.canary.version} at ${formatStat(e.canary.share)} %` : 'no canary',
      e.shadow ? `shadow v${e.shadow.version}` : 'no shadow',
    ].join(', ');
  return (
    <section className="card">
      <h2 className="card-title">History</h2>
      {entries.length === 0 ? (
        <p className="muted">No changes yet.</p>
      ) : (
        <ol className="plain-list" data-testid="deployment-history">
          {entries.map((e, i) => (
            <li key={i} data-testid="deployment-history-entry" data-action={e.action}>
              <span className="strong">{e.action}</span> · {describe(e)}{' '}
              <span className="muted">
                · {e.actor}, {formatTime(e.at)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
