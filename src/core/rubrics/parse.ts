// Parses one rubric file and checks it against the rubric schema (README "Rubrics"). Every problem carries the
// line and column of the YAML node it is about, so editors and the CLI can jump straight to it.
// Hostile files are bounded before YAML composes them (RUBRIC_LIMITS: size, control characters, nesting depth)
// and while they are read (aliases and merge keys followed at most RUBRIC_LIMITS.aliases times).
import {
  Composer,
  LineCounter,
  Parser,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type CST,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { rubricHash } from './hash';
import { RUBRIC_LIMITS, fileTooLarge } from './limits';
import { MAX_DIRECTIVE_TOKENS, estimateTokens } from './tokens';
import type { Criterion, Level, Rubric, RubricProblem } from './types';
import { normalizeNewlines } from '../text';

/** Lower-case words of letters and digits joined by single hyphens: `technical-depth`, never `-x`, `x-` or `a--b`. */
export const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** ID_PATTERN in the words every message about a bad id uses. */
export const ID_RULE =
  `lower-case letters and digits, words joined by single hyphens (like technical-depth), at ` +
  `most ${RUBRIC_LIMITS.idChars} characters`;

/** Why `id` is not a valid rubric id, or undefined when it is one. */
export function idProblem(id: string): string | undefined {
  if (id.length <= RUBRIC_LIMITS.idChars && ID_PATTERN.test(id)) return undefined;
  return `id ${quoted(id)} must be ${ID_RULE}`;
}

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

/** Text from the file shown inside a message: on one line and short, whatever the file holds. */
function quoted(s: string): string {
  const flat = s.replace(/\s+/g, ' ');
  return `'${flat.length > 40 ? `${flat.slice(0, 40)}…` : flat}'`;
}

const count = (n: number) => n.toLocaleString('en-US');

class Reporter {
  readonly problems: RubricProblem[] = [];
  readonly lines = new LineCounter();
  /** Where each alias points (the last node anchored with its name before it), filled by indexAnchors. */
  private readonly targets = new Map<Alias, Node | undefined>();
  private aliasesFollowed = 0;
  private aliasLimitReported = false;

  constructor(readonly file: string) {
    this.lines.addNewLine(0);
  }

  /** Line starts of `text` (newlines already normalised to \n). */
  indexLines(text: string): void {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lines.addNewLine(i + 1);
  }

  /**
   * One pass over the document in order: each alias gets the node most recently anchored with its name.
   * Returns the aliases with no such anchor (YAML's composer lets them through).
   */
  indexAnchors(doc: Document): Alias[] {
    const latest = new Map<string, Node>();
    const unresolved: Alias[] = [];
    visit(doc, {
      Node: (_key, node) => {
        if (isAlias(node)) {
          const target = latest.get(node.source);
          if (target) this.targets.set(node, target);
          else unresolved.push(node);
        } else if (node.anchor) {
          latest.set(node.anchor, node);
        }
      },
    });
    return unresolved;
  }

  /**
   * The node an alias stands for (a node that is not an alias is itself). Each alias followed counts
   * toward RUBRIC_LIMITS.aliases; past it, or for an alias with no anchor before it, the value is
   * undefined and the problem is reported at the alias.
   */
  deref(value: unknown): unknown {
    let node = value;
    // An anchor cannot sit on an alias, so one hop reaches a node; the loop only guards that.
    while (isAlias(node)) {
      const alias: Alias = node;
      if (++this.aliasesFollowed > RUBRIC_LIMITS.aliases) {
        if (!this.aliasLimitReported) {
          this.aliasLimitReported = true;
          this.error(
            alias,
            `more than ${RUBRIC_LIMITS.aliases} aliases (*name) are followed in this file; write the values out ` +
              `instead`,
          );
        }
        return undefined;
      }
      // indexAnchors found every alias a target before reading started (or reading stopped).
      node = this.targets.get(alias);
    }
    return node;
  }

  position(offset: number): { line: number; col: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line: Math.max(1, line), col: Math.max(1, col) };
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

/** One key and its value in a mapping, the value's aliases already followed. */
interface Entry {
  key: Node | null;
  /** The key's name when it is a plain string or number. */
  name?: string;
  value: unknown;
}

/** A null value (`key:` with nothing after it) has a zero-width range on the next line; point at the key. */
function valueOrKey(entry: Entry): Node | null {
  const v = entry.value as Node | null | undefined;
  if (v && !(isScalar(v) && v.value === null)) return v;
  return entry.key;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}

function keyName(key: unknown): string | undefined {
  if (isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return undefined;
}

/**
 * A mapping's entries with merge keys (`<<: *base`, `<<: [*a, *b]`) applied as YAML defines them: the
 * mapping's own keys win, then earlier merged mappings over later ones. A mapping merged into itself
 * (through an alias) is merged once.
 */
function entriesOf(r: Reporter, map: YAMLMap<unknown, unknown>, seen = new Set<YAMLMap<unknown, unknown>>()): Entry[] {
  seen.add(map);
  const own: Entry[] = [];
  const merged: Entry[] = [];
  for (const pair of map.items as Pair<unknown, unknown>[]) {
    const key = r.deref(pair.key);
    if (!isMergeKey(key)) {
      own.push({ key: (key as Node | null) ?? null, name: keyName(key), value: r.deref(pair.value) });
      continue;
    }
    const source = r.deref(pair.value);
    const sources = isSeq(source) ? source.items.map((item) => r.deref(item)) : [source];
    for (const s of sources) {
      if (!isMap(s)) {
        r.error(
          (s as Node | null) ?? (pair.key as Node),
          `a merge key '<<' takes a mapping or a list of mappings, got ${describe(s)}`,
        );
        continue;
      }
      if (!seen.has(s)) merged.push(...entriesOf(r, s, seen));
    }
  }
  const out = [...own];
  const names = new Set(own.map((e) => e.name));
  for (const e of merged) {
    if (e.name !== undefined && names.has(e.name)) continue;
    names.add(e.name);
    out.push(e);
  }
  return out;
}

/** Collects a mapping's entries by key, warning about keys outside `known`. */
function fieldsOf(
  r: Reporter,
  map: YAMLMap<unknown, unknown>,
  known: readonly string[],
  where: string,
): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const entry of entriesOf(r, map)) {
    if (entry.name === undefined) {
      r.error(entry.key, `${where}: keys must be plain names, got ${describe(entry.key)}`);
      continue;
    }
    if (!known.includes(entry.name)) {
      r.warn(entry.key, `unknown key ${quoted(entry.name)} in ${where} (ignored; expected one of ${known.join(', ')})`);
      continue;
    }
    out.set(entry.name, entry);
  }
  return out;
}

/** Line endings unified and outer whitespace trimmed (block scalars end with a newline). */
export function normaliseText(s: string): string {
  return normalizeNewlines(s).trim();
}

/** Control characters a value may not hold: C0 but tab and newline, DEL, C1. */
const CONTROL_IN_VALUE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function codePoint(ch: string): string {
  return `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Non-empty text within `limit` characters, or undefined (the problem reported at `node`). */
function checkedText(r: Reporter, node: Node, raw: string, what: string, limit: number): string | undefined {
  const text = normaliseText(raw);
  if (!text) {
    r.error(node, `${what} is empty`);
    return undefined;
  }
  if (text.length > limit) {
    r.error(node, `${what} is ${count(text.length)} characters long; the limit is ${count(limit)}`);
    return undefined;
  }
  // The file itself has none (characterProblems), but a YAML escape such as "\e" or "\x07" makes one.
  const control = CONTROL_IN_VALUE.exec(text);
  if (control) {
    r.error(node, `${what} holds control character ${codePoint(control[0])} (written as a YAML escape); remove it`);
    return undefined;
  }
  return text;
}

function readText(r: Reporter, entry: Entry, what: string, limit: number): string | undefined {
  const v = entry.value;
  if (isScalar(v) && typeof v.value === 'string') return checkedText(r, v, v.value, what, limit);
  r.error(valueOrKey(entry), `${what} must be text, got ${describe(v)}`);
  return undefined;
}

function readFive(r: Reporter, entry: Entry, what: string, countHint: string, limit: number): Five | undefined {
  const seq = entry.value;
  if (!isSeq(seq)) {
    r.error(valueOrKey(entry), `${what} must be a list of 5 ${countHint}, got ${describe(seq)}`);
    return undefined;
  }
  const node = seq as unknown as Node;
  if (seq.items.length !== 5) {
    r.error(node, `${what} must have exactly 5 entries (${countHint}), got ${count(seq.items.length)}`);
    return undefined;
  }
  const out: string[] = [];
  seq.items.forEach((raw, i) => {
    const item = r.deref(raw);
    if (isScalar(item) && typeof item.value === 'string' && normaliseText(item.value)) {
      const text = checkedText(r, item, item.value, `${what}: entry ${i + 1}`, limit);
      if (text !== undefined) out.push(text);
    } else {
      r.error(
        (item as Node | null) ?? (raw as Node | null) ?? node,
        `${what}: entry ${i + 1} must be non-empty text, got ${describe(item)}`,
      );
    }
  });
  return out.length === 5 ? (out as Five) : undefined;
}

function readCriteria(r: Reporter, entry: Entry): Criterion[] | undefined {
  const seq = entry.value;
  if (!isSeq(seq) || seq.items.length === 0) {
    r.error(
      valueOrKey(entry),
      `criteria must be a non-empty list of {name, weight, levels}, got ` +
        `${isSeq(seq) ? 'an empty list' : describe(seq)}`,
    );
    return undefined;
  }
  const criteria: Criterion[] = [];
  const weights: number[] = [];
  let weightsKnown = true;
  const seenNames = new Map<string, number>();
  seq.items.forEach((raw, i) => {
    const where = `criteria[${i + 1}]`;
    const item = r.deref(raw);
    if (!isMap(item)) {
      r.error(
        (item as Node | null) ?? (raw as Node | null) ?? (seq as unknown as Node),
        `${where} must be a mapping with name, weight and levels, got ${describe(item)}`,
      );
      weightsKnown = false;
      return;
    }
    const fields = fieldsOf(r, item, CRITERION_KEYS, where);
    for (const key of CRITERION_KEYS) {
      if (!fields.has(key)) r.error(item as unknown as Node, `${where} is missing '${key}'`);
    }
    const nameEntry = fields.get('name');
    const name = nameEntry ? readText(r, nameEntry, `${where}.name`, RUBRIC_LIMITS.nameChars) : undefined;
    if (name !== undefined && nameEntry) {
      const first = seenNames.get(name.toLowerCase());
      if (first !== undefined)
        r.error(nameEntry.value as Node, `duplicate criterion name ${quoted(name)} (also criteria[${first}])`);
      else seenNames.set(name.toLowerCase(), i + 1);
    }
    let weight: number | undefined;
    const weightEntry = fields.get('weight');
    if (weightEntry) {
      const v = weightEntry.value;
      if (isScalar(v) && typeof v.value === 'number' && Number.isFinite(v.value) && v.value > 0) weight = v.value;
      else r.error(valueOrKey(weightEntry), `${where}.weight must be a positive number (percent), got ${describe(v)}`);
    }
    if (weight === undefined) weightsKnown = false;
    else weights.push(weight);
    const levelsEntry = fields.get('levels');
    const levels = levelsEntry
      ? readFive(r, levelsEntry, `${where}.levels`, 'descriptions, level 1 → 5', RUBRIC_LIMITS.textChars)
      : undefined;
    if (name !== undefined && weight !== undefined && levels) criteria.push({ name, weight, levels });
  });
  if (weightsKnown) {
    const sum = weights.reduce((s, w) => s + w, 0);
    // Round to hide float noise such as 33.3 + 33.3 + 33.4 = 99.99999999999999.
    const shown = Math.round(sum * 1000) / 1000;
    if (Math.abs(sum - 100) > 1e-6) r.error(entry.key, `criterion weights sum to ${shown}, not 100`);
  }
  return criteria.length === seq.items.length ? criteria : undefined;
}

function readDirectives(r: Reporter, entry: Entry): Partial<Record<Level, string>> | undefined {
  const map = entry.value;
  if (isScalar(map) && map.value === null) return {};
  if (!isMap(map)) {
    r.error(valueOrKey(entry), `directives must be a mapping of level (1..5) to text, got ${describe(map)}`);
    return undefined;
  }
  const out: Partial<Record<Level, string>> = {};
  for (const item of entriesOf(r, map)) {
    const key = item.key;
    const raw = isScalar(key) ? key.value : undefined;
    const level =
      typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(level) || level < 1 || level > 5) {
      r.error(
        key,
        `directive key must be a level 1..5, got ` +
          `${isScalar(key) && typeof raw !== 'symbol' ? quoted(String(raw)) : describe(key)}`,
      );
      continue;
    }
    const text = readText(r, item, `directive for level ${level}`, RUBRIC_LIMITS.textChars);
    if (text === undefined) continue;
    if (out[level as Level] !== undefined) {
      r.error(key, `directive for level ${level} is given twice`);
      continue;
    }
    const tokens = estimateTokens(text);
    if (tokens > MAX_DIRECTIVE_TOKENS) {
      r.error(
        item.value as Node,
        `directive for level ${level} is about ${tokens} tokens; keep it under ${MAX_DIRECTIVE_TOKENS} (CPT ` +
          `prompts are truncated there)`,
      );
      continue;
    }
    out[level as Level] = text;
  }
  return out;
}

/**
 * Parses and validates one rubric file's text. `file` is used in problems and `source`. Problems come in file order.
 */
export function parseRubricText(text: string, file: string, builtin = false): ParsedRubric {
  const parsed = checkRubricText(text, file, builtin);
  parsed.problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return parsed;
}

/**
 * Characters YAML does not allow in a file (C0 controls other than tab and newline, DEL, C1 controls
 * other than NEL, U+FFFE/U+FFFF), and U+FEFF, which YAML allows only as the byte-order mark that opens a
 * file. Kept out of the rubric, a stray one cannot end up invisible in an id, a prompt or a terminal.
 */
const NOT_ALLOWED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufeff\ufffe\uffff]/g;

function characterProblems(r: Reporter, text: string): void {
  let found = 0;
  for (const m of text.matchAll(NOT_ALLOWED)) {
    if (++found > 5) {
      r.error(m.index, 'more characters that are not allowed follow (only the first 5 are listed)');
      return;
    }
    const ch = m[0];
    const code = codePoint(ch);
    r.error(
      m.index,
      ch === '\ufeff'
        ? `a byte-order mark (${code}, invisible) is allowed only as the very first character of the file; delete ` +
            `this one`
        : `control character ${code} is not allowed in a rubric file (YAML allows only printable text); delete it`,
    );
  }
}

/** The offset of the first collection nested deeper than RUBRIC_LIMITS.depth, walking the CST without recursion. */
function tooDeepAt(tokens: readonly CST.Token[]): number | undefined {
  const stack: { token: CST.Token | null | undefined; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length) {
    const { token, depth } = stack.pop()!;
    if (!token) continue;
    if (token.type === 'document') {
      stack.push({ token: token.value, depth });
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > RUBRIC_LIMITS.depth) return token.offset;
      for (const item of token.items as readonly { key?: CST.Token | null; value?: CST.Token }[]) {
        stack.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** The first YAML document of `text`, or undefined with the problems reported. */
function composeFirstDocument(r: Reporter, text: string): Document.Parsed | undefined {
  const tokens = [...new Parser().parse(text)];
  const deep = tooDeepAt(tokens);
  if (deep !== undefined) {
    r.error(
      deep,
      `YAML nested more than ${RUBRIC_LIMITS.depth} levels deep here (a rubric needs 4); this is not a rubric`,
    );
    return undefined;
  }
  const docs = [
    ...new Composer({ prettyErrors: false, uniqueKeys: true, merge: true }).compose(tokens, true, text.length),
  ];
  const doc = docs[0];
  if (!doc) return undefined;
  const errors = doc.errors.map((e) => ({ at: e.pos[0], message: e.message.split('\n')[0] }));
  if (docs.length > 1)
    errors.push({
      at: docs[1].range[0],
      message: 'a rubric file holds one YAML document; remove the second (after ---)',
    });
  for (const e of errors.slice(0, RUBRIC_LIMITS.shownErrors)) r.error(e.at, `YAML syntax error: ${e.message}`);
  if (errors.length > RUBRIC_LIMITS.shownErrors) {
    r.error(
      errors[RUBRIC_LIMITS.shownErrors].at,
      `${count(errors.length - RUBRIC_LIMITS.shownErrors)} more YAML syntax errors (only the first ` +
        `${RUBRIC_LIMITS.shownErrors} are listed)`,
    );
  }
  if (errors.length) return undefined;
  for (const w of doc.warnings.slice(0, RUBRIC_LIMITS.shownErrors)) r.warn(w.pos[0], w.message.split('\n')[0]);
  const unresolved = r.indexAnchors(doc);
  for (const alias of unresolved.slice(0, RUBRIC_LIMITS.shownErrors)) {
    r.error(alias, `alias *${quoted(alias.source).slice(1, -1)} refers to no anchor (&name) before it`);
  }
  return unresolved.length ? undefined : doc;
}

function checkRubricText(original: string, file: string, builtin: boolean): ParsedRubric {
  const r = new Reporter(file);
  const bytes = Buffer.byteLength(original, 'utf8');
  if (bytes > RUBRIC_LIMITS.fileBytes) {
    r.error(0, fileTooLarge(bytes));
    return { problems: r.problems };
  }
  // Positions stay right: only line ends change, and a leading byte-order mark is no column in an editor.
  const text = normalizeNewlines(original.startsWith('\ufeff') ? original.slice(1) : original);
  r.indexLines(text);
  characterProblems(r, text);
  if (r.hasErrors) return { problems: r.problems };
  const doc = composeFirstDocument(r, text);
  if (!doc) return { problems: r.problems };

  const root = r.deref(doc.contents);
  if (!isMap(root)) {
    const what = root === null ? 'an empty file' : describe(root);
    r.error(root as Node | null, `a rubric must be a mapping with ${REQUIRED_KEYS.join(', ')}; got ${what}`);
    return { problems: r.problems };
  }
  const fields = fieldsOf(r, root, TOP_LEVEL_KEYS, 'the rubric');
  for (const key of REQUIRED_KEYS) {
    if (!fields.has(key)) r.error(root as unknown as Node, `missing required field '${key}'`);
  }

  let id: string | undefined;
  let idPosition: ParsedRubric['idPosition'];
  const idEntry = fields.get('id');
  if (idEntry) {
    const at = valueOrKey(idEntry);
    idPosition = r.position(at?.range?.[0] ?? 0);
    const v = idEntry.value;
    if (isScalar(v) && typeof v.value === 'string' && normaliseText(v.value)) {
      id = normaliseText(v.value);
      const problem = idProblem(id);
      if (problem) {
        r.error(at, problem);
        id = undefined;
      }
    } else {
      id = readText(r, idEntry, 'id', RUBRIC_LIMITS.idChars);
    }
  }
  const field = (key: 'title' | 'summary', limit: number) =>
    fields.has(key) ? readText(r, fields.get(key)!, key, limit) : undefined;
  const title = field('title', RUBRIC_LIMITS.nameChars);
  const summary = field('summary', RUBRIC_LIMITS.textChars);
  const levelsEntry = fields.get('levels');
  const levels = levelsEntry
    ? readFive(r, levelsEntry, 'levels', 'level names, level 1 → 5', RUBRIC_LIMITS.nameChars)
    : undefined;
  if (levels && levelsEntry && isSeq(levelsEntry.value)) {
    const items = levelsEntry.value.items;
    const seen = new Set<string>();
    levels.forEach((name, i) => {
      if (seen.has(name.toLowerCase())) r.error(items[i] as Node, `level name ${quoted(name)} is used twice`);
      seen.add(name.toLowerCase());
    });
  }
  const criteria = fields.has('criteria') ? readCriteria(r, fields.get('criteria')!) : undefined;
  let scoring = '';
  const scoringEntry = fields.get('scoring');
  if (scoringEntry) scoring = readText(r, scoringEntry, 'scoring', RUBRIC_LIMITS.textChars) ?? '';
  const directives = fields.has('directives') ? readDirectives(r, fields.get('directives')!) : {};

  if (r.hasErrors || !id || !title || !summary || !levels || !criteria || !directives) {
    return { problems: r.problems, idPosition };
  }
  const content = { id, title, summary, levels, criteria, scoring, directives };
  const rubric: Rubric = { ...content, source: { file, builtin }, hash: rubricHash(content) };
  return { rubric, problems: r.problems, idPosition };
}
