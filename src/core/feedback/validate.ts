// Runtime checks for feedback events: the log is read back from disk, so nothing in it is trusted.
import { FEEDBACK_SCHEMA_VERSION } from './types';
import type { DecisionEvent, FeedbackEvent, RewriteEvent } from './types';

export type ValidationResult = { ok: true; event: FeedbackEvent } | { ok: false; reason: string };

const DECISIONS = ['accepted', 'rejected', 'edited'] as const;
const MODES = ['directive', 'rubric'] as const;

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects the first problem found; each check returns false once something failed so callers can stop early. */
class Checker {
  problem: string | undefined;
  fail(message: string): false {
    this.problem ??= message;
    return false;
  }
  string(o: Obj, key: string, where: string, nonEmpty = false): boolean {
    const v = o[key];
    if (typeof v !== 'string') return this.fail(`${where}${key} must be a string, got ${describe(v)}`);
    if (nonEmpty && v.length === 0) return this.fail(`${where}${key} must not be empty`);
    return true;
  }
  object(o: Obj, key: string, where: string): Obj | undefined {
    const v = o[key];
    if (!isObject(v)) {
      this.fail(`${where}${key} must be an object, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }
  time(o: Obj): boolean {
    if (!this.string(o, 'time', '', true)) return false;
    if (Number.isNaN(Date.parse(o.time as string))) return this.fail(`time is not a date: ${JSON.stringify(o.time)}`);
    return true;
  }
  optionalNumber(o: Obj, key: string, where: string, integer = false): boolean {
    const v = o[key];
    if (v === undefined) return true;
    if (typeof v !== 'number' || !Number.isFinite(v))
      return this.fail(`${where}${key} must be a finite number, got ${describe(v)}`);
    if (integer && !Number.isInteger(v)) return this.fail(`${where}${key} must be an integer, got ${v}`);
    return true;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string` : JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return typeof v === 'undefined' ? 'nothing' : `${typeof v} ${String(v)}`;
}

function checkRewrite(o: Obj, c: Checker): void {
  c.string(o, 'id', '', true);
  c.time(o);
  const rubric = c.object(o, 'rubric', '');
  if (rubric) {
    c.string(rubric, 'id', 'rubric.', true);
    c.string(rubric, 'hash', 'rubric.');
  }
  const level = o.level;
  if (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > 5) {
    c.fail(`level must be an integer 1-5, got ${describe(level)}`);
  }
  if (!MODES.includes(o.mode as (typeof MODES)[number]))
    c.fail(`mode must be one of ${MODES.join(', ')}, got ${describe(o.mode)}`);
  for (const key of ['system', 'user', 'original', 'output']) c.string(o, key, '');
  const model = c.object(o, 'model', '');
  if (model) {
    c.string(model, 'name', 'model.');
    c.string(model, 'file', 'model.');
    checkModelIdentity(model, c);
  }
  const sampling = c.object(o, 'sampling', '');
  if (sampling) {
    c.optionalNumber(sampling, 'temperature', 'sampling.');
    c.optionalNumber(sampling, 'maxTokens', 'sampling.', true);
    c.optionalNumber(sampling, 'seed', 'sampling.', true);
  }
  const doc = c.object(o, 'document', '');
  if (doc) {
    c.string(doc, 'languageId', 'document.');
    c.string(doc, 'path', 'document.');
  }
  checkRewriteExtras(o, c);
}

/** The model's optional content identity: label, fingerprint, and adapters (each label, fingerprint, scale). */
function checkModelIdentity(model: Obj, c: Checker): void {
  if (model.label !== undefined) c.string(model, 'label', 'model.', true);
  if (model.fingerprint !== undefined) c.string(model, 'fingerprint', 'model.', true);
  if (model.adapters === undefined) return;
  if (!Array.isArray(model.adapters)) {
    c.fail(`model.adapters must be a list, got ${describe(model.adapters)}`);
    return;
  }
  model.adapters.every((a: unknown, i) => {
    const where = `model.adapters[${i}].`;
    if (!a || typeof a !== 'object' || Array.isArray(a)) return c.fail(`${where.slice(0, -1)} must be an object`);
    const o = a as Obj;
    if (typeof o.scale !== 'number' || !Number.isFinite(o.scale)) return c.fail(`${where}scale must be a number`);
    return c.string(o, 'label', where, true) && c.string(o, 'fingerprint', where, true);
  });
}

/** The optional fields of the markup guard, note and context, and parts. */
function checkRewriteExtras(o: Obj, c: Checker): void {
  const lost = o.markupLost;
  if (lost !== undefined && (!Array.isArray(lost) || lost.some((x) => typeof x !== 'string'))) {
    c.fail(`markupLost must be a list of strings, got ${describe(lost)}`);
  }
  if (o.note !== undefined) c.string(o, 'note', '');
  if (o.context !== undefined) {
    const context = c.object(o, 'context', '');
    if (context) {
      c.string(context, 'before', 'context.');
      c.string(context, 'after', 'context.');
    }
  }
  if (o.part !== undefined) {
    const part = c.object(o, 'part', '');
    if (part) {
      const { index, count } = part;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1)
        c.fail(`part.count must be a whole number of at least 1, got ${describe(count)}`);
      else if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count)
        c.fail(`part.index must be a whole number below part.count, got ${describe(index)}`);
      c.string(part, 'group', 'part.', true);
    }
  }
  if (o.candidates !== undefined) checkCandidates(o, c);
}

/** Best-of-N candidates: a non-empty list, each with its output, score, seed and markup report. */
function checkCandidates(o: Obj, c: Checker): void {
  const list = o.candidates;
  if (!Array.isArray(list) || list.length === 0) {
    c.fail(`candidates must be a non-empty list, got ${describe(list)}`);
    return;
  }
  list.every((cand: unknown, i) => {
    const where = `candidates[${i}].`;
    if (!isObject(cand)) return c.fail(`candidates[${i}] must be an object, got ${describe(cand)}`);
    if (!c.string(cand, 'output', where)) return false;
    const score = cand.score;
    if (typeof score !== 'number' || !Number.isInteger(score) || score < 0 || score > 100)
      return c.fail(`${where}score must be a whole number 0-100, got ${describe(score)}`);
    if (typeof cand.seed !== 'number' || !Number.isInteger(cand.seed))
      return c.fail(`${where}seed must be an integer, got ${describe(cand.seed)}`);
    const lost = cand.markupLost;
    if (!Array.isArray(lost) || lost.some((x) => typeof x !== 'string'))
      return c.fail(`${where}markupLost must be a list of strings, got ${describe(lost)}`);
    if (cand.critique !== undefined && !c.string(cand, 'critique', where)) return false;
    return true;
  });
}

function checkDecision(o: Obj, c: Checker): void {
  c.string(o, 'id', '', true);
  c.time(o);
  c.string(o, 'rewriteId', '', true);
  if (!DECISIONS.includes(o.decision as (typeof DECISIONS)[number])) {
    c.fail(`decision must be one of ${DECISIONS.join(', ')}, got ${describe(o.decision)}`);
  }
  c.string(o, 'final', '');
  const k = o.candidate;
  if (k !== undefined && (typeof k !== 'number' || !Number.isInteger(k) || k < 0))
    c.fail(`candidate must be a whole number (an index into the rewrite's candidates), got ${describe(k)}`);
}

/**
 * Checks every field of a parsed log line. Unknown extra keys are allowed (a v1 writer may add
 * metadata); a newer schema version is refused rather than guessed at.
 */
export function validateFeedbackEvent(value: unknown): ValidationResult {
  if (!isObject(value)) return { ok: false, reason: `not a JSON object (got ${describe(value)})` };
  const v = value.v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    return { ok: false, reason: `missing or invalid schema version v (got ${describe(v)})` };
  }
  if (v !== FEEDBACK_SCHEMA_VERSION) {
    return { ok: false, reason: `unsupported schema version v=${v} (this version reads v=${FEEDBACK_SCHEMA_VERSION})` };
  }
  const c = new Checker();
  if (value.type === 'rewrite') checkRewrite(value, c);
  else if (value.type === 'decision') checkDecision(value, c);
  else return { ok: false, reason: `unknown event type ${describe(value.type)} (expected "rewrite" or "decision")` };
  if (c.problem !== undefined) return { ok: false, reason: `invalid ${value.type} event: ${c.problem}` };
  return { ok: true, event: value as unknown as FeedbackEvent };
}

/** Throws a clear error when an event would not be readable back; used before anything is written. */
export function assertFeedbackEvent(value: unknown): asserts value is FeedbackEvent {
  const result = validateFeedbackEvent(value);
  if (!result.ok) throw new Error(`cannot log feedback event: ${result.reason}`);
}

export function isRewriteEvent(e: FeedbackEvent): e is RewriteEvent {
  return e.type === 'rewrite';
}

export function isDecisionEvent(e: FeedbackEvent): e is DecisionEvent {
  return e.type === 'decision';
}
