// `cpt-writer import-rubric FILE.tsv --id ID --title TITLE`: a CPT-paper rubric table → our rubric YAML.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CliError, UsageError, defineCommand } from '../command';
import { required } from '../args';
import { formatProblem, importCptTable } from '../../core/rubrics';
import { errorMessage } from '../../core/errors';

const USAGE = `usage: cpt-writer import-rubric FILE.tsv --id ID --title TITLE [--summary S] [--levels a,b,c,d,e] [--scoring S] [--out FILE] [--force]

Converts a rubric table in the CPT paper's layout to a rubric YAML file. Each row of the
tab-separated table is: criterion name, five level descriptions from BEST to WORST, weight
(e.g. 30% or 30). An optional header row (criterion, five level names, weight) is allowed; its
level names are used unless --levels is given. Level 5 of the result is the table's best column.

  --id ID          the rubric id ([a-z0-9-]+)
  --title TITLE    the rubric's title
  --summary S      one sentence shown in the picker
  --levels LIST    five comma-separated level names from level 1 (worst) to 5 (best)
                   (default: the header's, else Unsatisfactory,Needs Improvement,Fair,Good,Excellent)
  --scoring S      scoring notes for the judge (default: a weighted-average rule)
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
    const title = required(values.title, 'title', 'TITLE');
    if (values.out && existsSync(values.out) && !values.force) throw new CliError(`${values.out} already exists; pass --force to overwrite it`);

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
        title,
        summary: values.summary,
        levels: values.levels?.split(',').map((l) => l.trim()),
        scoring: values.scoring,
        file,
      });
    } catch (err) {
      throw new CliError(errorMessage(err), 2);
    }
    for (const p of result.problems) process.stderr.write(`${formatProblem(p)}\n`);
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
