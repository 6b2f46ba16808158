import { badRequest } from '@atelier/server';

/*
 * MLflow's search filter strings (`name LIKE 'fl%' AND tags.team = 'ops'`), parsed and evaluated
 * the way an MLflow tracking server on PostgreSQL does: comparisons joined by AND (no OR, no
 * parentheses but around IN lists), `=`/`!=`/LIKE case-sensitive, ILIKE not, LIKE patterns with
 * `%`, `_` and `\` as escape, a comparison on a tag false when the item has no such tag.
 * The invariant: a filter either parses into clauses that mean exactly that, or is refused with a
 * 400 that says what is wrong — never silently matches more or less.
 */

export type TextComparator = '=' | '!=' | 'LIKE' | 'ILIKE';
export type NumberComparator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type ListComparator = 'IN' | 'NOT IN';

export type FilterClause =
  | { kind: 'text'; on: 'attribute' | 'tag'; key: string; comparator: TextComparator; value: string }
  | { kind: 'number'; key: string; comparator: NumberComparator; value: number }
  | { kind: 'list'; key: string; comparator: ListComparator; values: string[] };

/** What a filter may compare for one kind of item: its attributes, by type, and any tag. */
export interface FilterGrammar {
  attributes: Readonly<Record<string, 'text' | 'number'>>;
  /** text attributes that take a list: `name IN ('a', 'b')` */
  lists: readonly string[];
}

export const REGISTERED_MODEL_FILTER: FilterGrammar = { attributes: { name: 'text' }, lists: ['name'] };

export const MODEL_VERSION_FILTER: FilterGrammar = {
  attributes: { name: 'text', version_number: 'number', run_id: 'text', source_path: 'text' },
  lists: ['name', 'run_id'],
};

/** What a filter is evaluated against. */
export interface Filterable {
  attributes: Readonly<Record<string, string | number>>;
  tags: Readonly<Record<string, string>>;
}

/**
 * MLflow's client adds `tag.\`mlflow.prompt.is_prompt\` != 'true'` to every registered-model
 * search (prompts live in the same registry there); an item without the tag is not a prompt.
 */
export const PROMPT_TAG = 'mlflow.prompt.is_prompt';

// ───────────────────────────── parsing ─────────────────────────────

type Token =
  | { type: 'identifier'; text: string }
  | { type: 'string'; text: string }
  | { type: 'number'; text: string }
  | { type: 'operator'; text: string }
  | { type: 'punctuation'; text: '(' | ')' | ',' };

// sticky (read at `lastIndex`): the tokenizer walks the filter once, without copying it
const SPACE = /\s+/y;
// an identifier: a word or `quoted` part, then `.`-joined words, `quoted` or "quoted" parts
const IDENTIFIER = /(?:[A-Za-z_]\w*|`[^`]+`)(?:\.(?:\w+|`[^`]+`|"[^"]+"))*/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const OPERATOR = /!=|<>|<=|>=|=|<|>/y;

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const read = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    const match = pattern.exec(filter)?.[0];
    if (match) at += match.length;
    return match;
  };
  while (at < filter.length) {
    if (read(SPACE)) continue;
    const char = filter[at]!;
    if (char === "'" || char === '"') {
      const { text, end } = quoted(filter, at);
      tokens.push({ type: 'string', text });
      at = end;
      continue;
    }
    if (char === '(' || char === ')' || char === ',') {
      tokens.push({ type: 'punctuation', text: char });
      at += 1;
      continue;
    }
    const number = read(NUMBER);
    if (number) {
      tokens.push({ type: 'number', text: number });
      continue;
    }
    const operator = read(OPERATOR);
    if (operator) {
      tokens.push({ type: 'operator', text: operator });
      continue;
    }
    const identifier = read(IDENTIFIER);
    if (identifier) {
      tokens.push({ type: 'identifier', text: identifier });
      continue;
    }
    throw badRequest(`Invalid filter '${filter}': unexpected '${char}' at position ${at + 1}`);
  }
  return tokens;
}

/** The quoted string that opens at `start`; a doubled quote inside stands for one (SQL). */
function quoted(filter: string, start: number): { text: string; end: number } {
  const quote = filter[start]!;
  let text = '';
  for (let i = start + 1; i < filter.length; i++) {
    if (filter[i] !== quote) {
      text += filter[i];
    } else if (filter[i + 1] === quote) {
      text += quote;
      i++;
    } else {
      return { text, end: i + 1 };
    }
  }
  throw badRequest(`Invalid filter '${filter}': a string is not closed (missing ${quote})`);
}

