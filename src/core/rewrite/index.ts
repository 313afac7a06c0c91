// The rewrite use case (rewrite, in use-case.ts) and what it is made of: prompt mode, prompts, sampling,
// clean-up, parts and best-of-N.
export * from './types';
export { runRewrite, samplingFor, DEFAULT_SAMPLING, FRESH_TEMPERATURE } from './run';
export { rewritePrompt, rewritePromptPrefix } from './prompt';
export { resolvePromptMode } from './mode';
export { cleanRewrite, stripWrapper, createOutputCleaner, type OutputCleaner } from './cleanup';
export { languageOfFile } from './language';
export {
  rewriteInParts,
  planParts,
  planRewrite,
  partBudget,
  createPartsPrinter,
  TEMPLATE_TOKENS,
  OUTPUT_GROWTH,
  type PartsJob,
  type PartsOutcome,
  type PartEvent,
  type RewritePart,
  type PartsPrinter,
} from './parts';
export {
  runBestOf,
  rankCandidates,
  loggedCandidates,
  MAX_BEST_OF,
  type BestOfJob,
  type BestOfOutcome,
  type CandidateEvent,
  type ScoredCandidate,
} from './best-of';
export {
  rewrite,
  type RewriteRequest,
  type RewriteOptions,
  type RewriteJudge,
  type RewriteProgress,
  type RewriteProposal,
  type RewriteResult,
  type ProposalPart,
} from './use-case';
