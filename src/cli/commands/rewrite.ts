// `cpt-writer rewrite --model SPEC --rubric ID --level N [--file F]`: stream a rewrite to stdout, exactly
// the text the editor would put in place of the selection (the same core/rewrite use case and clean-up).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CliError, defineCommand, UsageError } from '../command';
import { errorMessage, isCancelled } from '../../core/errors';
import { decimal, levelArg, oneOf, readTextInput, required, wholeNumber } from '../args';
import { ENGINE_FLAGS, ENGINE_USAGE, describeEngine, engineOptionsFrom, loadModel, withEngine } from '../engine-args';
import { findRubric } from '../rubric-args';
import { PROMPT_MODES } from '../../core/prompts';
import {
  languageOfFile,
  MAX_BEST_OF,
  resolvePromptMode,
  rewrite,
  type RewriteRequest,
  type RewriteResult,
} from '../../core/rewrite';
import { DEFAULT_CONTEXT_TOKENS } from '../../core/paragraphs';
import {
  JUDGE_FLAGS,
  JUDGE_USAGE,
  checkJudgeSpec,
  judgeOptionsFrom,
  keyFromEnvFlag,
  lazyJudge,
  type JudgeModelSpec,
} from '../judge-args';

const USAGE = `usage: cpt-writer rewrite --model SPEC --rubric ID --level N [--file F] [options]

Rewrites the text of F (or stdin) to the rubric's style at the level and streams the result to stdout:
the same text the editor would put in place of the selection (a wrapping fence or quote pair the model
added is removed, and the input's own leading and trailing whitespace is kept). A text too long for the
model's context is rewritten paragraph by paragraph, keeping the blank lines between them. Markup the
rewrite lost (a \\cite{}, a link, inline code, a comment marker) is listed on stderr.

  --model SPEC       a .gguf path, an https: URL or an hf: URI (downloads go to --models-dir)
  --rubric ID        the rubric's id (see 'cpt-writer rubrics')
  --level N          1 (the rubric's lowest) to 5 (its highest)
  --file F           the text to rewrite (default: stdin)
  --mode MODE        auto (default: directive for CPT-tuned models, else rubric), directive, rubric,
                     or plain (no style at all: a neutral system prompt and "rewrite the text")
  --language ID      the text's language id (markdown, latex, plaintext, python, ...; default: from
                     the file's extension, else plaintext)
  --max-tokens N     cap on the tokens to write: 2 x the text's tokens + 64, at most N (default 1024)
  --temperature T    sampling temperature (default 0.7; 0 is deterministic)
  --seed N           sampling seed
  --note TEXT        a one-off instruction for this rewrite ("keep it under 50 words")
  --context-before F text that comes before the input, given to the model to read (not rewritten)
  --context-after F  text that comes after the input, likewise
  --context-tokens N most tokens of context on each side (default ${DEFAULT_CONTEXT_TOKENS}; 0 = none)
  --strict-markup    exit 3 when the rewrite lost or altered markup of the input (the text is
                     still printed); without it, lost markup is only a warning on stderr

Best-of-N (a text too long for one part is rewritten once, in parts, with a note on stderr):
  --best-of N        write N candidates (1-${MAX_BEST_OF}) with seeds --seed, --seed+1, ... (random without
                     --seed), score each with the judge, print the one whose score is nearest the
                     level's target; every candidate's score goes to stderr ("72 -> target 70")
  --judge-model SPEC the judge: a second model (a .gguf path, URL or hf: URI, or an endpoint URL with
                     --judge-endpoint-model); default the rewriting model. A second local model holds
                     its own weights and context in memory; it is loaded after the candidates are written
  --judge-endpoint-model NAME  the model a judge endpoint serves
  --judge-api-key-env VAR      the environment variable with the judge endpoint's API key
${JUDGE_USAGE}
  --json             print one JSON object instead of the text: {"text","target","chosen","candidates":
                     [{"text","score","critique","seed","distance","markupLost"}, ...]} nearest first
${ENGINE_USAGE}
  --dir DIR          an extra folder of rubric files (repeatable)
  -h, --help         show this help`;

