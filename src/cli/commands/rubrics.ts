// `cpt-writer rubrics [--dir DIR]...`: list the rubrics; report invalid files as FILE:LINE:COL: message.
import { parseArgs } from 'node:util';
import { defineCommand } from '../command';
import { errorProblems, formatProblem, loadRubrics } from '../../core/rubrics';

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
      options: { dir: { type: 'string', multiple: true }, 'no-builtin': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    const { rubrics, problems } = await loadRubrics({ extraDirs: values.dir ?? [], includeBuiltin: !values['no-builtin'] });
    const idWidth = Math.max(2, ...rubrics.map((r) => r.id.length));
    const titleWidth = Math.max(5, ...rubrics.map((r) => r.title.length));
    for (const r of rubrics) {
      process.stdout.write(`${r.id.padEnd(idWidth)}  ${r.title.padEnd(titleWidth)}  ${r.levels.join(' / ')}\n`);
    }
    for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    return errorProblems(problems).length ? 1 : 0;
  },
});
