// Preference pairs from feedback events: building them (build.ts), splitting, exporting and reporting.
export type { ChatMessage, ContrastCap, PairSource, PreferencePair, KtoExample, PairsResult } from './types';
export { buildPairs, losesMarkup } from './build';
export type { BuildPairsOptions } from './build';
export { DEFAULT_CONTRAST_CAP } from './contrast';
export {
  toFlatPair,
  toJsonl,
  pairRow,
  ktoRow,
  writeJsonlAtomic,
  pairsToJsonl,
  flatPairsToJsonl,
  ktoToJsonl,
  writeFileAtomic,
  testSplitPath,
} from './export';
export type { FlatPair } from './export';
export { splitPairs } from './split';
export type { SplitOptions, SplitResult } from './split';
export { formatPairsReport } from './report';
export type { LogReadSummary, PairsReportInput } from './report';
export { exportPairs, readLogs, plannedOutputs } from './run';
export { datasetCardPath } from './card';
export type { ExportPairsOptions, ExportPairsResult } from './run';
