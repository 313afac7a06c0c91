// Runtime checks for feedback events: the log is read back from disk, so nothing in it is trusted. The
// events are valibot schemas (the one schema library of every boundary), checked against the event types.
import * as v from 'valibot';
import { describeValue as describe, fields, firstProblem, got, isPlainObject as isObject } from '../schema/problem';
import { FEEDBACK_SCHEMA_VERSION } from './types';
import type { DecisionEvent, FeedbackEvent, RewriteCandidate, RewriteEvent } from './types';

export type ValidationResult = { ok: true; event: FeedbackEvent } | { ok: false; reason: string };

const DECISIONS = ['accepted', 'rejected', 'edited'] as const;
const MODES = ['directive', 'rubric', 'plain'] as const;

/** Compiles only when A and B are the same type: a schema cannot drift from the event type it checks. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const same = <A, B>(ok: Same<A, B>): Same<A, B> => ok;

const text = v.string(got('must be a string'));
const nonEmptyText = v.pipe(text, v.minLength(1, 'must not be empty'));
const time = v.pipe(
  nonEmptyText,
  v.check(
    (t) => !Number.isNaN(Date.parse(t)),
    (issue) => `is not a date: ${JSON.stringify(issue.input)}`,
  ),
);
const finiteNumber = v.pipe(v.number(got('must be a finite number')), v.finite(got('must be a finite number')));
const optionalNumber = v.optional(finiteNumber);
const optionalInteger = v.optional(
  v.pipe(
    finiteNumber,
    v.integer((issue) => `must be an integer, got ${String(issue.input)}`),
  ),
);
const wholeNumber = (what: string, min: number, max = Infinity) => {
  const message = got(what);
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
};
const stringList = v.custom<string[]>(
  (x) => Array.isArray(x) && x.every((s) => typeof s === 'string'),
  got('must be a list of strings'),
);

const candidate = fields({
  output: text,
  score: wholeNumber('must be a whole number 0-100', 0, 100),
  seed: wholeNumber('must be an integer', -Infinity),
  markupLost: stringList,
  critique: v.optional(text),
});
same<v.InferOutput<typeof candidate>, RewriteCandidate>(true);

const part = v.pipe(
  fields({
    count: wholeNumber('must be a whole number of at least 1', 1),
    index: wholeNumber('must be a whole number below part.count', 0),
    group: nonEmptyText,
  }),
  v.forward(
    v.check(
      (p) => p.index < p.count,
      // The check sees the whole part; the message shows the index it is about.
      (issue) => `must be a whole number below part.count, got ${describe((issue.input as { index: number }).index)}`,
    ),
    ['index'],
  ),
);

// Entries in the order they are checked: the first problem found is the one reported.
const rewriteEvent = fields({
  v: v.literal(FEEDBACK_SCHEMA_VERSION),
  type: v.literal('rewrite'),
  id: nonEmptyText,
  time,
  rubric: fields({ id: nonEmptyText, hash: text }),
  level: v.picklist([1, 2, 3, 4, 5], got('must be an integer 1-5')),
  mode: v.picklist(MODES, got(`must be one of ${MODES.join(', ')}`)),
  system: text,
  user: text,
  original: text,
  output: text,
  model: fields({
    name: text,
    file: text,
    // The model's content identity (core/engine/fingerprint.ts); absent in older logs.
    label: v.optional(nonEmptyText),
    fingerprint: v.optional(nonEmptyText),
    adapters: v.optional(
      v.array(fields({ label: nonEmptyText, fingerprint: nonEmptyText, scale: finiteNumber }), got('must be a list')),
    ),
  }),
  sampling: fields({ temperature: optionalNumber, maxTokens: optionalInteger, seed: optionalInteger }),
  document: fields({ languageId: text, path: text }),
  markupLost: v.optional(stringList),
  note: v.optional(text),
  context: v.optional(fields({ before: text, after: text })),
  part: v.optional(part),
  candidates: v.optional(
    v.pipe(v.array(candidate, got('must be a non-empty list')), v.minLength(1, got('must be a non-empty list'))),
  ),
});
same<v.InferOutput<typeof rewriteEvent>, RewriteEvent>(true);

const decisionEvent = fields({
  v: v.literal(FEEDBACK_SCHEMA_VERSION),
  type: v.literal('decision'),
  id: nonEmptyText,
  time,
  rewriteId: nonEmptyText,
  decision: v.picklist(DECISIONS, got(`must be one of ${DECISIONS.join(', ')}`)),
  final: text,
  candidate: v.optional(wholeNumber("must be a whole number (an index into the rewrite's candidates)", 0)),
});
same<v.InferOutput<typeof decisionEvent>, DecisionEvent>(true);

/**
 * Checks every field of a parsed log line. Unknown extra keys are allowed (a v1 writer may add
 * metadata); a newer schema version is refused rather than guessed at.
 */
export function validateFeedbackEvent(value: unknown): ValidationResult {
  if (!isObject(value)) return { ok: false, reason: `not a JSON object (got ${describe(value)})` };
  const version = value.v;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, reason: `missing or invalid schema version v (got ${describe(version)})` };
  }
  if (version !== FEEDBACK_SCHEMA_VERSION) {
    const reads = `this version reads v=${FEEDBACK_SCHEMA_VERSION}`;
    return { ok: false, reason: `unsupported schema version v=${version} (${reads})` };
  }
  const schema = value.type === 'rewrite' ? rewriteEvent : value.type === 'decision' ? decisionEvent : undefined;
  if (!schema) {
    return { ok: false, reason: `unknown event type ${describe(value.type)} (expected "rewrite" or "decision")` };
  }
  const problem = firstProblem(schema, value);
  if (problem !== undefined) return { ok: false, reason: `invalid ${value.type} event: ${problem}` };
  // The line itself, not valibot's copy: unknown keys a v1 writer added stay with the event.
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