export const rewriteCommand = defineCommand({
  name: 'rewrite',
  summary: 'rewrite a file (or stdin) to a rubric and level with a local model',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        rubric: { type: 'string' },
        level: { type: 'string' },
        file: { type: 'string' },
        mode: { type: 'string' },
        language: { type: 'string' },
        'max-tokens': { type: 'string' },
        temperature: { type: 'string' },
        seed: { type: 'string' },
        note: { type: 'string' },
        'context-before': { type: 'string' },
        'context-after': { type: 'string' },
        'context-tokens': { type: 'string' },
        'strict-markup': { type: 'boolean' },
        'best-of': { type: 'string' },
        'judge-model': { type: 'string' },
        'judge-endpoint-model': { type: 'string' },
        'judge-api-key-env': { type: 'string' },
        json: { type: 'boolean' },
        ...JUDGE_FLAGS,
        ...ENGINE_FLAGS,
        dir: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const spec = required(values.model, 'model', 'SPEC');
    const rubricId = required(values.rubric, 'rubric', 'ID');
    const level = levelArg('level', values.level);
    const promptMode = oneOf('mode', values.mode, ['auto', ...PROMPT_MODES] as const) ?? 'auto';
    const maxTokens = wholeNumber('max-tokens', values['max-tokens'], 1);
    const temperature = decimal('temperature', values.temperature);
    const seed = wholeNumber('seed', values.seed);
    const contextTokens = wholeNumber('context-tokens', values['context-tokens']) ?? DEFAULT_CONTEXT_TOKENS;
    const engineOptions = engineOptionsFrom(values);
    const bestOf = wholeNumber('best-of', values['best-of'], 1, MAX_BEST_OF);
    if (bestOf === undefined) {
      for (const flag of [
        'judge-model',
        'judge-endpoint-model',
        'judge-api-key-env',
        'judge-temperature',
        'critique-chars',
        'json',
      ] as const) {
        if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --best-of N`);
      }
    }
    const judgeOptions = judgeOptionsFrom(values);
    const judgeSpec: JudgeModelSpec | undefined =
      values['judge-model'] === undefined
        ? undefined
        : {
            spec: values['judge-model'],
            endpointModel: values['judge-endpoint-model'],
            endpointModelFlag: '--judge-endpoint-model',
            engine: engineOptions,
            apiKey: keyFromEnvFlag('--judge-api-key-env', values['judge-api-key-env']),
          };
    if (judgeSpec) checkJudgeSpec(judgeSpec, '--judge-model');
    else if (values['judge-endpoint-model'] !== undefined)
      throw new UsageError('--judge-endpoint-model goes with --judge-model URL');

    const rubric = await findRubric(rubricId, values.dir ?? []);
    const text = await readTextInput(values.file, 'rewrite');
    const languageId = values.language ?? languageOfFile(values.file) ?? 'plaintext';
    const surrounding = {
      before: values['context-before'] ? await readContext(values['context-before']) : '',
      after: values['context-after'] ? await readContext(values['context-after']) : '',
    };

    return withEngine(engineOptions, async (engine, signal) => {
      const model = await loadModel(engine, spec, signal);
      if (values.verbose) await describeEngine(engine, model, `; prompt mode: ${resolvePromptMode(promptMode, model)}`);
      const request: RewriteRequest = {
        text,
        style: { rubric, level },
        source: { languageId, path: values.file ?? '' },
        promptMode,
        model,
        sampling: {
          ...(maxTokens !== undefined ? { maxTokens } : {}),
          ...(temperature !== undefined ? { temperature } : {}),
          ...(seed !== undefined ? { seed } : {}),
        },
        ...(values.note ? { note: values.note } : {}),
        surrounding,
        contextTokens,
        contextSize: (await engine.info()).contextSize,
      };
      const judge =
        bestOf === undefined
          ? undefined
          : judgeSpec
            ? lazyJudge(judgeSpec, signal, (name) => process.stderr.write(`judge: ${name} loaded\n`))
            : engine;
      // stdout gets the proposal once it is laid out like the original (core/layout), the same text the
      // editor inserts; a single rewrite (or one in parts) streams live to a terminal's stderr meanwhile.
      let streaming = true;
      const live = process.stderr.isTTY === true && !values.json;
      // What has streamed so far: printed as it is if the rewrite is stopped (Ctrl+C exits 130 with it).
      let partial = '';
      let firstText = true;
      let outcome: RewriteResult;
      try {
        outcome = await rewrite(engine, request, {
          ...(bestOf !== undefined && judge ? { bestOf, judge: { generator: judge, options: judgeOptions } } : {}),
          signal,
          onEvent: (e) => {
            if (e.type === 'planned') {
              streaming = e.bestOf === 0;
              if (e.bestOfDropped !== undefined)
                process.stderr.write(
                  `cpt-writer rewrite: note: the text needs ${e.parts} parts, so --best-of ${e.bestOfDropped} ` +
                    'is not used: it is rewritten once, in parts (no candidates, no scores).\n',
                );
            } else if (e.type === 'text') {
              if (streaming) partial += e.text;
              if (streaming && live) process.stderr.write(e.text);
              if (firstText && values.verbose) process.stderr.write('\n[debug] rewrite: the first text arrived\n');
              firstText = false;
            } else if (e.type === 'part') {
              if (values.verbose && e.phase === 'start' && e.count > 1)
                process.stderr.write(`part ${e.index + 1} of ${e.count}\n`);
            } else if (e.phase === 'written' && values.verbose) {
              process.stderr.write(`candidate ${e.index + 1} of ${e.count} written (${e.outcome.status})\n`);
            }
          },
        });
      } catch (err) {
        if (isCancelled(err)) return 130;
        throw err;
      } finally {
        if (judge && judge !== engine) await (judge as ReturnType<typeof lazyJudge>).dispose();
      }
      const r = outcome.result;
      if (values.verbose) {
        process.stderr.write(
          `\nstats: stop ${r.stopReason}; prompt ${r.promptTokens} tokens (${r.reusedPromptTokens} reused); ` +
            `output ${r.outputTokens} tokens; first token ${r.timeToFirstTokenMs.toFixed(0)} ms; ` +
            `${r.tokensPerSecond.toFixed(1)} tok/s; total ${r.totalMs.toFixed(0)} ms\n`,
        );
      }
      if (outcome.status === 'cancelled') {
        // Stopped mid-way: the text so far, as the model wrote it (a part-written text is not re-wrapped).
        if (partial && !values.json) process.stdout.write(partial);
        return 130;
      }
      if (outcome.status === 'empty') {
        process.stderr.write(
          outcome.kind === 'best-of'
            ? `cpt-writer rewrite: the model returned no text for any of the ${bestOf} candidates.\n`
            : 'cpt-writer rewrite: the model returned no text.\n',
        );
        return 1;
      }
      const chosen = outcome.proposals[0];
      if (outcome.kind === 'best-of') printCandidates(outcome, bestOf ?? 1);
      if (values.json) printJson(outcome);
      else {
        if (streaming && live) process.stderr.write('\n');
        process.stdout.write(chosen.text);
      }
      if (chosen.markupLost.length) {
        const lines = chosen.markupLost.map((l) => `  ${l}\n`).join('');
        process.stderr.write(
          `cpt-writer rewrite: warning: the rewrite lost markup of the ${languageId} text:\n${lines}`,
        );
        if (values['strict-markup']) return 3;
      }
      return 0;
    });
  },
});

async function readContext(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${errorMessage(err)}`);
  }
}

type Done = Extract<RewriteResult, { status: 'done' }>;

/** Best-of-N on stderr: every candidate's score against the target, the chosen one first. */
function printCandidates(outcome: Done, n: number): void {
  outcome.proposals.forEach((p, rank) => {
    const c = p.candidate!;
    process.stderr.write(
      `${rank === 0 ? 'chosen' : 'other '}: candidate ${c.written + 1} of ${n} (seed ${c.seed}): ` +
        `${c.score} -> target ${outcome.target}` +
        `${p.markupLost.length ? `; lost markup: ${p.markupLost.join('; ')}` : ''}\n`,
    );
  });
  if (outcome.empty) process.stderr.write(`${outcome.empty} of ${n} candidates gave no text.\n`);
}

/**
 * `--json`: the chosen text, the target and every candidate nearest first. A text rewritten once in
 * parts (best-of-N was not used: see core/rewrite/use-case.ts) has no target, no chosen index and no
 * candidates.
 */
function printJson(outcome: Done): void {
  const chosen = outcome.proposals[0];
  const candidates = outcome.proposals.flatMap((p) =>
    p.candidate
      ? [
          {
            text: p.text,
            score: p.candidate.score,
            critique: p.candidate.critique,
            seed: p.candidate.seed,
            index: p.candidate.written,
            distance: p.candidate.distance,
            markupLost: p.markupLost,
          },
        ]
      : [],
  );
  process.stdout.write(
    `${JSON.stringify({
      text: chosen.text,
      target: outcome.target ?? null,
      chosen: chosen.candidate ? chosen.candidate.written : null,
      candidates,
      ...(outcome.kind === 'best-of' ? {} : { parts: chosen.parts.length }),
    })}\n`,
  );
}
