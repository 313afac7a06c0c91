// --summarize, phase 1 of a generate run: the teacher condenses each rubric × level that has no directive
// yet into one, and directives.json is rewritten after each, so a killed run keeps what was made.
import type { TextGenerator } from '../engine/types';
import type { Level, Rubric } from '../rubrics/types';
import { teacherRubricHash } from './config';
import { cleanDirective, type DirectivesFile, writeDirectivesFile } from './directives-file';
import type { RunLedger } from './ledger';
import { outputSeed } from './plan';
import { summarizePrompt } from './prompts';
import type { GenerateProgress, GenerateSampling, InputKind } from './types';

/** Token budget for a summarized directive request; the directive itself is cut to 256 tokens. */
const DIRECTIVE_MAX_TOKENS = 512;

/** Runs `items` with at most `limit` in flight; `stop()` returning true ends the scheduling of new ones. */
async function pool<T>(
  items: readonly T[],
  limit: number,
  stop: () => boolean,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!stop() && next < items.length) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export interface SummarizeRun {
  rubrics: readonly Rubric[];
  levels: readonly Level[];
  kind: InputKind;
  teacher: TextGenerator;
  sampling: GenerateSampling;
  concurrency: number;
  /** Updated in place as each directive is made, and written to `file`. */
  directives: DirectivesFile;
  file: string;
  ledger: RunLedger;
  signal?: AbortSignal;
  onProgress?: (p: GenerateProgress) => void;
}

/** Makes every missing directive; failures go to the ledger, and the others are still made. */
export async function summarizeMissing(s: SummarizeRun): Promise<void> {
  const { directives, ledger } = s;
  const missing = s.rubrics.flatMap((rubric) =>
    s.levels.filter((l) => !directives.rubrics[rubric.id]?.levels[l]).map((level) => ({ rubric, level })),
  );
  let done = 0;
  let writes = Promise.resolve();
  await pool(
    missing,
    s.concurrency,
    () => ledger.stopped(),
    async ({ rubric, level }) => {
      const what = `directive ${rubric.id}/L${level}`;
      let ok = false;
      try {
        const prompt = summarizePrompt(rubric, level, s.kind);
        ledger.requests++;
        const seed = outputSeed(s.sampling.seed, what);
        const r = await s.teacher.generate({
          ...prompt,
          maxTokens: Math.min(DIRECTIVE_MAX_TOKENS, s.sampling.maxTokens),
          temperature: s.sampling.temperature,
          ...(seed !== undefined ? { seed } : {}),
          ...(s.signal ? { signal: s.signal } : {}),
        });
        if (r.stopReason === 'aborted') return;
        const directive = cleanDirective(r.text);
        const entry = (directives.rubrics[rubric.id] ??= {
          title: rubric.title,
          hash: teacherRubricHash(rubric),
          levels: {},
        });
        entry.levels[level] = directive;
        writes = writes.then(() => writeDirectivesFile(s.file, directives));
        await writes;
        ok = true;
        ledger.succeeded();
      } catch (err) {
        ledger.fail(what, err, 'teacher');
      } finally {
        done++;
        s.onProgress?.({
          phase: 'directives',
          done,
          total: missing.length,
          failed: ledger.failures.length,
          item: { what, ok, ...(ok ? {} : { message: ledger.failures[ledger.failures.length - 1]?.message }) },
        });
      }
    },
  );
}
