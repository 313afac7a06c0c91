// core/eval: does the judged score follow the requested level? The metrics of the CPT paper over judged
// rewrites (accuracy, Kendall's τ-b, Spearman's ρ, order accuracy), the samples file an evaluation appends
// to, the run that fills it, and the report (JSON, Markdown, SVG) computed from it alone.
export { kendallTauB, spearmanRho, averageRanks, pearson } from './correlation';
export {
  accuracy,
  orderAccuracy,
  levelStats,
  quantile,
  computeMetrics,
  METRIC_DEFINITIONS,
  type Scored,
} from './metrics';
export type { EvalText, EvalSample, SkippedLine, LevelStats, EvalMetrics, EvalRow, EvalReport } from './types';
export { evalSampleKey, evalSampleProblem, readEvalSamples, type ReadEvalSamples } from './samples';
export { parseEvalTexts, parseEvalTasks, type ParsedEvalTexts } from './texts';
export { computeReport, rowSetup } from './report';
export { formatReportMarkdown } from './markdown';
export { reportSvg, scoresByRow } from './chart';
export { writeReportFiles, reportFilesIn, type ReportFiles } from './files';
export { runEval } from './run';
export {
  checkEvalRun,
  EvalConfigError,
  EvalStoppedError,
  type EvalRun,
  type EvalModelHandle,
  type EvalProgress,
  type EvalOutcome,
} from './run-types';
export { evalSeed } from './plan';
export { skippedTextsLine } from './markdown';
export { evalModelIdentity, EVAL_SAMPLE_MINIMUM } from './samples';
export type { SampleAdapter, SkippedText } from './types';
