// The append-only JSONL feedback log: event shapes, writing, reading and validation.
export * from './types';
export { FeedbackLog, backupLog } from './store';
export { readFeedbackLog } from './read';
export type { SkippedLine, ReadLogResult, ReadLogOptions, SeenIds } from './read';
export { newEventId, createRewriteEvent, createDecisionEvent } from './events';
export type { RewriteEventInit, DecisionEventInit } from './events';
export { validateFeedbackEvent, assertFeedbackEvent, isRewriteEvent, isDecisionEvent } from './validate';
export type { ValidationResult } from './validate';
