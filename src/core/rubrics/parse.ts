// Parses one rubric file and checks it against the rubric schema (README "Rubrics"). Every problem carries the
// line and column of the YAML node it is about, so editors and the CLI can jump straight to it.
// Hostile files are bounded before YAML composes them (RUBRIC_LIMITS: size, control characters, nesting depth)
// and while they are read (aliases and merge keys followed at most RUBRIC_LIMITS.aliases times).
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { rubricHash } from './hash';
import { RUBRIC_LIMITS, fileTooLarge } from './limits';
import { MAX_DIRECTIVE_TOKENS, estimateTokens } from './tokens';
import type { Criterion, Level, Rubric, RubricProblem } from './types';
import { normalizeNewlines } from '../text';
import { characterProblems, composeFirstDocument } from './yaml-document';
import {
  Reporter,
  codePoint,
  count,
  describe,
  entriesOf,
  fieldsOf,
  quoted,
  valueOrKey,
  type Entry,
} from './yaml-reader';

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

/** Line endings unified and outer whitespace trimmed (block scalars end with a newline). */
export function normaliseText(s: string): string {
  return normalizeNewlines(s).trim();
}

/** Control characters a value may not hold: C0 but tab and newline, DEL, C1. */
const CONTROL_IN_VALUE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

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
