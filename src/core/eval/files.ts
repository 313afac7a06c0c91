// DIR/report.json, DIR/report.md and DIR/report.svg from samples: what a run writes when it ends and
// what `cpt-writer eval --report` writes from saved samples alone.
import path from 'node:path';
import { writeFileAtomic } from '../pairs/export';
import { reportSvg, scoresByRow } from './chart';
import { formatReportMarkdown } from './markdown';
import { computeReport } from './report';
import type { GivenUp } from '../jsonl/attempts';
import type { EvalReport, EvalSample, SkippedLine, SkippedText } from './types';

export interface ReportFiles {
  json: string;
  md: string;
  svg: string;
}

export function reportFilesIn(dir: string): ReportFiles {
  return { json: path.join(dir, 'report.json'), md: path.join(dir, 'report.md'), svg: path.join(dir, 'report.svg') };
}

/** Computes the report from `samples` and writes its three files into `dir` (each replaced whole). */
export async function writeReportFiles(
  dir: string,
  samples: readonly EvalSample[],
  sources: readonly string[],
  skipped: readonly SkippedLine[] = [],
  skippedTexts: readonly SkippedText[] = [],
  givenUp: readonly GivenUp[] = [],
): Promise<{ report: EvalReport; files: ReportFiles }> {
  const report = computeReport(samples, sources, skipped, skippedTexts, givenUp);
  const files = reportFilesIn(dir);
  await writeFileAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(files.svg, reportSvg(report, scoresByRow(report, samples)));
  await writeFileAtomic(files.md, formatReportMarkdown(report, path.basename(files.svg)));
  return { report, files };
}