/** Parses a filter string into its clauses; an empty or missing filter has none (matches all). */
export function parseFilter(filter: string | undefined, grammar: FilterGrammar): FilterClause[] {
  if (!filter?.trim()) return [];
  const tokens = tokenize(filter);
  const clauses: FilterClause[] = [];
  let at = 0;
  const next = (): Token | undefined => tokens[at++];
  for (;;) {
    clauses.push(parseClause(next, grammar, filter));
    const joiner = next();
    if (!joiner) return clauses;
    if (!isWord(joiner, 'AND')) {
      const found = isWord(joiner, 'OR') ? 'OR (only AND-ed comparisons are supported)' : `'${joiner.text}'`;
      throw badRequest(`Invalid filter '${filter}': expected AND between comparisons, found ${found}`);
    }
  }
}

function parseClause(next: () => Token | undefined, grammar: FilterGrammar, filter: string): FilterClause {
  const left = next();
  if (left?.type !== 'identifier' || isKeyword(left)) {
    throw badRequest(`Invalid filter '${filter}': expected an attribute or tags.<key> ${left ? `before '${left.text}'` : 'at the end'}`);
  }
  const { on, key } = identifierOf(left.text, grammar);
  const comparator = parseComparator(next, filter);
  const right = next();
  if (!right) throw badRequest(`Invalid filter '${filter}': a comparison with ${key} has no value`);

  if (on === 'tag') {
    if (!isTextComparator(comparator)) throw badRequest(`Invalid comparator '${comparator}' for a tag: use one of =, !=, LIKE, ILIKE`);
    return { kind: 'text', on, key, comparator, value: quotedValue(right, `tag '${key}'`) };
  }
  if (grammar.attributes[key] === 'number') {
    if (!isNumberComparator(comparator))
      throw badRequest(`Invalid comparator '${comparator}' for attribute ${key}: use one of =, !=, <, <=, >, >=`);
    if (right.type !== 'number' || !/^-?\d+$/.test(right.text))
      throw badRequest(`Invalid value for numeric attribute '${key}': ${right.text} (a whole number)`);
    return { kind: 'number', key, comparator, value: Number(right.text) };
  }
  if (comparator === 'IN' || comparator === 'NOT IN') {
    if (!grammar.lists.includes(key))
      throw badRequest(`Only ${grammar.lists.join(', ')} support comparison with a list of quoted strings, not ${key}`);
    return { kind: 'list', key, comparator, values: parseList(right, next, filter) };
  }
  if (!isTextComparator(comparator))
    throw badRequest(`Invalid comparator '${comparator}' for attribute ${key}: use one of =, !=, LIKE, ILIKE, IN, NOT IN`);
  return { kind: 'text', on, key, comparator, value: quotedValue(right, `attribute '${key}'`) };
}

/** `name`, `attribute.name`, `tags.team`, `tag.\`key with spaces\`` → what it names. */
function identifierOf(text: string, grammar: FilterGrammar): { on: 'attribute' | 'tag'; key: string } {
  const dot = firstUnquotedDot(text);
  const [entity, rawKey] = dot < 0 ? ['attribute', text] : [text.slice(0, dot), text.slice(dot + 1)];
  const key = unquote(rawKey);
  if (entity === 'tag' || entity === 'tags') return { on: 'tag', key };
  if (entity !== 'attribute') throw badRequest(`Invalid entity type '${entity}'. Valid entity types are attribute, tag, tags`);
  if (!(key in grammar.attributes)) {
    throw badRequest(`Invalid attribute key '${key}' specified. Valid keys are ${Object.keys(grammar.attributes).join(', ')}`);
  }
  return { on: 'attribute', key };
}

function firstUnquotedDot(text: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '`' || c === '"') {
      quote = c;
    } else if (c === '.') {
      return i;
    }
  }
  return -1;
}

function unquote(text: string): string {
  return text.length >= 2 && (text[0] === '`' || text[0] === '"') && text.at(-1) === text[0] ? text.slice(1, -1) : text;
}

function parseComparator(next: () => Token | undefined, filter: string): TextComparator | NumberComparator | ListComparator {
  const token = next();
  if (token?.type === 'operator' && token.text !== '<>') return token.text as TextComparator | NumberComparator;
  if (token && isWord(token, 'LIKE')) return 'LIKE';
  if (token && isWord(token, 'ILIKE')) return 'ILIKE';
  if (token && isWord(token, 'IN')) return 'IN';
  if (token && isWord(token, 'NOT')) {
    const second = next();
    if (second && isWord(second, 'IN')) return 'NOT IN';
  }
  throw badRequest(
    `Invalid filter '${filter}': expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN)${token ? `, found '${token.text}'` : ''}`,
  );
}

function quotedValue(token: Token, what: string): string {
  if (token.type === 'string') return token.text;
  throw badRequest(`Expected a quoted string value for ${what} (e.g. 'my-value'), got ${token.text}`);
}

