// The whole "logs → pairs files + report" job, shared by the CLI and the VS Code command.
import { readFeedbackLog } from '../feedback/read';
import type { SeenIds } from '../feedback/read';
import type { FeedbackEvent } from '../feedback/types';
import path from 'node:path';
import { buildPairs } from './build';
import { cardWritable, pairsCard, writeDatasetCard } from './card';
import { ktoRow, pairRow, testSplitPath, toFlatPair, writeJsonlAtomic } from './export';
import { formatPairsReport } from './report';
import type { LogReadSummary, PairsReportInput } from './report';
import { splitPairs } from './split';
import type { ContrastCap, PairsResult, PreferencePair } from './types';

export interface ExportPairsOptions {
  /** Feedback logs, read in this order; a missing one reads as empty (check beforehand if that is an error). */
  logs: string[];
  /** Pairs in TRL's conversational preference format (the train part when split). */
  out: string;
  flat?: string;
  kto?: string;
  /** With a split, each pairs output gets a sibling test file (out.jsonl → out.test.jsonl). */
  split?: { testFraction: number; seed: number };
  /** Limits on contrast pairs per text and rubric (DEFAULT_CONTRAST_CAP when absent). */
  contrastCap?: ContrastCap;
  /**
   * Also write a dataset card here (README.md beside `out`): the YAML header names the split files relative
   * to it. A README.md that is not a card of ours is refused before anything is written.
   */
  card?: string;
}

export interface ExportPairsResult {
  result: PairsResult;
  logs: LogReadSummary[];
  outputs: NonNullable<PairsReportInput['outputs']>;
  /** Markdown, for the terminal or a preview. */
  report: string;
}

/** Every path exportPairs would write, so callers can refuse to clobber a log before anything runs. */
export function plannedOutputs(options: Omit<ExportPairsOptions, 'logs'>): string[] {
  const files = [options.out];
  if (options.split) files.push(testSplitPath(options.out));
  if (options.flat) files.push(options.flat, ...(options.split ? [testSplitPath(options.flat)] : []));
  if (options.kto) files.push(options.kto);
  if (options.card) files.push(options.card);
  return files;
}

export async function readLogs(files: string[]): Promise<{ events: FeedbackEvent[]; logs: LogReadSummary[] }> {
  const events: FeedbackEvent[] = [];
  const logs: LogReadSummary[] = [];
  // One id map across all logs: an event copied into a second log (a backup read with the current log)
  // is reported there and counted once.
  const seen: SeenIds = new Map();
  for (const file of files) {
    const read = await readFeedbackLog(file, { seen });
    // A loop, not push(...events): spreading ~125k arguments overflows the call stack.
    for (const e of read.events) events.push(e);
    logs.push({ file, events: read.events.length, skipped: read.skipped });
  }
  return { events, logs };
}

export async function exportPairs(options: ExportPairsOptions): Promise<ExportPairsResult> {
  if (options.card && !(await cardWritable(options.card)))
    throw new Error(
      `${options.card} is a README of your own, not a dataset card this command wrote: left as it is; ` +
        'write the pairs to another folder or move it',
    );
  const { events, logs } = await readLogs(options.logs);
  const result = buildPairs(events, { contrastCap: options.contrastCap });
  const outputs: ExportPairsResult['outputs'] = [];
  const write = async <T>(
    label: string,
    file: string,
    rows: readonly T[],
    toRow: (row: T) => unknown,
  ): Promise<void> => {
    outputs.push({ label, path: file, rows: await writeJsonlAtomic(file, rows, toRow) });
  };

  let train: PreferencePair[] = result.pairs;
  let test: PreferencePair[] | undefined;
  let split: PairsReportInput['split'];
  if (options.split) {
    const s = splitPairs(result.pairs, { ...options.split, originals: result.originals });
    train = s.train;
    test = s.test;
    split = {
      train: train.length,
      test: test.length,
      testFraction: options.split.testFraction,
      seed: options.split.seed,
      groups: s.groups,
    };
  }
  await write(test ? 'pairs (train)' : 'pairs', options.out, train, pairRow);
  if (test) await write('pairs (test)', testSplitPath(options.out), test, pairRow);
  if (options.flat) {
    await write(test ? 'flat pairs (train)' : 'flat pairs', options.flat, train, toFlatPair);
    if (test) await write('flat pairs (test)', testSplitPath(options.flat), test, toFlatPair);
  }
  if (options.kto)
    await write(test ? 'KTO examples (not split)' : 'KTO examples', options.kto, result.unpaired, ktoRow);

  if (options.card) {
    const near = (file: string) => path.relative(path.dirname(options.card!), file).split(path.sep).join('/');
    await writeDatasetCard(
      options.card,
      pairsCard({
        splits: { train: near(options.out), ...(test ? { test: near(testSplitPath(options.out)) } : {}) },
        train,
        test: test ?? [],
        events,
        result,
        logs,
      }),
    );
    outputs.push({ label: 'dataset card', path: options.card });
  }
  return { result, logs, outputs, report: formatPairsReport({ logs, result, split, outputs }) };
}
