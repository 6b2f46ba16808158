import { badRequest } from '@atelier/server';

/*
 * MLflow's `order_by` clauses and page tokens. Results are sorted by the clauses given, then by
 * MLflow's tie-breakers, so every page of one search comes from the same total order; a page
 * token is the offset of the next page, encoded as MLflow's server does (base64 of
 * `{"offset": n}`), and opaque to clients.
 */

export interface OrderClause {
  key: string;
  ascending: boolean;
}

export interface OrderGrammar {
  /** the keys a clause may name → the key they sort by */
  keys: Readonly<Record<string, string>>;
  /** appended unless the clauses already sort by their key */
  tieBreakers: readonly OrderClause[];
  /** the order when the request gives none (before the tie-breakers) */
  defaults: readonly OrderClause[];
}

/** As MLflow's SQL store: `timestamp` is the last update; ties by name. */
export const REGISTERED_MODEL_ORDER: OrderGrammar = {
  keys: {
    name: 'name',
    timestamp: 'last_updated_timestamp',
    last_updated_timestamp: 'last_updated_timestamp',
    creation_timestamp: 'creation_timestamp',
  },
  tieBreakers: [{ key: 'name', ascending: true }],
  defaults: [],
};

/** As MLflow's SQL store: newest change first by default; ties by name, then newest version. */
export const MODEL_VERSION_ORDER: OrderGrammar = {
  keys: {
    name: 'name',
    version_number: 'version_number',
    creation_timestamp: 'creation_timestamp',
    last_updated_timestamp: 'last_updated_timestamp',
  },
  tieBreakers: [
    { key: 'name', ascending: true },
    { key: 'version_number', ascending: false },
  ],
  defaults: [{ key: 'last_updated_timestamp', ascending: false }],
};

/** `name`, `name DESC`, `\`last_updated_timestamp\` asc` → the full order, tie-breakers included. */
export function parseOrderBy(orderBy: readonly string[], grammar: OrderGrammar): OrderClause[] {
  const clauses = orderBy.length > 0 ? orderBy.map((clause) => parseOrderClause(clause, grammar)) : [...grammar.defaults];
  const seen = new Set<string>();
  for (const { key } of clauses) {
    if (seen.has(key)) throw badRequest(`order_by contains duplicate fields: ${orderBy.join(', ')}`);
    seen.add(key);
  }
  return [...clauses, ...grammar.tieBreakers.filter((t) => !seen.has(t.key))];
}

function parseOrderClause(clause: string, grammar: OrderGrammar): OrderClause {
  const match = /^\s*(`[^`]+`|"[^"]+"|[\w.]+)(?:\s+(\w+))?\s*$/.exec(clause);
  if (!match) throw badRequest(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  const direction = match[2]?.toLowerCase() ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc') throw badRequest(`Invalid ordering key in order_by clause '${clause}': use ASC or DESC`);
  const named = match[1]!.replace(/^[`"]|[`"]$/g, '').replace(/^attribute\./, '');
  const key = grammar.keys[named];
  if (!key) throw badRequest(`Invalid order by key '${named}' specified. Valid keys are ${Object.keys(grammar.keys).join(', ')}`);
  return { key, ascending: direction === 'asc' };
}

/** Sorts (stably) by the clauses, reading each item's value of a key with `valueOf`. */
export function sortBy<T>(items: readonly T[], order: readonly OrderClause[], valueOf: (item: T, key: string) => string | number): T[] {
  return [...items].sort((a, b) => {
    for (const { key, ascending } of order) {
      const x = valueOf(a, key);
      const y = valueOf(b, key);
      if (x < y) return ascending ? -1 : 1;
      if (x > y) return ascending ? 1 : -1;
    }
    return 0;
  });
}

/** One page of sorted results from `offset`, and the token of the next page when there is one. */
export function pageOf<T>(items: readonly T[], offset: number, maxResults: number): { page: T[]; nextPageToken?: string } {
  const end = offset + maxResults;
  const page = items.slice(offset, end);
  return end < items.length ? { page, nextPageToken: encodePageToken(end) } : { page };
}

export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }).replace(':', ': ')).toString('base64');
}

/** The offset a page token stands for; no token (or an empty one) is the first page. */
export function decodePageToken(token: string | undefined): number {
  if (!token) return 0;
  const invalid = () => badRequest(`Invalid page token '${token}': send back the next_page_token of the previous page`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalid();
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw invalid();
  return offset;
}
