// `cpt-writer directives DIR/directives.json --rubric-file FILE`: writes the directives a teacher
// summarized (generate --summarize) into a rubric's `directives:`, so the extension serves exactly the
// system prompts the data was made with. The rest of the file is left as it was.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CliError, UsageError, defineCommand } from '../command';
import { levelsArg, required } from '../args';
import { errorMessage } from '../../core/errors';
import { readDirectivesFile, setRubricDirectives, teacherRubricHash } from '../../core/generate';
import { writeFileAtomic } from '../../core/pairs';
import { formatProblem, parseRubric, type Level } from '../../core/rubrics';
import { terminalSafe } from '../terminal-text';

const USAGE = `usage: cpt-writer directives DIRECTIVES.json --rubric-file FILE [--rubric ID] [--levels LIST] [--force]

Writes the directives from a 'cpt-writer generate --summarize' run (DIR/directives.json) into a rubric
file's directives: mapping. Only those entries change; comments and layout elsewhere are kept. After
this, the extension's directive mode sends exactly the system prompts the data was made with.

  --rubric-file FILE   the rubric YAML file to update
  --rubric ID          which rubric's directives to take (default: the file's own id)
  --levels LIST        only these levels (default: every level in the directives file)
  --force              write even if the rubric changed since the directives were made
  -h, --help           show this help`;

export const directivesCommand = defineCommand({
  name: 'directives',
  summary: "write generate --summarize's directives into a rubric file",
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'rubric-file': { type: 'string' },
        rubric: { type: 'string' },
        levels: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (positionals.length !== 1) throw new UsageError(`give exactly one directives file, got ${positionals.length}`);
    const rubricFile = required(values['rubric-file'], 'rubric-file', 'FILE');
    const only = values.levels === undefined ? undefined : levelsArg('levels', values.levels);

    let data;
    try {
      data = await readDirectivesFile(positionals[0]);
    } catch (err) {
      throw new CliError(errorMessage(err));
    }
    if (!data) throw new CliError(`${positionals[0]} does not exist`);
    let source: string;
    try {
      source = await readFile(rubricFile, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${rubricFile}: ${errorMessage(err)}`);
    }
    const before = parseRubric(source, rubricFile);
    if (!before.rubric) {
      for (const p of before.problems) process.stderr.write(`${terminalSafe(formatProblem(p))}\n`);
      throw new CliError(`${rubricFile} is not a valid rubric; fix it first`);
    }
    const id = values.rubric ?? before.rubric.id;
    const entry = data.rubrics[id];
    if (!entry) {
      const known = Object.keys(data.rubrics).join(', ') || '(none)';
      throw new CliError(
        `${positionals[0]} has no directives for the rubric '${id}'; it has: ` +
          `${known}${values.rubric ? '' : ' (pick one with --rubric ID)'}`,
      );
    }
    if (entry.hash !== teacherRubricHash(before.rubric) && !values.force) {
      throw new CliError(
        `the rubric in ${rubricFile} differs from the one the directives were made from (its criteria, levels, ` +
          `summary or scoring notes changed); ` +
          'the directives may no longer describe it. Pass --force to write them anyway.',
      );
    }
    const levels = (Object.keys(entry.levels).map(Number) as Level[]).filter((l) => !only || only.includes(l));
    if (!levels.length)
      throw new CliError(
        `no directives to write for the levels asked (${positionals[0]} has levels ` +
          `${Object.keys(entry.levels).join(', ')})`,
      );
    const chosen = Object.fromEntries(levels.map((l) => [l, entry.levels[l]!])) as Partial<Record<Level, string>>;
    const result = setRubricDirectives(source, chosen, rubricFile);
    for (const p of result.problems) process.stderr.write(`${terminalSafe(formatProblem(p))}\n`);
    if (!result.text) return 1;
    await writeFileAtomic(rubricFile, result.text);
    process.stderr.write(
      `wrote the directives for levels ${levels.join(', ')} of '${before.rubric.id}' into ${rubricFile}\n`,
    );
    return 0;
  },
});
