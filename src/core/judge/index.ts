// The rubric judge: a text and a rubric → a short critique and one score from 0 to 100 (the CPT paper's
// measuring instrument), with any TextGenerator; and from a score back to the nearest level.
export {
  judgeText,
  judgeTexts,
  parseJudgement,
  judgeSchema,
  judgeMaxTokens,
  JudgeError,
  JudgeCancelledError,
  DEFAULT_MAX_CRITIQUE_CHARS,
  MAX_CRITIQUE_CHARS,
  type JudgeOptions,
  type Judgement,
} from './judge';
export { judgePrompt, JUDGE_PROMPT_VERSION, type JudgePrompt } from './prompt';
export { nearestLevel, distanceToTarget } from './levels';
export { LazyGenerator, type OpenedGenerator } from './lazy';
