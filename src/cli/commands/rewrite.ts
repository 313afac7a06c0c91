// `cpt-writer rewrite --model SPEC --rubric ID --level N [--file F]`: stream a rewrite to stdout, exactly
// the text the editor would put in place of the selection (the same core/rewrite use case and clean-up).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CliError, defineCommand } from '../command';
import { errorMessage } from '../../core/errors';
import { decimal, levelArg, oneOf, readTextInput, required, wholeNumber } from '../args';
import { ENGINE_FLAGS, ENGINE_USAGE, describeEngine, engineOptionsFrom, loadModel, withEngine } from '../engine-args';
import { findRubric } from '../rubric-args';
import { PROMPT_MODE_SETTINGS } from '../../core/prompts';
import { createPartsPrinter, languageOfFile, resolvePromptMode, rewriteInParts } from '../../core/rewrite';
import { DEFAULT_CONTEXT_TOKENS } from '../../core/paragraphs';

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
  --mode MODE        auto (default: directive for CPT-tuned models, else rubric), directive or rubric
  --language ID      the text's language id (markdown, latex, plaintext, python, ...; default: from
                     the file's extension, else plaintext)
  --max-tokens N     most tokens to write (default 1024)
  --temperature T    sampling temperature (default 0.7; 0 is deterministic)
  --seed N           sampling seed
  --note TEXT        a one-off instruction for this rewrite ("keep it under 50 words")
  --context-before F text that comes before the input, given to the model to read (not rewritten)
  --context-after F  text that comes after the input, likewise
  --context-tokens N most tokens of context on each side (default ${DEFAULT_CONTEXT_TOKENS}; 0 = none)
  --strict-markup    exit 3 when the rewrite lost or altered markup of the input (the text is
                     still printed); without it, lost markup is only a warning on stderr
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
        model: { type: 'string' }, rubric: { type: 'string' }, level: { type: 'string' }, file: { type: 'string' },
        mode: { type: 'string' }, language: { type: 'string' }, 'max-tokens': { type: 'string' },
        temperature: { type: 'string' }, seed: { type: 'string' }, note: { type: 'string' },
        'context-before': { type: 'string' }, 'context-after': { type: 'string' }, 'context-tokens': { type: 'string' },
        'strict-markup': { type: 'boolean' }, ...ENGINE_FLAGS,
        dir: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' },
      },
    });
    const spec = required(values.model, 'model', 'SPEC');
    const rubricId = required(values.rubric, 'rubric', 'ID');
    const level = levelArg('level', values.level);
    const promptMode = oneOf('mode', values.mode, PROMPT_MODE_SETTINGS) ?? 'auto';
    const maxTokens = wholeNumber('max-tokens', values['max-tokens'], 1);
    const temperature = decimal('temperature', values.temperature);
    const seed = wholeNumber('seed', values.seed);
    const contextTokens = wholeNumber('context-tokens', values['context-tokens']) ?? DEFAULT_CONTEXT_TOKENS;
    const engineOptions = engineOptionsFrom(values);

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
      const printer = createPartsPrinter(text);
      const outcome = await rewriteInParts(engine, {
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
        signal,
        onPart: (event) => {
          process.stdout.write(printer.part(event));
          if (values.verbose && event.phase === 'start' && event.count > 1) process.stderr.write(`part ${event.index + 1} of ${event.count}\n`);
        },
        onToken: (piece) => process.stdout.write(printer.token(piece)),
      });
      // On Ctrl+C what was streamed stays; the held tail is not written, since the text is incomplete.
      process.stdout.write(printer.finish());
      const r = outcome.result;
      if (values.verbose) {
        process.stderr.write(`\nstats: stop ${r.stopReason}; prompt ${r.promptTokens} tokens (${r.reusedPromptTokens} reused); `
          + `output ${r.outputTokens} tokens; first token ${r.timeToFirstTokenMs.toFixed(0)} ms; `
          + `${r.tokensPerSecond.toFixed(1)} tok/s; total ${r.totalMs.toFixed(0)} ms\n`);
      }
      if (outcome.status === 'cancelled') return 130;
      if (outcome.status === 'empty') {
        process.stderr.write('cpt-writer rewrite: the model returned no text.\n');
        return 1;
      }
      if (outcome.markupLost.length) {
        const lines = outcome.markupLost.map((l) => `  ${l}\n`).join('');
        process.stderr.write(`cpt-writer rewrite: warning: the rewrite lost markup of the ${languageId} text:\n${lines}`);
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
