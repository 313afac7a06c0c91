// `cpt-writer rubrics [--dir DIR]...`: list the rubrics; report invalid files as FILE:LINE:COL: message.
import { parseArgs } from 'node:util';
import { defineCommand } from '../command';
import { errorProblems, formatProblem, loadRubrics } from '../../core/rubrics';
import { terminalSafe } from '../terminal-text';

const USAGE = `usage: cpt-writer rubrics [--dir DIR]... [--no-builtin]

Lists the rubrics (id, title, the five level names from 1 to 5), one a line: the built-in ones and
those in each --dir. Problems are printed to stderr as FILE:LINE:COL: message; the exit status is 1
when any rubric file is invalid (valid ones are still listed).

  --dir DIR       an extra folder of *.yaml / *.yml rubric files (repeatable)
  --no-builtin    leave out the rubrics that ship with CPT Writer
  -h, --help      show this help`;

export const rubricsCommand = defineCommand({
  name: 'rubrics',
  summary: 'list rubrics and report invalid rubric files',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        dir: { type: 'string', multiple: true },
        'no-builtin': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const { rubrics, problems } = await loadRubrics({
      extraDirs: values.dir ?? [],
      includeBuiltin: !values['no-builtin'],
    });
    // One line per rubric whatever its text holds: line breaks in a title or level name become spaces.
    const rows = rubrics.map((r) =>
      [r.id, r.title, r.levels.join(' / ')].map((s) => terminalSafe(s).replace(/\s+/g, ' ')),
    );
    const idWidth = Math.max(2, ...rows.map(([id]) => id.length));
    const titleWidth = Math.max(5, ...rows.map(([, title]) => title.length));
    for (const [id, title, levels] of rows)
      process.stdout.write(`${id.padEnd(idWidth)}  ${title.padEnd(titleWidth)}  ${levels}\n`);
    for (const p of problems) process.stderr.write(`${terminalSafe(formatProblem(p))}\n`);
    return errorProblems(problems).length ? 1 : 0;
  },
});
