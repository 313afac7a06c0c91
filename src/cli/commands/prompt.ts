// `cpt-writer prompt --rubric ID --level N [--mode directive|rubric]`: print the system prompt.
import { parseArgs } from 'node:util';
import { UsageError, failWith } from '../command';
import type { CliCommand } from '../command';
import { errorProblems, formatProblem, loadRubrics, parseLevel } from '../../core/rubrics';
import { systemPrompt, type PromptMode } from '../../core/prompts';

const USAGE = `usage: cpt-writer prompt --rubric ID --level N [--mode directive|rubric] [--dir DIR]...

Prints the system prompt a rewrite at this rubric and level would use.

  --rubric ID     the rubric's id (see 'cpt-writer rubrics')
  --level N       the level, 1 (the rubric's lowest) to 5 (its highest)
  --mode MODE     directive (default): the short CPT directive, for CPT-tuned models
                  rubric: the full rubric with the target score, for other models
  --dir DIR       an extra folder of rubric files (repeatable)
  -h, --help      show this help`;

const fail = failWith('prompt');

export const promptCommand: CliCommand = {
  name: 'prompt',
  summary: 'print the system prompt for a rubric and level',
  usage: USAGE,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          rubric: { type: 'string' },
          level: { type: 'string' },
          mode: { type: 'string' },
          dir: { type: 'string', multiple: true },
          help: { type: 'boolean', short: 'h' },
        },
      }));
      if (values.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
      }
      if (!values.rubric) throw new UsageError('missing --rubric ID');
      if (values.level === undefined) throw new UsageError('missing --level N (1..5)');
      if (values.mode !== undefined && values.mode !== 'directive' && values.mode !== 'rubric') {
        throw new UsageError(`--mode must be directive or rubric, got '${values.mode}'`);
      }
    } catch (err) {
      return fail(`${(err as Error).message}\n\n${USAGE}`, 2);
    }
    const level = parseLevel(values.level);
    if (level === undefined) return fail(`--level must be a whole number from 1 to 5, got '${values.level}'`, 2);
    const mode: PromptMode = (values.mode as PromptMode | undefined) ?? 'directive';

    const { rubrics, problems } = await loadRubrics({ extraDirs: values.dir ?? [] });
    const rubric = rubrics.find((r) => r.id === values.rubric);
    if (!rubric) {
      // The rubric may be missing because its file is invalid: show why.
      for (const p of errorProblems(problems)) process.stderr.write(`${formatProblem(p)}\n`);
      const known = rubrics.map((r) => r.id).join(', ') || '(none)';
      return fail(`unknown rubric '${values.rubric}'; known rubrics: ${known}`, 1);
    }
    process.stdout.write(`${systemPrompt(rubric, level, mode)}\n`);
    return 0;
  },
};
