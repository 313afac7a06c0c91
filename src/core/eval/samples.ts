// DIR/samples.jsonl of an evaluation: one judged rewrite a line, appended and flushed as each finishes
// (core/generate's SampleWriter), so a killed run loses only the sample in flight and a re-run skips
// what is there. Lines that cannot be read are skipped and reported by line number; the rest count.
import { SampleWriter } from '../generate/samples';
import { readJsonl } from '../jsonl/read';
import { PROMPT_MODES } from '../prompts/types';
import { parseLevel } from '../rubrics';
import type { EvalSample, SkippedLine } from './types';

export { SampleWriter };

/**
 * Which model made a sample: its content fingerprint and adapters (fingerprint and scale) when the line has
 * them, else its label. Two files with one name are two models; one file by two paths is one.
 */
export function evalModelIdentity(s: Pick<EvalSample, 'model' | 'modelFingerprint' | 'adapters'>): string {
  if (!s.modelFingerprint) return JSON.stringify(['label', s.model]);
  return JSON.stringify([s.modelFingerprint, (s.adapters ?? []).map((a) => [a.fingerprint, a.scale])]);
}

/** The result a sample is: model identity, prompt mode, best-of N, passage, rubric, level and sample index. */
export function evalSampleKey(
  s: Pick<
    EvalSample,
    'model' | 'modelFingerprint' | 'adapters' | 'mode' | 'bestOf' | 'textId' | 'rubric' | 'level' | 'sample'
  >,
): string {
  const head = [evalModelIdentity(s), s.mode, ...((s.bestOf ?? 1) > 1 ? [`best-of-${s.bestOf}`] : [])];
  return JSON.stringify([...head, s.textId, s.rubric, s.level, s.sample]);
}

/** The fields a samples line must have; every other field is optional (see EvalSample for the defaults). */
export const EVAL_SAMPLE_MINIMUM = ['textId', 'rubric', 'level', 'target', 'mode', 'model', 'output', 'score', 'judge'];

/** What is wrong with a samples-file line's value; undefined when it is a valid sample. */
export function evalSampleProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const o = value as Record<string, unknown>;
  for (const k of ['textId', 'rubric', 'model', 'judge'] as const) {
    if (typeof o[k] !== 'string' || !o[k]) return `"${k}" must be non-empty text`;
  }
  if (typeof o.output !== 'string') return '"output" must be text';
  if (o.critique !== undefined && typeof o.critique !== 'string') return '"critique" must be text';
  if (!(PROMPT_MODES as readonly unknown[]).includes(o.mode)) return `"mode" must be ${PROMPT_MODES.join(', ')}`;
  if (o.bestOf !== undefined && !(Number.isInteger(o.bestOf) && (o.bestOf as number) >= 1))
    return '"bestOf" must be a whole number of at least 1';
  if (o.judgements !== undefined && !(Number.isInteger(o.judgements) && (o.judgements as number) >= 0))
    return '"judgements" must be a whole number';
  if (typeof o.level !== 'number' || parseLevel(o.level) === undefined) return '"level" must be 1..5';
  if (typeof o.target !== 'number' || !(o.target >= 0 && o.target <= 100)) return '"target" must be a number 0..100';
  if (typeof o.score !== 'number' || !Number.isInteger(o.score) || o.score < 0 || o.score > 100)
    return '"score" must be a whole number from 0 to 100';
  if (o.sample !== undefined && (!Number.isInteger(o.sample) || (o.sample as number) < 0))
    return '"sample" must be a whole number';
  if (o.seconds !== undefined && (typeof o.seconds !== 'number' || !(o.seconds >= 0)))
    return '"seconds" must be a number of at least 0';
  if (o.truncated !== undefined && typeof o.truncated !== 'boolean') return '"truncated" must be true or false';
  if (o.modelFingerprint !== undefined && (typeof o.modelFingerprint !== 'string' || !o.modelFingerprint))
    return '"modelFingerprint" must be non-empty text';
  if (o.adapters !== undefined) {
    const ok =
      Array.isArray(o.adapters) &&
      o.adapters.every(
        (a: unknown) =>
          typeof a === 'object' &&
          a !== null &&
          typeof (a as Record<string, unknown>).label === 'string' &&
          typeof (a as Record<string, unknown>).fingerprint === 'string' &&
          typeof (a as Record<string, unknown>).scale === 'number',
      );
    if (!ok) return '"adapters" must be a list of {"label","fingerprint","scale"}';
  }
  return undefined;
}

/** A valid line with its optional fields given their defaults (sample 0, critique '', seconds 0). */
function withDefaults(o: EvalSample): EvalSample {
  return { ...o, sample: o.sample ?? 0, critique: o.critique ?? '', seconds: o.seconds ?? 0 };
}

export interface ReadEvalSamples {
  /** One per key, in file order; a later line with a key already seen is skipped (and reported). */
  samples: EvalSample[];
  /** The 1-based line of each sample, in the same order. */
  lines: number[];
  skipped: SkippedLine[];
  /** What was done to a last line a kill cut off (only when reading with repair). */
  repaired?: string;
}

/**
 * Reads a samples file; a missing file is empty when `missingOk`. With `repair` (a run about to append),
 * a last line without its newline (a kill mid-write) is given one if it is a whole sample, else cut off
 * so the run makes it again; without `repair` (a report) the file is never changed and such a line is
 * skipped like any other bad line.
 */
export async function readEvalSamples(
  file: string,
  options: { repair?: boolean; missingOk?: boolean } = {},
): Promise<ReadEvalSamples> {
  const read = await readJsonl<EvalSample>(file, {
    check: evalSampleProblem,
    missingOk: options.missingOk,
    repairTail: options.repair,
  });
  const skipped: SkippedLine[] = read.problems.map(({ file, line, reason }) => ({ file, line, reason }));
  const samples: EvalSample[] = [];
  const lines: number[] = [];
  const seen = new Map<string, number>();
  for (const { line, value } of read.entries) {
    const sample = withDefaults(value);
    const key = evalSampleKey(sample);
    const first = seen.get(key);
    if (first !== undefined) {
      skipped.push({ file, line, reason: `the same sample as line ${first}; counted once` });
      continue;
    }
    seen.set(key, line);
    samples.push(sample);
    lines.push(line);
  }
  skipped.sort((a, b) => a.line - b.line);
  const r = read.repair;
  const repaired = !r
    ? undefined
    : r.action === 'terminated'
      ? `${file}:${r.line}: the line had no line end (an interrupted write); added it`
      : `${file}:${r.line}: the line was cut off mid-write (an interrupted run); removed it, and its sample will be made again`;
  return { samples, lines, skipped, ...(repaired ? { repaired } : {}) };
}
