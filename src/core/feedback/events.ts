// Event ids and constructors: callers give the content, these fill in v, type, id and time.
import { randomBytes } from 'node:crypto';
import { FEEDBACK_SCHEMA_VERSION } from './types';
import type { Decision, DecisionEvent, RewriteEvent } from './types';
import { assertFeedbackEvent } from './validate';

/**
 * A random id whose first 12 hex digits are the millisecond clock, so ids sort by creation time
 * (handy when reading a log by eye); the 64 random bits make collisions across processes negligible.
 */
export function newEventId(now: number = Date.now()): string {
  return Math.max(0, Math.floor(now)).toString(16).padStart(12, '0') + randomBytes(8).toString('hex');
}

type Stamp = { id?: string; time?: string };

export type RewriteEventInit = Omit<RewriteEvent, 'v' | 'type' | 'id' | 'time'> & Stamp;
export type DecisionEventInit = { rewriteId: string; decision: Decision; final: string; candidate?: number } & Stamp;

/** Builds and validates a rewrite event (throws with the offending field when something is wrong). */
export function createRewriteEvent(init: RewriteEventInit): RewriteEvent {
  const { id, time, ...rest } = init;
  const event: RewriteEvent = {
    v: FEEDBACK_SCHEMA_VERSION,
    type: 'rewrite',
    id: id ?? newEventId(),
    time: time ?? new Date().toISOString(),
    ...rest,
  };
  assertFeedbackEvent(event);
  return event;
}

/** Builds and validates a decision event about the rewrite `rewriteId`. */
export function createDecisionEvent(init: DecisionEventInit): DecisionEvent {
  const { id, time, candidate, ...rest } = init;
  const event: DecisionEvent = {
    v: FEEDBACK_SCHEMA_VERSION,
    type: 'decision',
    id: id ?? newEventId(),
    time: time ?? new Date().toISOString(),
    ...rest,
    ...(candidate !== undefined ? { candidate } : {}),
  };
  assertFeedbackEvent(event);
  return event;
}
