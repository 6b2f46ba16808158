/** Display helpers. Times are shown in UTC, like every timestamp the platform stores. */

export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  // counts (rows, samples) read better without decimals
  return Number.isInteger(value) && Math.abs(value) >= 2 ? value.toLocaleString('en-US') : value.toFixed(4);
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value.toLocaleString('en-US');
}

/** `2001-01-22 00:00:00 UTC` */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `2001-01-22 13:05`, for tables that state UTC in their header */
export function formatMinute(iso: string | null | undefined): string {
  return iso ? formatTime(iso).slice(0, 16) : '—';
}

/** `2001-01-22` */
export function formatDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '—';
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${+(seconds / 60).toFixed(1)} min`;
  if (seconds < 86_400) return `${+(seconds / 3600).toFixed(1)} h`;
  return `${+(seconds / 86_400).toFixed(1)} d`;
}

export function elapsedSeconds(fromIso: string | null, toIso: string | null): number | null {
  if (!fromIso) return null;
  const to = toIso ? Date.parse(toIso) : Date.now();
  return Math.max(0, (to - Date.parse(fromIso)) / 1000);
}

export function shortId(id: string | null | undefined, length = 8): string {
  return id ? id.slice(0, length) : '—';
}

const METRIC_ORDER = ['auc', 'accuracy', 'log_loss', 'macro_f1', 'precision', 'recall', 'f1', 'brier', 'rmse', 'mae'];
const LOWER_IS_BETTER = new Set(['log_loss', 'loss', 'brier', 'rmse', 'mae', 'mse', 'ece']);

/** The metric names present in any of the records, the familiar ones first. */
export function metricKeys(records: ReadonlyArray<Record<string, number> | null | undefined>): string[] {
  const keys = new Set<string>();
  for (const record of records) for (const key of Object.keys(record ?? {})) keys.add(key);
  const rank = (key: string) => {
    const index = METRIC_ORDER.indexOf(key);
    return index === -1 ? METRIC_ORDER.length : index;
  };
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** +1 when `b` is better than `a` for this metric, -1 when worse, 0 when equal or unknown. */
export function compareMetric(key: string, a: number | undefined, b: number | undefined): -1 | 0 | 1 {
  if (a === undefined || b === undefined || a === b) return 0;
  const higher = b > a ? 1 : -1;
  return higherIsBetter(key) ? higher : (-higher as -1 | 1);
}

/** AUC, accuracy: higher is better; losses and errors (log loss, RMSE, …): lower. */
export function higherIsBetter(key: string): boolean {
  return !LOWER_IS_BETTER.has(key);
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** A statistic with four significant digits: `0.1235`, `1,234`, `12.35`; `—` when missing. */
export function formatStat(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (Number.isInteger(value) || Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(+value.toPrecision(4));
}

/** `12.3%`; `<0.1%` rather than a misleading `0%` for a few in many */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0)) return '—';
  const percent = (part / whole) * 100;
  return percent > 0 && percent < 0.1 ? '<0.1%' : `${+percent.toFixed(1)}%`;
}