function parseList(open: Token, next: () => Token | undefined, filter: string): string[] {
  const invalid = () => badRequest(`Invalid filter '${filter}': expected a non-empty list of quoted strings such as ('a', 'b')`);
  if (open.type !== 'punctuation' || open.text !== '(') throw invalid();
  const values: string[] = [];
  for (;;) {
    const item = next();
    if (item?.type === 'punctuation' && item.text === ')' && values.length > 0) return values;
    if (item?.type !== 'string') throw invalid();
    values.push(item.text);
    const separator = next();
    if (separator?.type !== 'punctuation') throw invalid();
    if (separator.text === ')') return values;
    if (separator.text !== ',') throw invalid();
  }
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL']);

function isKeyword(token: Token): boolean {
  return token.type === 'identifier' && KEYWORDS.has(token.text.toUpperCase());
}

function isWord(token: Token, word: string): boolean {
  return token.type === 'identifier' && token.text.toUpperCase() === word;
}

function isTextComparator(c: string): c is TextComparator {
  return c === '=' || c === '!=' || c === 'LIKE' || c === 'ILIKE';
}

function isNumberComparator(c: string): c is NumberComparator {
  return c === '=' || c === '!=' || c === '<' || c === '<=' || c === '>' || c === '>=';
}

// ───────────────────────────── evaluation ─────────────────────────────

/**
 * The names a filter limits the search to (`name = 'x'`, `name IN (…)`), for the database to
 * narrow by before the filter itself is evaluated; undefined when any name may match.
 */
export function namesIn(clauses: readonly FilterClause[]): string[] | undefined {
  for (const clause of clauses) {
    if (clause.key !== 'name') continue;
    if (clause.kind === 'text' && clause.on === 'attribute' && clause.comparator === '=') return [clause.value];
    if (clause.kind === 'list' && clause.comparator === 'IN') return clause.values;
  }
  return undefined;
}

/** Whether an item satisfies every clause. */
export function matchesFilter(clauses: readonly FilterClause[], item: Filterable): boolean {
  return clauses.every((clause) => matchesClause(clause, item));
}

function matchesClause(clause: FilterClause, item: Filterable): boolean {
  switch (clause.kind) {
    case 'text': {
      const actual =
        clause.on === 'tag' ? (item.tags[clause.key] ?? (clause.key === PROMPT_TAG ? 'false' : undefined)) : item.attributes[clause.key];
      return actual !== undefined && compareText(String(actual), clause.comparator, clause.value);
    }
    case 'number': {
      const actual = item.attributes[clause.key];
      return typeof actual === 'number' && compareNumber(actual, clause.comparator, clause.value);
    }
    case 'list': {
      const actual = item.attributes[clause.key];
      if (actual === undefined) return false;
      return clause.values.includes(String(actual)) === (clause.comparator === 'IN');
    }
  }
}

function compareText(actual: string, comparator: TextComparator, value: string): boolean {
  switch (comparator) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case 'LIKE':
      return likeMatcher(value, false)(actual);
    case 'ILIKE':
      return likeMatcher(value, true)(actual);
  }
}

function compareNumber(actual: number, comparator: NumberComparator, value: number): boolean {
  switch (comparator) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
  }
}

type LikeToken = { kind: 'run' } | { kind: 'one' } | { kind: 'char'; char: string };

/**
 * A SQL LIKE pattern as a matcher: `%` any run, `_` one character, `\x` the character x. Matched
 * greedily with one backtrack point, in at most (text × pattern) steps — a regular expression
 * would backtrack exponentially on patterns such as `%a%a%a%…%b`.
 */
export function likeMatcher(pattern: string, ignoreCase: boolean): (text: string) => boolean {
  const chars = [...(ignoreCase ? pattern.toLowerCase() : pattern)];
  const tokens: LikeToken[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) tokens.push({ kind: 'char', char: chars[++i]! });
    else if (c === '%') tokens.push({ kind: 'run' });
    else if (c === '_') tokens.push({ kind: 'one' });
    else tokens.push({ kind: 'char', char: c });
  }
  return (input) => likeMatches([...(ignoreCase ? input.toLowerCase() : input)], tokens);
}

function likeMatches(text: readonly string[], pattern: readonly LikeToken[]): boolean {
  let t = 0;
  let p = 0;
  // the last `%` seen, and where in the text it was tried to end
  let run = -1;
  let runEnd = 0;
  while (t < text.length) {
    const token = pattern[p];
    if (token && (token.kind === 'one' || (token.kind === 'char' && token.char === text[t]))) {
      t++;
      p++;
    } else if (token?.kind === 'run') {
      run = p++;
      runEnd = t;
    } else if (run >= 0) {
      // let the last `%` take one more character and try again from there
      p = run + 1;
      t = ++runEnd;
    } else {
      return false;
    }
  }
  while (pattern[p]?.kind === 'run') p++;
  return p === pattern.length;
}
