// Parses one rubric file and checks it against the rubric schema (README "Rubrics"). Every problem carries the
// line and column of the YAML node it is about, so editors and the CLI can jump straight to it.
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { rubricHash } from './hash';
import { MAX_DIRECTIVE_TOKENS, estimateTokens } from './tokens';
import type { Criterion, Level, Rubric, RubricProblem } from './types';
import { normalizeNewlines } from '../text';

export const ID_PATTERN = /^[a-z0-9-]+$/;

const TOP_LEVEL_KEYS = ['id', 'title', 'summary', 'levels', 'criteria', 'scoring', 'directives'] as const;
const REQUIRED_KEYS = ['id', 'title', 'summary', 'levels', 'criteria'] as const;
const CRITERION_KEYS = ['name', 'weight', 'levels'] as const;

type Five = [string, string, string, string, string];

export interface ParsedRubric {
  rubric?: Rubric;
  problems: RubricProblem[];
  /** Where the id's value sits, so a later duplicate can be reported at its own id. */
  idPosition?: { line: number; col: number };
}

class Reporter {
  readonly problems: RubricProblem[] = [];
  private readonly lines = new LineCounter();
  constructor(readonly file: string) {}

  get lineCounter(): LineCounter {
    return this.lines;
  }

  position(offset: number): { line: number; col: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  error(at: Node | number | null | undefined, message: string): void {
    this.push(at, message, 'error');
  }

  warn(at: Node | number | null | undefined, message: string): void {
    this.push(at, `warning: ${message}`, 'warning');
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity !== 'warning');
  }

  private push(at: Node | number | null | undefined, message: string, severity: 'error' | 'warning'): void {
    const offset = typeof at === 'number' ? at : (at?.range?.[0] ?? 0);
    this.problems.push({ file: this.file, ...this.position(offset), message, severity });
  }
}

/** What a YAML value is, in words, for "must be X, got Y" messages. */
function describe(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'number') return `the number ${String(v)}`;
    if (typeof v === 'boolean') return `${String(v)}`;
    if (typeof v === 'string') return 'text';
  }
  return 'something else';
}

/** A null value (`key:` with nothing after it) has a zero-width range on the next line; point at the key. */
function valueOrKey(pair: Pair<unknown, unknown>): Node | null {
  const v = pair.value as Node | null;
  if (v && !(isScalar(v) && v.value === null)) return v;
  return pair.key as Node | null;
}

function readText(r: Reporter, pair: Pair<unknown, unknown>, what: string): string | undefined {
  const v = pair.value;
  if (isScalar(v) && typeof v.value === 'string') {
    const text = normaliseText(v.value);
    if (!text) r.error(v, `${what} is empty`);
    return text || undefined;
  }
  r.error(valueOrKey(pair), `${what} must be text, got ${describe(v)}`);
  return undefined;
}

/** Line endings unified and outer whitespace trimmed (block scalars end with a newline). */
export function normaliseText(s: string): string {
  return normalizeNewlines(s).trim();
}

function readFive(r: Reporter, pair: Pair<unknown, unknown>, what: string, countHint: string): Five | undefined {
  const seq = pair.value;
  if (!isSeq(seq)) {
    r.error(valueOrKey(pair), `${what} must be a list of 5 ${countHint}, got ${describe(seq)}`);
    return undefined;
  }
  const node = seq as unknown as Node;
  if (seq.items.length !== 5) {
    r.error(node, `${what} must have exactly 5 entries (${countHint}), got ${seq.items.length}`);
    return undefined;
  }
  const out: string[] = [];
  seq.items.forEach((item, i) => {
    if (isScalar(item) && typeof item.value === 'string' && normaliseText(item.value)) {
      out.push(normaliseText(item.value));
    } else {
      r.error((item as Node | null) ?? node, `${what}: entry ${i + 1} must be non-empty text, got ${describe(item)}`);
    }
  });
  return out.length === 5 ? (out as Five) : undefined;
}

