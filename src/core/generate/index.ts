// Rubric-guided synthetic preference data (the CPT data pipeline): a teacher writes each task at several
// levels of a rubric, the swap trick pairs the outputs, and everything resumes after a kill.
export * from './types';
export { runGenerate } from './run';
export {
  DEFAULT_GENERATE_SAMPLING,
  type GenerateRun,
  type GenerateOutcome,
  type GenerateFiles,
  type GenerateJudge,
  type JudgeTextFn,
  type NearestLevelFn,
} from './run-types';
export { parseInput, passageId, type ParsedInput } from './input';
export {
  LEVEL_QUALIFIER,
  TEACHER_PROMPT_VERSION,
  teacherPrompt,
  summarizePrompt,
  studentPrompt,
  rubricAsGradingText,
} from './prompts';
export { readSamples, sampleKey, SampleWriter, sampleProblem } from './samples';
export { swapTrickPairs } from './pairs';
export { GenerateConfigError, configDifferences, makeConfig, teacherRubricHash, type GenerateConfig } from './config';
export {
  readDirectivesFile,
  writeDirectivesFile,
  cleanDirective,
  type DirectivesFile,
  type DirectivesEntry,
} from './directives-file';
export { setRubricDirectives, type SetDirectivesResult } from './rubric-directives';
export { formatGenerateReport } from './report';
