// DIR/samples.jsonl of an evaluation: one judged rewrite a line, appended and flushed as each finishes
// (core/generate's SampleWriter), so a killed run loses only the sample in flight and a re-run skips
// what is there. Lines that cannot be read are skipped and reported by line number; the rest count.
import { SampleWriter } from '../generate/samples';
import { readJsonl } from '../jsonl/read';
import { PROMPT_MODES } from '../prompts/types';
import * as v from 'valibot';
import { fields, firstProblem } from '../schema/problem';
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
    'model' | 'modelFingerprint' | 'adapters' | 'mode' | 'bestOf' | 'task' | 'textId' | 'rubric' | 'level' | 'sample'
  >,
): string {
  const head = [
    evalModelIdentity(s),
    s.mode,
    ...((s.bestOf ?? 1) > 1 ? [`best-of-${s.bestOf}`] : []),
    ...(s.task ? ['task'] : []),
  ];
  return JSON.stringify([...head, s.textId, s.rubric, s.level, s.sample]);
}

/** The fields a samples line must have; every other field is optional (see EvalSample for the defaults). */
export const EVAL_SAMPLE_MINIMUM = ['textId', 'rubric', 'level', 'target', 'mode', 'model', 'output', 'score', 'judge'];

const text = (key: string, nonEmpty = true) => {
  const message = `"${key}" must be ${nonEmpty ? 'non-empty text' : 'text'}`;
  return nonEmpty ? v.pipe(v.string(message), v.minLength(1, message)) : v.string(message);
};
const number = (message: string, min: number, max = Infinity, integer = false) =>
  v.pipe(
    v.number(message),
    v.check((n) => (!integer || Number.isInteger(n)) && n >= min && n <= max, message),
  );
const adaptersMessage = '"adapters" must be a list of {"label","fingerprint","scale"}';

// Entries in the order they are checked: the first problem found is the one reported. Unknown keys pass.
const evalSampleLine = fields(
  {
    textId: text('textId'),
    rubric: text('rubric'),
    model: text('model'),
    judge: text('judge'),
    output: text('output', false),
    critique: v.optional(text('critique', false)),
    mode: v.picklist(PROMPT_MODES, `"mode" must be ${PROMPT_MODES.join(', ')}`),
    bestOf: v.optional(number('"bestOf" must be a whole number of at least 1', 1, Infinity, true)),
    judgements: v.optional(number('"judgements" must be a whole number', 0, Infinity, true)),
    level: v.picklist([1, 2, 3, 4, 5], '"level" must be 1..5'),
    target: number('"target" must be a number 0..100', 0, 100),
    score: number('"score" must be a whole number from 0 to 100', 0, 100, true),
    sample: v.optional(number('"sample" must be a whole number', 0, Infinity, true)),
    seconds: v.optional(number('"seconds" must be a number of at least 0', 0)),
    truncated: v.optional(v.boolean('"truncated" must be true or false')),
    task: v.optional(v.boolean('"task" must be true or false')),
    modelFingerprint: v.optional(text('modelFingerprint')),
    adapters: v.optional(
      v.array(
        v.object(
          {
            label: v.string(adaptersMessage),
            fingerprint: v.string(adaptersMessage),
            scale: v.number(adaptersMessage),
          },
          adaptersMessage,
        ),
        adaptersMessage,
      ),
    ),
  },
  () => 'not a JSON object',
);

/** What is wrong with a samples-file line's value; undefined when it is a valid sample. */
export function evalSampleProblem(value: unknown): string | undefined {
  return firstProblem(evalSampleLine, value, { path: false });
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
      : `${file}:${r.line}: the line was cut off mid-write (an interrupted run); removed it, and its sample will ` +
        `be made again`;
  return { samples, lines, skipped, ...(repaired ? { repaired } : {}) };
}
