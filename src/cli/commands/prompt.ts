// `cpt-writer prompt --rubric ID --level N [--mode directive|rubric]`: print the system prompt.
import { parseArgs } from 'node:util';
import { defineCommand } from '../command';
import { levelArg, oneOf, required } from '../args';
import { findRubric } from '../rubric-args';
import { systemPrompt } from '../../core/prompts';

const USAGE = `usage: cpt-writer prompt --rubric ID --level N [--mode directive|rubric] [--dir DIR]...

Prints the system prompt a rewrite at this rubric and level would use.

  --rubric ID     the rubric's id (see 'cpt-writer rubrics')
  --level N       the level, 1 (the rubric's lowest) to 5 (its highest)
  --mode MODE     directive (default): the short CPT directive, for CPT-tuned models
                  rubric: the full rubric with the target score, for other models
  --dir DIR       an extra folder of rubric files (repeatable)
  -h, --help      show this help`;

export const promptCommand = defineCommand({
  name: 'prompt',
  summary: 'print the system prompt for a rubric and level',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        rubric: { type: 'string' },
        level: { type: 'string' },
        mode: { type: 'string' },
        dir: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const rubricId = required(values.rubric, 'rubric', 'ID');
    const level = levelArg('level', values.level);
    const mode = oneOf('mode', values.mode, ['directive', 'rubric'] as const) ?? 'directive';
    const rubric = await findRubric(rubricId, values.dir ?? []);
    process.stdout.write(`${systemPrompt(rubric, level, mode)}\n`);
    return 0;
  },
});
