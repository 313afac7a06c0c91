// `cpt-writer eval --report FILE...`: the report recomputed from saved samples alone; a sample in two files is
// counted once, and a row that would mix two judges' scores is refused.
import path from 'node:path';
import { CliError } from '../command';
import { errorMessage } from '../../core/errors';
import {
  evalModelIdentity,
  evalSampleKey,
  readEvalSamples,
  writeReportFiles,
  type EvalSample,
  type SkippedLine,
} from '../../core/eval';
import { printSkipped, printSummary } from './eval-output';

/**
 * A row holds one instrument's scores: samples of one model and mode judged by two judges, or with two
 * versions of the judge's prompt, are refused, naming a line of each.
 */
function mixedInstrument(samples: readonly EvalSample[], where: ReadonlyMap<EvalSample, string>): void {
  const first = new Map<string, EvalSample>();
  for (const s of samples) {
    const row = JSON.stringify([evalModelIdentity(s), s.mode, s.bestOf ?? 1, s.task ?? false]);
    const f = first.get(row);
    if (!f) {
      first.set(row, s);
      continue;
    }
    const what =
      f.judge !== s.judge
        ? `judged by ${f.judge} at ${where.get(f)} and by ${s.judge} at ${where.get(s)}`
        : f.judgePrompt !== undefined && s.judgePrompt !== undefined && f.judgePrompt !== s.judgePrompt
          ? `scored with judge prompt version ${f.judgePrompt} at ${where.get(f)} and ${s.judgePrompt} at ` +
            `${where.get(s)}`
          : undefined;
    if (what)
      throw new CliError(
        `${s.model} (${s.mode}) is ${what}: one row holds one judge's scores; report these files separately`,
      );
  }
}

/** `--report FILE…`: the report recomputed from saved samples alone, each sample counted once. */
export async function reportOnly(files: string[], outDir: string | undefined): Promise<number> {
  const samples: EvalSample[] = [];
  const skipped: SkippedLine[] = [];
  const seen = new Map<string, string>();
  const where = new Map<EvalSample, string>();
  for (const file of files) {
    let read;
    try {
      read = await readEvalSamples(file);
    } catch (err) {
      throw new CliError(errorMessage(err));
    }
    for (const s of read.skipped) skipped.push(s);
    read.samples.forEach((s, i) => {
      const key = evalSampleKey(s);
      const first = seen.get(key);
      if (first !== undefined) {
        skipped.push({ file, line: read.lines[i], reason: `the same sample as ${first}; counted once` });
        return;
      }
      seen.set(key, `${file}:${read.lines[i]}`);
      samples.push(s);
      where.set(s, `${file}:${read.lines[i]}`);
    });
  }
  mixedInstrument(samples, where);
  printSkipped(skipped);
  if (!samples.length) throw new CliError(`no usable samples in ${files.join(', ')}`);
  const dir = outDir ?? path.dirname(files[0]);
  const { report, files: written } = await writeReportFiles(dir, samples, files, skipped);
  printSummary(report);
  process.stdout.write(`${written.json}\n${written.md}\n${written.svg}\n`);
  return 0;
}