function keyName(pair: Pair<unknown, unknown>): string | undefined {
  const k = pair.key;
  if (isScalar(k) && (typeof k.value === 'string' || typeof k.value === 'number')) return String(k.value);
  return undefined;
}

/** Collects a mapping's pairs by key, warning about keys outside `known`. */
function pairsOf(r: Reporter, map: YAMLMap<unknown, unknown>, known: readonly string[], where: string): Map<string, Pair<unknown, unknown>> {
  const out = new Map<string, Pair<unknown, unknown>>();
  for (const pair of map.items) {
    const name = keyName(pair);
    if (name === undefined) {
      r.error(pair.key as Node | null, `${where}: keys must be plain names, got ${describe(pair.key)}`);
      continue;
    }
    if (!known.includes(name)) {
      r.warn(pair.key as Node, `unknown key '${name}' in ${where} (ignored; expected one of ${known.join(', ')})`);
      continue;
    }
    out.set(name, pair);
  }
  return out;
}

function readCriteria(r: Reporter, pair: Pair<unknown, unknown>): Criterion[] | undefined {
  const seq = pair.value;
  if (!isSeq(seq) || seq.items.length === 0) {
    r.error(valueOrKey(pair), `criteria must be a non-empty list of {name, weight, levels}, got ${isSeq(seq) ? 'an empty list' : describe(seq)}`);
    return undefined;
  }
  const criteria: Criterion[] = [];
  const weights: number[] = [];
  let weightsKnown = true;
  const seenNames = new Map<string, number>();
  seq.items.forEach((item, i) => {
    const where = `criteria[${i + 1}]`;
    if (!isMap(item)) {
      r.error((item as Node | null) ?? (seq as unknown as Node), `${where} must be a mapping with name, weight and levels, got ${describe(item)}`);
      weightsKnown = false;
      return;
    }
    const fields = pairsOf(r, item, CRITERION_KEYS, where);
    for (const key of CRITERION_KEYS) {
      if (!fields.has(key)) r.error(item as unknown as Node, `${where} is missing '${key}'`);
    }
    const namePair = fields.get('name');
    const name = namePair ? readText(r, namePair, `${where}.name`) : undefined;
    if (name !== undefined && namePair) {
      const first = seenNames.get(name.toLowerCase());
      if (first !== undefined) r.error(namePair.value as Node, `duplicate criterion name '${name}' (also criteria[${first}])`);
      else seenNames.set(name.toLowerCase(), i + 1);
    }
    let weight: number | undefined;
    const weightPair = fields.get('weight');
    if (weightPair) {
      const v = weightPair.value;
      if (isScalar(v) && typeof v.value === 'number' && Number.isFinite(v.value) && v.value > 0) weight = v.value;
      else r.error(valueOrKey(weightPair), `${where}.weight must be a positive number (percent), got ${describe(v)}`);
    }
    if (weight === undefined) weightsKnown = false;
    else weights.push(weight);
    const levelsPair = fields.get('levels');
    const levels = levelsPair ? readFive(r, levelsPair, `${where}.levels`, 'descriptions, level 1 → 5') : undefined;
    if (name !== undefined && weight !== undefined && levels) criteria.push({ name, weight, levels });
  });
  if (weightsKnown) {
    const sum = weights.reduce((s, w) => s + w, 0);
    // Round to hide float noise such as 33.3 + 33.3 + 33.4 = 99.99999999999999.
    const shown = Math.round(sum * 1000) / 1000;
    if (Math.abs(sum - 100) > 1e-6) r.error(pair.key as Node, `criterion weights sum to ${shown}, not 100`);
  }
  return criteria.length === seq.items.length ? criteria : undefined;
}

