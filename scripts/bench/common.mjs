// What every part of the bench shares: where the project is, the options, the log, medians and the texts.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
const require = createRequire(import.meta.url);
export const benchStart = performance.now();
/** A module of the tsc build (out/) or the bundle (dist/), loaded when first needed: after the entry's build step. */
export const outModule = (f) => require(path.join(root, f));

// ---------------------------------------------------------------------------------------------- options
export function parseArgs(argv) {
  const o = {
    threads: 1,
    threadsList: [1],
    reps: 5,
    evalItems: 8,
    checkParagraphs: 20,
    models: ['small-bpe', '100m-bpe'],
    maxTokens: 64,
    out: path.join(root, '.cache', 'bench', 'results.json'),
    build: false,
    budgetS: 420,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a} must be a positive integer, got ${v}`);
      return n;
    };
    if (a === '--threads') {
      // A list (1,2): the ours/raw rows run at the first; the parallel rows (best-of, eval, check) at each.
      o.threadsList = next()
        .split(',')
        .map((s) => int(s.trim()));
      o.threads = o.threadsList[0];
    } else if (a === '--reps') o.reps = int(next());
    else if (a === '--max-tokens') o.maxTokens = int(next());
    else if (a === '--budget-s') o.budgetS = int(next());
    else if (a === '--models')
      o.models = next()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (a === '--out') o.out = path.resolve(next());
    else if (a === '--build') o.build = true;
    else if (a === '--eval-items') o.evalItems = int(next());
    else if (a === '--check-paragraphs') o.checkParagraphs = int(next());
    else if (a === '--best-of-only') o.bestOfOnly = true;
    else if (a === '--parallel-only') o.parallelOnly = true;
    else if (a === '--check-only') o.checkOnly = true;
    else if (a === '--report') o.report = path.resolve(next());
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: node scripts/bench.mjs [--threads N[,N…]] [--reps N] [--models small-bpe,100m-bpe] ' +
          '[--max-tokens N]\n' +
          '                          [--out FILE] [--build] [--budget-s S] [--eval-items N]\n' +
          '                          [--check-paragraphs N] [--parallel-only | --best-of-only | --check-only]\n' +
          "       node scripts/bench.mjs --report FILE   (print the table of an earlier run's results.json)",
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  return o;
}
export const opts = parseArgs(process.argv.slice(2));
export const CONTEXT_SIZE = 4096;
// Rewrites that only measure time to first token stop early; the warm rewrite runs to --max-tokens for decode speed.
export const TTFT_MAX_TOKENS = 8;
export const log = (m) =>
  process.stderr.write(`[bench ${((performance.now() - benchStart) / 1000).toFixed(0).padStart(4)}s] ${m}\n`);

// ----------------------------------------------------------------------------------------------- stats
export const median = (xs = []) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
export const T = () => performance.now();
export const USER_TEXTS = [
  'hey so the meeting got moved to thursday, can u bring the slides? ' +
    'also dont forget the numbers from last quarter, boss wants them.',
  'The results are in and they look good: ' +
    'sales went up in every region except the north, where the new shop opened late.',
  'I think we should just ship it. ' +
    'The tests pass, the docs are fine, and waiting another week will not make the code any better.',
  'Thanks for the invite! I would love to come, but I am away that weekend. ' +
    'Maybe we can get lunch the week after instead?',
  'Our water bill doubled this month. ' +
    'Could you check whether the meter was read right, or whether there is a leak somewhere?',
  'The model loads in a second, answers at once, and the first word shows up before you have let go of the key.',
];
// A different first line per run makes the whole system prompt new, so "cold" really evaluates it all.
export const withNonce = (sys, tag) => `Session ${tag}.\n${sys}`;
export const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
export const NOT_IN_BUILD = 'n/a (not in this build)';
