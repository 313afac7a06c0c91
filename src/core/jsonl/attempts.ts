// DIR/failures.jsonl of an eval or generate run: one line per failed attempt at one item (a sample, an output,
// a judgement), appended like the samples. A re-run reads it so that an item that keeps failing is not tried
// for ever: after MAX_ATTEMPTS failed attempts, over any number of runs, it is given up, named and counted,
// and the run no longer waits on it. Only failures of the item itself are recorded (an empty answer, a
// judgement that could not be read), never ones every item would share (a crashed engine, a server down).
import { JsonlAppender } from './append';
import { readJsonl } from './read';

/** Failed attempts after which an item is given up. */
export const MAX_ATTEMPTS = 3;

export interface AttemptLine {
  v: 1;
  /** The item's key in its samples file (evalSampleKey, sampleKey, or sampleKey + " (judge)"). */
  key: string;
  /** How messages name the item. */
  what: string;
  message: string;
  time: string;
}

/** An item given up: its failed attempts and the last one's message. */
export interface GivenUp {
  what: string;
  attempts: number;
  message: string;
}

function attemptProblem(x: unknown): string | undefined {
  const o = x as Partial<AttemptLine> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) return 'not a JSON object';
  if (typeof o.key !== 'string' || !o.key) return '"key" must be non-empty text';
  if (typeof o.message !== 'string') return '"message" must be text';
  return undefined;
}

export class AttemptLog {
  private appender?: JsonlAppender<AttemptLine>;

  private constructor(
    readonly file: string,
    private readonly counts: Map<string, { attempts: number; message: string }>,
  ) {}

  /** Reads what earlier runs recorded (a missing file is none; unreadable lines are ignored: they only count). */
  static async open(file: string): Promise<AttemptLog> {
    const read = await readJsonl<AttemptLine>(file, { check: attemptProblem, missingOk: true, repairTail: true });
    const counts = new Map<string, { attempts: number; message: string }>();
    for (const { value } of read.entries)
      counts.set(value.key, { attempts: (counts.get(value.key)?.attempts ?? 0) + 1, message: value.message });
    return new AttemptLog(file, counts);
  }

  attempts(key: string): number {
    return this.counts.get(key)?.attempts ?? 0;
  }

  /** The item failed MAX_ATTEMPTS times: it is not tried again. */
  givenUp(key: string, what: string): GivenUp | undefined {
    const c = this.counts.get(key);
    return c && c.attempts >= MAX_ATTEMPTS ? { what, attempts: c.attempts, message: c.message } : undefined;
  }

  /** Records a failed attempt (on disk before it resolves); returns the item's failed attempts so far. */
  async record(key: string, what: string, message: string): Promise<number> {
    this.appender ??= await JsonlAppender.open<AttemptLine>(this.file);
    await this.appender.append({ v: 1, key, what, message, time: new Date().toISOString() });
    const attempts = this.attempts(key) + 1;
    this.counts.set(key, { attempts, message });
    return attempts;
  }

  async close(): Promise<void> {
    await this.appender?.close();
  }
}

/** "2 samples given up after 3 failed attempts each" for reports and summaries. */
export function givenUpLine(givenUp: readonly GivenUp[], noun: string): string {
  const n = givenUp.length;
  return `${n} ${noun}${n === 1 ? '' : 's'} given up after ${MAX_ATTEMPTS} failed attempts${n === 1 ? '' : ' each'}`;
}
