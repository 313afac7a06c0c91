// The style check: a document's prose paragraphs scored against a rubric, each one's level, and which sit
// off a target level; judgements cached by text, rubric, judge and prompt so a re-check does no model work.
export { proseParagraphs, frontMatterEnd, isProse, type ProseParagraph } from './select';
export { CheckCache, cacheKey, type CacheKeyParts, type CachedOutcome } from './cache';
export { modelFileIdentity, endpointIdentity } from './identity';
export { judgeAll, type CheckJudge, type JudgeOutcome, type JudgeAllOptions } from './judge-all';
export {
  checkDocument,
  medianLevel,
  type CheckOptions,
  type CheckReport,
  type CheckTarget,
  type CheckedParagraph,
  type ParagraphStatus,
} from './run';
export { levelCounts, nextAtLevel } from './levels';
