// `cpt-writer eval --best-of 1,2 --mode directive,plain` on a generated random-weight model: one row per
// prompt mode × N with its cost, best-of samples judged N times through core/rewrite's best-of, the plain
// baseline as its own row, --report giving the same rows, and bad values refused.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EvalReport } from '../../src/core/eval';
import { runCli, type NodeRun } from '../unit/helpers/run-node';
import { testModels } from '../unit/helpers/test-models';

const LOCAL = ['--threads', '1', '--gpu', 'off', '--context-size', '4096', '--no-prompt-cache'];
const FAST = ['--max-tokens', '8', '--critique-chars', '12'];

function cli(args: string[], cwd: string): Promise<NodeRun> {
  return runCli(['eval', ...args], { cwd, timeoutMs: 240_000 });
}

async function lines(file: string): Promise<Record<string, unknown>[]> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('cpt-writer eval --best-of and --mode plain (CLI)', function () {
  this.timeout(300_000);
  let dir: string;
  let tiny: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-eval-bo-'));
    tiny = (await testModels()).tiny;
    await fs.writeFile(
      path.join(dir, 'texts.jsonl'),
      '{"id":"note","register":"email","languageId":"plaintext","text":"Please send the slides today."}\n',
    );
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  const args = (extra: string[]) => [
    '--model',
    tiny,
    '--rubric',
    'formality',
    '--texts',
    'texts.jsonl',
    '--levels',
    '1,5',
    ...FAST,
    ...LOCAL,
    ...extra,
  ];

  it('gives a row per mode × N with seconds and judgements per sample; --report reproduces them', async () => {
    const run = await cli(args(['--mode', 'directive,plain', '--best-of', '2,1', '--out', 'out']), dir);
    assert.equal(run.code, 0, run.stderr);
    const samples = await lines(path.join(dir, 'out', 'samples.jsonl'));
    // 2 modes × 2 N × 1 passage × 2 levels.
    assert.equal(samples.length, 8);
    for (const s of samples) {
      if (s.bestOf === undefined) {
        assert.equal(s.judgements, undefined, 'a single rewrite is one judgement (the default)');
      } else {
        assert.equal(s.bestOf, 2);
        assert.ok(s.judgements === 1 || s.judgements === 2, JSON.stringify(s));
      }
    }
    // Candidate 0 of best-of-2 has the single rewrite's seed: the rows differ by N, not by luck.
    const seedOf = (bestOf: unknown, level: number) =>
      samples.find((s) => s.mode === 'directive' && s.bestOf === bestOf && s.level === level)?.seed;
    assert.equal(seedOf(2, 1), seedOf(undefined, 1));

    const report = JSON.parse(await fs.readFile(path.join(dir, 'out', 'report.json'), 'utf8')) as EvalReport;
    assert.deepEqual(
      report.rows.map((r) => [r.mode, r.bestOf, r.pooled.n]),
      [
        ['directive', 1, 2],
        ['directive', 2, 2],
        ['plain', 1, 2],
        ['plain', 2, 2],
      ],
    );
    for (const r of report.rows) {
      const own = samples.filter((s) => s.mode === r.mode && (s.bestOf ?? 1) === r.bestOf);
      const judgements = own.reduce((a, s) => a + ((s.judgements as number | undefined) ?? 1), 0) / own.length;
      assert.equal(r.cost.judgementsPerSample, judgements);
      assert.ok(r.cost.secondsPerSample > 0);
      if (r.bestOf === 1) assert.equal(r.cost.judgementsPerSample, 1);
    }
    assert.match(run.stdout, /\[directive, best-of-2\]: n 2, accuracy .*s and \d\.\d\d judgements per sample/);
    assert.match(run.stdout, /\[plain\]: n 2/);
    const md = await fs.readFile(path.join(dir, 'out', 'report.md'), 'utf8');
    assert.match(md, /\| Seconds per sample \| Judgements per sample \|/);
    assert.match(md, /\| plain, best-of-2 \| 1,5 \| 2 \|/);

    // A second run with one more N makes only the new row's samples.
    const more = await cli(args(['--mode', 'plain', '--best-of', '1,2,3', '--out', 'out']), dir);
    assert.equal(more.code, 0, more.stderr);
    assert.match(more.stdout, /6 of 6 samples \(2 made now\)/);
    assert.equal((await lines(path.join(dir, 'out', 'samples.jsonl'))).length, 10);

    const again = await cli(['--report', path.join('out', 'samples.jsonl'), '--out', 'rep'], dir);
    assert.equal(again.code, 0, again.stderr);
    const recomputed = JSON.parse(await fs.readFile(path.join(dir, 'rep', 'report.json'), 'utf8')) as EvalReport;
    const final = JSON.parse(await fs.readFile(path.join(dir, 'out', 'report.json'), 'utf8')) as EvalReport;
    assert.deepEqual(recomputed.rows, final.rows);
    assert.deepEqual(
      final.rows.map((r) => `${r.mode}/${r.bestOf}`),
      ['directive/1', 'directive/2', 'plain/1', 'plain/2', 'plain/3'],
    );
  });

  it('refuses a bad --best-of or --mode before loading anything', async () => {
    for (const [flag, value, message] of [
      ['--best-of', '0,2', /--best-of takes whole numbers from 1 to 8/],
      ['--best-of', '9', /--best-of takes whole numbers from 1 to 8/],
      ['--best-of', '2,x', /--best-of takes whole numbers/],
      ['--mode', 'directive,loud', /--mode/],
    ] as const) {
      const run = await cli(args([flag, value, '--out', 'bad']), dir);
      assert.equal(run.code, 2, `${flag} ${value}: ${run.stderr}`);
      assert.match(run.stderr, message);
      await assert.rejects(fs.stat(path.join(dir, 'bad', 'samples.jsonl')));
    }
  });
});