function readDirectives(r: Reporter, pair: Pair<unknown, unknown>): Partial<Record<Level, string>> | undefined {
  const map = pair.value;
  if (isScalar(map) && map.value === null) return {};
  if (!isMap(map)) {
    r.error(valueOrKey(pair), `directives must be a mapping of level (1..5) to text, got ${describe(map)}`);
    return undefined;
  }
  const out: Partial<Record<Level, string>> = {};
  for (const item of map.items) {
    const key = item.key;
    const raw = isScalar(key) ? key.value : undefined;
    const level = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(level) || level < 1 || level > 5) {
      r.error(key as Node | null, `directive key must be a level 1..5, got ${isScalar(key) ? `'${String(raw)}'` : describe(key)}`);
      continue;
    }
    const text = readText(r, item, `directive for level ${level}`);
    if (text === undefined) continue;
    if (out[level as Level] !== undefined) {
      r.error(key as Node, `directive for level ${level} is given twice`);
      continue;
    }
    const tokens = estimateTokens(text);
    if (tokens > MAX_DIRECTIVE_TOKENS) {
      r.error(item.value as Node, `directive for level ${level} is about ${tokens} tokens; keep it under ${MAX_DIRECTIVE_TOKENS} (CPT prompts are truncated there)`);
      continue;
    }
    out[level as Level] = text;
  }
  return out;
}

/** Parses and validates one rubric file's text. `file` is used in problems and `source`. Problems come in file order. */
export function parseRubricText(text: string, file: string, builtin = false): ParsedRubric {
  const parsed = checkRubricText(text, file, builtin);
  parsed.problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return parsed;
}

function checkRubricText(text: string, file: string, builtin: boolean): ParsedRubric {
  const r = new Reporter(file);
  const doc = parseDocument(text, { lineCounter: r.lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) r.error(e.pos[0], `YAML syntax error: ${e.message.split('\n')[0]}`);
    return { problems: r.problems };
  }
  for (const w of doc.warnings) r.warn(w.pos[0], w.message.split('\n')[0]);

  const root = doc.contents;
  if (!isMap(root)) {
    const what = root === null ? 'an empty file' : describe(root);
    r.error(root as Node | null, `a rubric must be a mapping with ${REQUIRED_KEYS.join(', ')}; got ${what}`);
    return { problems: r.problems };
  }
  const fields = pairsOf(r, root, TOP_LEVEL_KEYS, 'the rubric');
  for (const key of REQUIRED_KEYS) {
    if (!fields.has(key)) r.error(root as unknown as Node, `missing required field '${key}'`);
  }

  let id: string | undefined;
  let idPosition: ParsedRubric['idPosition'];
  const idPair = fields.get('id');
  if (idPair) {
    id = readText(r, idPair, 'id');
    const at = valueOrKey(idPair);
    idPosition = r.position(at?.range?.[0] ?? 0);
    if (id !== undefined && !ID_PATTERN.test(id)) {
      r.error(at, `id '${id}' must match [a-z0-9-]+ (lower-case letters, digits and hyphens)`);
      id = undefined;
    }
  }
  const title = fields.has('title') ? readText(r, fields.get('title')!, 'title') : undefined;
  const summary = fields.has('summary') ? readText(r, fields.get('summary')!, 'summary') : undefined;
  const levels = fields.has('levels') ? readFive(r, fields.get('levels')!, 'levels', 'level names, level 1 → 5') : undefined;
  const levelsSeq = fields.get('levels')?.value;
  if (levels && isSeq(levelsSeq)) {
    const seen = new Set<string>();
    levels.forEach((name, i) => {
      if (seen.has(name.toLowerCase())) r.error(levelsSeq.items[i] as Node, `level name '${name}' is used twice`);
      seen.add(name.toLowerCase());
    });
  }
  const criteria = fields.has('criteria') ? readCriteria(r, fields.get('criteria')!) : undefined;
  let scoring = '';
  const scoringPair = fields.get('scoring');
  if (scoringPair) scoring = readText(r, scoringPair, 'scoring') ?? '';
  const directives = fields.has('directives') ? readDirectives(r, fields.get('directives')!) : {};

  if (r.hasErrors || !id || !title || !summary || !levels || !criteria || !directives) {
    return { problems: r.problems, idPosition };
  }
  const content = { id, title, summary, levels, criteria, scoring, directives };
  const rubric: Rubric = { ...content, source: { file, builtin }, hash: rubricHash(content) };
  return { rubric, problems: r.problems, idPosition };
}
