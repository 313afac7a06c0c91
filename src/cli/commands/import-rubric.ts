// `cpt-writer import-rubric FILE --id ID`: a rubric in the CPT paper's layout (or its bare table) → our rubric YAML.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CliError, UsageError, defineCommand } from '../command';
import { required } from '../args';
import { formatProblem, importCptTable } from '../../core/rubrics';
import { terminalSafe } from '../terminal-text';
import { errorMessage } from '../../core/errors';

const USAGE =
  `usage: cpt-writer import-rubric FILE --id ID [--title TITLE] [--summary S] [--levels a,b,c,d,e] ` +
  `[--scoring S] [--out FILE] [--force]

Converts a rubric written in the CPT paper's layout to a rubric YAML file. The file may hold the
whole rubric or only its table:
  - prose before the table: a title line, then the objective and guiding principles; the title
    line becomes the title, the rest the summary (a heading ending in ':' just before the
    table is dropped);
  - the table, tab-separated, one row per criterion: name, five level descriptions
    from BEST to WORST, weight (e.g. 30% or 30); an optional header row (criterion, five level
    names, weight) gives the level names. A cell is quoted ("...", with "" for a quote, holding tabs
    or line breaks) only when the whole cell is in quotes;
  - prose after the table ("Scoring: ..."): the scoring notes.
Level 5 of the result is the table's best column.

  --id ID          the rubric id (lower-case words joined by hyphens: technical-depth)
  --title TITLE    the rubric's title (default: the file's title line; required without one)
  --summary S      the summary (default: the prose before the table)
  --levels LIST    five comma-separated level names from level 1 (worst) to 5 (best)
                   (default: the header's, else Unsatisfactory,Needs Improvement,Fair,Good,Excellent)
  --scoring S      scoring notes for the judge (default: the prose after the table, else a
                   weighted-average rule)
  --out FILE       write the YAML here instead of stdout (an existing file needs --force)
  --force          overwrite --out if it exists
  -h, --help       show this help`;

export const importRubricCommand = defineCommand({
  name: 'import-rubric',
  summary: 'convert a CPT-paper rubric table (TSV) to a rubric YAML file',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        id: { type: 'string' },
        title: { type: 'string' },
        summary: { type: 'string' },
        levels: { type: 'string' },
        scoring: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (positionals.length !== 1) throw new UsageError(`give exactly one table file, got ${positionals.length}`);
    const id = required(values.id, 'id', 'ID');
    if (values.out && existsSync(values.out) && !values.force)
      throw new CliError(`${values.out} already exists; pass --force to overwrite it`);

    const file = positionals[0];
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${errorMessage(err)}`);
    }
    let result;
    try {
      result = importCptTable(text, {
        id,
        title: values.title,
        summary: values.summary,
        levels: values.levels?.split(',').map((l) => l.trim()),
        scoring: values.scoring,
        file,
      });
    } catch (err) {
      throw new CliError(errorMessage(err), 2);
    }
    for (const p of result.problems) process.stderr.write(`${terminalSafe(formatProblem(p))}\n`);
    if (!result.yaml) return 1;
    if (values.out) {
      await writeFile(values.out, result.yaml, 'utf8');
      process.stderr.write(`wrote ${values.out} (rubric '${id}', ${result.rubric?.criteria.length ?? 0} criteria)\n`);
    } else {
      process.stdout.write(result.yaml);
    }
    return 0;
  },
});
