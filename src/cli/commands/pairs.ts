// `cpt-writer pairs LOG... --out FILE`: feedback logs → DPO pairs (+ flat / KTO / test split), report on stdout.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CliError, UsageError, defineCommand } from '../command';
import { DEFAULT_CONTRAST_CAP, datasetCardPath, exportPairs, plannedOutputs } from '../../core/pairs';
import type { ContrastCap, ExportPairsOptions } from '../../core/pairs';
import { errorMessage } from '../../core/errors';

const USAGE =
  `usage: cpt-writer pairs LOG... --out FILE [--flat FILE] [--kto FILE] [--test-split F --seed N]
                         [--max-contrast-per-text N] [--max-contrast-per-level-pair N] [--card]

Builds DPO preference pairs from feedback logs (JSONL) and prints a Markdown report.

  LOG...            one or more feedback logs, read in the order given
  --out FILE        pairs in TRL's conversational preference format (JSONL)
  --flat FILE       the same pairs as {system, prompt, chosen, rejected} strings
  --kto FILE        unpaired decisions as KTO examples {prompt, completion, label}
  --test-split F    put about F (0 < F < 1) of the pairs in a test file beside each output
                    (out.jsonl -> out.test.jsonl); pairs about one text stay on one side
  --seed N          integer seed for the split (default 0)
  --max-contrast-per-text N
                    at most N contrast pairs (rows, both directions counted) per original
                    text and rubric (default ${DEFAULT_CONTRAST_CAP.perGroup}); level pairs take turns, so they ` +
  `stay balanced
  --max-contrast-per-level-pair N
                    at most N of them for any two levels (default ${DEFAULT_CONTRAST_CAP.perLevelPair}); 0 makes ` +
  `no contrast pairs
  --card            also write a dataset card, README.md beside --out (as generate does): a YAML
                    header a dataset hub reads (the train and test files, license, task category),
                    pairs per rubric × level, the models that wrote the rewrites with their content
                    fingerprints, prompt modes, and what was skipped. A README.md there that this
                    command or generate did not write is never replaced: the run is refused
  -h, --help        show this help`;

interface Options {
  logs: string[];
  out: string;
  flat?: string;
  kto?: string;
  testFraction?: number;
  seed: number;
  contrastCap: ContrastCap;
  card?: string;
}

function count(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new UsageError(`${flag} must be a whole number (0 or more), got '${value}'`);
  return n;
}

function parse(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      flat: { type: 'string' },
      kto: { type: 'string' },
      'test-split': { type: 'string' },
      seed: { type: 'string' },
      'max-contrast-per-text': { type: 'string' },
      'max-contrast-per-level-pair': { type: 'string' },
      card: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length === 0) throw new UsageError('no feedback log given (pass one or more LOG files)');
  if (!values.out) throw new UsageError('missing --out FILE (where to write the pairs)');
  let testFraction: number | undefined;
  if (values['test-split'] !== undefined) {
    testFraction = Number(values['test-split']);
    if (!(testFraction > 0 && testFraction < 1))
      throw new UsageError(`--test-split must be a number between 0 and 1 (exclusive), got '${values['test-split']}'`);
  }
  let seed = 0;
  if (values.seed !== undefined) {
    if (testFraction === undefined) throw new UsageError('--seed only applies with --test-split');
    seed = Number(values.seed);
    if (!/^-?\d+$/.test(values.seed) || !Number.isSafeInteger(seed))
      throw new UsageError(`--seed must be an integer, got '${values.seed}'`);
  }
  const contrastCap = {
    perGroup: count('--max-contrast-per-text', values['max-contrast-per-text'], DEFAULT_CONTRAST_CAP.perGroup),
    perLevelPair: count(
      '--max-contrast-per-level-pair',
      values['max-contrast-per-level-pair'],
      DEFAULT_CONTRAST_CAP.perLevelPair,
    ),
  };
  return {
    logs: positionals,
    out: values.out,
    flat: values.flat,
    kto: values.kto,
    testFraction,
    seed,
    contrastCap,
    ...(values.card ? { card: datasetCardPath(values.out) } : {}),
  };
}

/** An output that lands on a log (or on another output) would destroy data, so it is refused up front. */
function checkOutputs(logs: string[], outputs: string[]): void {
  const inputs = new Set(logs.map((l) => path.resolve(l)));
  const seen = new Set<string>();
  for (const o of outputs) {
    const abs = path.resolve(o);
    if (inputs.has(abs)) throw new UsageError(`output ${o} is one of the input logs; refusing to overwrite it`);
    if (seen.has(abs)) throw new UsageError(`output ${o} is named twice`);
    seen.add(abs);
  }
}

async function checkReadable(file: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read log ${file}: ${code === 'ENOENT' ? 'no such file' : errorMessage(err)}`);
  }
  if (!stat.isFile()) throw new CliError(`cannot read log ${file}: not a file`);
  // Both would read as zero events and a run that looks successful; each is a mistake worth naming.
  if (stat.size === 0) throw new CliError(`log ${file} is empty: it holds no feedback events`);
  const head = await readHead(file, 1024 * 1024);
  if (!head.trim()) throw new CliError(`log ${file} holds only blank lines: no feedback events`);
  if (!head.includes('\n') && head.includes('\r'))
    throw new CliError(
      `log ${file} has carriage-return (CR) line endings only; a feedback log has one JSON event per LF-ended line ` +
        '(convert it, e.g. with tr "\\r" "\\n")',
    );
}

/** The first `max` bytes of `file` as text. */
async function readHead(file: string, max: number): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await handle.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function run(argv: string[]): Promise<number> {
  const options = parse(argv);
  checkOutputs(options.logs, plannedOutputs({ ...options, split: splitOf(options) }));
  // readFeedbackLog treats a missing log as empty (nothing recorded yet); named on the command line, it is a mistake.
  for (const file of options.logs) await checkReadable(file);
  try {
    const { report } = await exportPairs({ ...options, split: splitOf(options) });
    process.stdout.write(`${report}\n`);
    return 0;
  } catch (err) {
    throw new CliError(errorMessage(err));
  }
}

function splitOf(options: Options): ExportPairsOptions['split'] {
  return options.testFraction === undefined ? undefined : { testFraction: options.testFraction, seed: options.seed };
}

export const pairsCommand = defineCommand({
  name: 'pairs',
  summary: 'build DPO preference pairs (and KTO examples) from feedback logs',
  usage: USAGE,
  run,
});
