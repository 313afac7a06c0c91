// DIR/samples.jsonl: append-only, one output a line, flushed to disk as each output finishes, so a kill
// loses only the requests in flight. A later line for the same output (after judging) supersedes the
// earlier one. A line cut off by a kill is removed on the next run; other bad lines are skipped and reported.
import { JsonlAppender } from '../jsonl/append';
import { readJsonl } from '../jsonl/read';
import * as v from 'valibot';
import { fields, firstProblem } from '../schema/problem';
import type { Level } from '../rubrics/types';
import type { GenerateSample } from './types';

/** The output a sample is: task, rubric, level, sample index. */
export function sampleKey(s: { id: string; rubric: string; level: Level; sample: number }): string {
  return `${s.id}/${s.rubric}/L${s.level}/s${s.sample}`;
}

export interface SkippedSampleLine {
  line: number;
  reason: string;
}

export interface ReadSamplesResult {
  /** The latest line for each output key, in file order of first appearance. */
  samples: Map<string, GenerateSample>;
  skipped: SkippedSampleLine[];
  /** What was done to a last line that a kill cut off, if anything. */
  repaired?: string;
}

const text = (key: string, nonEmpty = true) => {
  const message = `"${key}" must be non-empty text`;
  return nonEmpty ? v.pipe(v.string(message), v.minLength(1, message)) : v.string(message);
};

// Entries in the order they are checked: the first problem found is the one reported. Unknown keys pass.
const sampleLine = fields(
  {
    id: text('id'),
    rubric: text('rubric'),
    // A task may have no system prompt; it must still be text.
    system: text('system', false),
    user: text('user'),
    output: text('output'),
    teacher: text('teacher'),
    sample: v.pipe(
      v.number('"sample" must be a whole number'),
      v.check((n) => Number.isInteger(n) && n >= 0, '"sample" must be a whole number'),
    ),
    level: v.picklist([1, 2, 3, 4, 5], '"level" must be 1..5'),
    score: v.optional(
      v.pipe(
        v.number('"score" must be a number from 0 to 100'),
        v.check((n) => n >= 0 && n <= 100, '"score" must be a number from 0 to 100'),
      ),
    ),
  },
  () => 'not a JSON object',
);

/** A sample line's checks; undefined when it is a valid sample. */
export function sampleProblem(value: unknown): string | undefined {
  return firstProblem(sampleLine, value, { path: false });
}

/**
 * Reads the samples file (missing = empty). A last line without its newline is what a kill mid-write
 * leaves: it is cut off the file (its output is made again) or, if it is a whole sample, given its newline.
 */
export async function readSamples(file: string): Promise<ReadSamplesResult> {
  const read = await readJsonl<GenerateSample>(file, { check: sampleProblem, missingOk: true, repairTail: true });
  const samples = new Map<string, GenerateSample>();
  // Later lines win, but the map keeps the first line's position so the file order stays the order of making.
  for (const { value } of read.entries) samples.set(sampleKey(value), value);
  const skipped: SkippedSampleLine[] = read.problems.map(({ line, reason }) => ({ line, reason }));
  const r = read.repair;
  const repaired = !r
    ? undefined
    : r.action === 'terminated'
      ? `line ${r.line} had no line end (an interrupted write); added it`
      : `line ${r.line} was cut off mid-write (an interrupted run); removed it, and its output will be made again`;
  return { samples, skipped, ...(repaired ? { repaired } : {}) };
}

/**
 * Appends sample lines one at a time, each written whole and flushed to disk before its promise
 * resolves (evaluation samples too); the shared JSONL appender also starts a line after a torn tail on its own line.
 */
export class SampleWriter<T = GenerateSample> {
  private constructor(private readonly appender: JsonlAppender<T>) {}

  get file(): string {
    return this.appender.file;
  }

  static async open<T = GenerateSample>(file: string): Promise<SampleWriter<T>> {
    return new SampleWriter<T>(await JsonlAppender.open<T>(file));
  }

  /** Resolves once the line is on disk. */
  append(sample: T): Promise<void> {
    return this.appender.append(sample);
  }

  close(): Promise<void> {
    return this.appender.close();
  }
}
