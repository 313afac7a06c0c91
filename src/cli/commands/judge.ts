// `cpt-writer judge --model SPEC --rubric ID [--file F] [--level N]`: score a text against a rubric and
// print one JSON line {"score":N,"critique":"…","target":…}, the same judge best-of-N and evaluation use.
import { parseArgs } from 'node:util';
import { CliError, UsageError, defineCommand } from '../command';
import { levelArg, readTextInput, required, wholeNumber } from '../args';
import { ENGINE_FLAGS, ENGINE_USAGE, engineOptionsFrom, loraArg } from '../engine-args';
import { ENDPOINT_FLAGS, ENDPOINT_USAGE, endpointOptionsFrom } from '../endpoint-args';
import { stderrLogger } from '../../core/log';
import { findRubric } from '../rubric-args';
import { JUDGE_FLAGS, JUDGE_USAGE, checkJudgeSpec, judgeOptionsFrom, keyFromEnvFlag, lazyJudge } from '../judge-args';
import { isCancelled } from '../../core/errors';
import { JudgeError, judgeText } from '../../core/judge';
import { LEVEL_TARGET_SCORE } from '../../core/rubrics/types';

const USAGE = `usage: cpt-writer judge --model SPEC --rubric ID [--file F] [--level N] [options]

Scores the text of F (or stdin) against the rubric, as the CPT judge does: a short critique, then one
whole-number score from 0 to 100 (levels 1-5 aim at about 10, 30, 50, 70, 90). Prints one JSON line:
  {"score":N,"critique":"...","target":T}
where T is the level's target score with --level, else null. The answer is constrained by a JSON-schema
grammar, so a local model always gives a score that parses.

  --model SPEC       the judge: a .gguf path, an https: URL or an hf: URI, or an OpenAI-compatible
                     endpoint URL with --endpoint-model
  --rubric ID        the rubric's id (see 'cpt-writer rubrics')
  --file F           the text to score (default: stdin)
  --level N          the level the text was meant to reach (1-5): its target goes in the output
  --seed N           the judge's sampling seed (matters with --judge-temperature above 0)
${JUDGE_USAGE}
  --judge-lora PATH[:S]  a LoRA adapter for the judge model (repeatable); --lora is refused here, since
                         --lora names the adapter of a model being evaluated, never a judge's
  --endpoint-model NAME  the model an endpoint serves
  --api-key-env VAR      the environment variable holding the endpoint's API key
${ENDPOINT_USAGE}
${ENGINE_USAGE}
  --dir DIR          an extra folder of rubric files (repeatable)
  -h, --help         show this help`;

export const judgeCommand = defineCommand({
  name: 'judge',
  summary: 'score a file (or stdin) 0-100 against a rubric with the judge; one JSON line',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        rubric: { type: 'string' },
        file: { type: 'string' },
        level: { type: 'string' },
        seed: { type: 'string' },
        'endpoint-model': { type: 'string' },
        'api-key-env': { type: 'string' },
        'judge-lora': { type: 'string', multiple: true },
        ...JUDGE_FLAGS,
        ...ENDPOINT_FLAGS,
        ...ENGINE_FLAGS,
        dir: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const spec = required(values.model, 'model', 'SPEC');
    if (values.lora?.length)
      throw new UsageError(
        '--lora is for a model being evaluated; give a judge adapter with --judge-lora PATH[:SCALE]',
      );
    const judgeLora = (values['judge-lora'] ?? []).map((v) => loraArg(v, '--judge-lora'));
    const rubricId = required(values.rubric, 'rubric', 'ID');
    const level = values.level === undefined ? undefined : levelArg('level', values.level);
    const seed = wholeNumber('seed', values.seed);
    const options = judgeOptionsFrom(values);
    const judgeSpec = {
      spec,
      endpointModel: values['endpoint-model'],
      endpointModelFlag: '--endpoint-model',
      engine: { ...engineOptionsFrom({ ...values, lora: [] }), lora: judgeLora },
      apiKey: keyFromEnvFlag('--api-key-env', values['api-key-env']),
      endpoint: { logger: stderrLogger(false), ...endpointOptionsFrom(values) },
    };
    checkJudgeSpec(judgeSpec, '--model');
    const rubric = await findRubric(rubricId, values.dir ?? []);
    const text = await readTextInput(values.file, 'judge');

    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    const judge = lazyJudge(judgeSpec, ac.signal);
    try {
      const j = await judgeText(judge, rubric, text, {
        ...options,
        ...(seed !== undefined ? { seed } : {}),
        signal: ac.signal,
      });
      process.stdout.write(
        JSON.stringify({
          score: j.score,
          critique: j.critique,
          target: level === undefined ? null : LEVEL_TARGET_SCORE[level],
        }) + '\n',
      );
      return 0;
    } catch (err) {
      if (isCancelled(err)) return 130;
      if (err instanceof JudgeError) throw new CliError(err.message);
      throw err;
    } finally {
      process.removeListener('SIGINT', onSigint);
      await judge.dispose();
    }
  },
});
