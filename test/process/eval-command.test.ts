// `cpt-writer eval` end to end with generated random-weight models: the three report files, --report
// reproducing the run's numbers, comparison of two models, resume after a kill and after Ctrl+C (no
// sample duplicated or lost), corrupt sample lines, and each bad input with its message.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EvalReport } from '../../src/core/eval';
import { repoRoot } from '../fixtures/rubrics/paths';
import { CLI_MAIN, runCli, type NodeRun } from '../unit/helpers/run-node';
import { testModel, testModels } from '../unit/helpers/test-models';

const TEXTS = path.join(repoRoot, 'test', 'fixtures', 'eval', 'texts.jsonl');
const LOCAL = ['--threads', '1', '--gpu', 'off', '--context-size', '4096', '--no-prompt-cache'];
// Short rewrites and critiques; the judge samples at temperature 1 so a random model's scores vary.
const FAST = ['--max-tokens', '12', '--critique-chars', '16', '--judge-temperature', '1'];

function cli(args: string[], cwd: string): Promise<NodeRun> {
  return runCli(['eval', ...args], { cwd, timeoutMs: 180_000 });
}

async function lines(file: string): Promise<Record<string, unknown>[]> {
  try {
    return (await fs.readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}

const keyOf = (s: Record<string, unknown>) => JSON.stringify([s.model, s.mode, s.textId, s.rubric, s.level, s.sample]);

async function readReport(dir: string): Promise<EvalReport> {
  return JSON.parse(await fs.readFile(path.join(dir, 'report.json'), 'utf8')) as EvalReport;
}

/** Starts the CLI as a child and resolves once `n` sample lines are on disk. */
async function startAndWaitFor(args: string[], cwd: string, samplesFile: string, n: number) {
  const child = spawn(process.execPath, [CLI_MAIN, 'eval', ...args], { cwd });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const t0 = Date.now();
  while ((await lines(samplesFile)).length < n) {
    assert.ok(Date.now() - t0 < 90_000, `${n} samples within 90 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, exited, stderr: () => stderr };
}

describe('cpt-writer eval (CLI)', function () {
  this.timeout(240_000);
  let dir: string;
  let tiny: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-eval-cli-'));
    tiny = (await testModels()).tiny;
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  const base = () => [
    '--model',
    tiny,
    '--rubric',
    'formality',
    '--texts',
    TEXTS,
    '--levels',
    '1,3,5',
    ...FAST,
    ...LOCAL,
  ];

  it(
    'on a generated model: 3 passages × levels 1,3,5 give 9 judged samples and all three report files; ' +
      '--report reproduces the numbers',
    async () => {
      const run = await cli([...base(), '--out', 'out'], dir);
      assert.equal(run.code, 0, run.stderr);
      const samples = await lines(path.join(dir, 'out', 'samples.jsonl'));
      assert.equal(samples.length, 9);
      assert.equal(new Set(samples.map(keyOf)).size, 9);
      for (const s of samples) {
        for (const k of [
          'textId',
          'rubric',
          'level',
          'target',
          'mode',
          'model',
          'output',
          'score',
          'critique',
          'seed',
          'seconds',
        ])
          assert.ok(k in s, `${k} in ${JSON.stringify(s)}`);
        assert.ok(Number.isInteger(s.score) && (s.score as number) >= 0 && (s.score as number) <= 100);
        assert.equal(s.target, { 1: 10, 3: 50, 5: 90 }[s.level as 1 | 3 | 5]);
        assert.equal(s.mode, 'directive');
      }
      assert.deepEqual([...new Set(samples.map((s) => s.textId))], ['email-slides', 'blog-garden', 'paper-bound']);
      assert.match(run.stderr, /\[9\/9 100%/);
      assert.match(run.stderr, /ETA \d+s/);
      assert.match(run.stdout, /samples\.jsonl: 9 of 9 samples \(9 made now\)/);

      const report = await readReport(path.join(dir, 'out'));
      assert.equal(report.rows.length, 1);
      const row = report.rows[0];
      assert.equal(row.pooled.n, 9);
      assert.deepEqual(row.pooled.levels, [1, 3, 5]);
      assert.deepEqual(
        row.pooled.perLevel.map((l) => l.n),
        [3, 3, 3],
      );
      assert.equal(row.pooled.orderGroups, 3);
      const md = await fs.readFile(path.join(dir, 'out', 'report.md'), 'utf8');
      assert.match(
        md,
        new RegExp(
          String.raw`\| Model \| Mode \| Levels \| n \| Accuracy \| Kendall τ-b ` +
            String.raw`\| Spearman ρ \| Order accuracy \| Truncated \| Seconds \|`,
        ),
      );
      assert.match(md, /!\[[^\]]*\]\(report\.svg\)/);
      assert.match(md, /\*\*Accuracy\*\*: share of samples/);
      const svg = await fs.readFile(path.join(dir, 'out', 'report.svg'), 'utf8');
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.equal((svg.match(/<circle /g) ?? []).length, 9, 'one dot per sample');
      assert.equal((svg.match(/<rect /g) ?? []).length, 3, 'one box per level');

      const again = await cli(['--report', path.join('out', 'samples.jsonl'), '--out', 'out2'], dir);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual((await readReport(path.join(dir, 'out2'))).rows, report.rows);
      assert.equal(await fs.readFile(path.join(dir, 'out2', 'report.svg'), 'utf8'), svg);
    },
  );

  it('compares two models and both prompt modes side by side, in a run and from two samples files', async () => {
    const other = await testModel({ seed: 7 });
    const run = await cli([...base(), '--model', other, '--mode', 'both', '--levels', '1,5', '--out', 'out'], dir);
    assert.equal(run.code, 0, run.stderr);
    const report = await readReport(path.join(dir, 'out'));
    assert.deepEqual(
      report.rows.map((r) => [r.model.includes(path.basename(tiny)), r.mode]),
      [
        [true, 'directive'],
        [true, 'rubric'],
        [false, 'directive'],
        [false, 'rubric'],
      ],
    );
    assert.ok(report.rows.every((r) => r.pooled.n === 6));
    // The same text, rubric, level and sample get the same seed whatever the model or mode.
    const samples = await lines(path.join(dir, 'out', 'samples.jsonl'));
    const seeds = new Map<string, Set<unknown>>();
    for (const s of samples)
      seeds.set(`${s.textId}/${s.level}`, (seeds.get(`${s.textId}/${s.level}`) ?? new Set()).add(s.seed));
    assert.ok([...seeds.values()].every((v) => v.size === 1));

    // Split by model into two files and report on both: the same rows.
    const [a, b] = [
      samples.filter((s) => s.model === report.rows[0].model),
      samples.filter((s) => s.model !== report.rows[0].model),
    ];
    await fs.writeFile(path.join(dir, 'a.jsonl'), a.map((s) => JSON.stringify(s)).join('\n') + '\n');
    await fs.writeFile(path.join(dir, 'b.jsonl'), b.map((s) => JSON.stringify(s)).join('\n') + '\n');
    const both = await cli(['--report', 'a.jsonl', 'b.jsonl', '--out', 'cmp'], dir);
    assert.equal(both.code, 0, both.stderr);
    assert.deepEqual((await readReport(path.join(dir, 'cmp'))).rows, report.rows);
    assert.equal(
      (await fs.readFile(path.join(dir, 'cmp', 'report.md'), 'utf8'))
        .split('\n')
        // Rows are named by the path as given on the command line.
        .filter((l) => /^\| \S+\.gguf \| (directive|rubric) \| 1,5 \|/.test(l)).length,
      4,
    );
  });

  it("killed mid-run and run again: every sample once, none lost, the first run's lines untouched", async () => {
    const out = path.join(dir, 'out');
    const file = path.join(out, 'samples.jsonl');
    const first = await startAndWaitFor([...base(), '--out', out], dir, file, 3);
    first.child.kill('SIGKILL');
    await first.exited;
    const before = await fs.readFile(file, 'utf8');
    const kept = before.split('\n').filter(Boolean);
    assert.ok(kept.length >= 3 && kept.length < 9, `killed after ${kept.length}`);
    const run = await cli([...base(), '--out', out], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`9 of 9 samples \\(${9 - kept.length} made now\\)`));
    const after = await fs.readFile(file, 'utf8');
    assert.ok(
      after.startsWith(before.endsWith('\n') ? before : before.slice(0, before.lastIndexOf('\n') + 1)),
      "the first run's lines are kept as they were",
    );
    const all = await lines(file);
    assert.equal(all.length, 9);
    assert.equal(new Set(all.map(keyOf)).size, 9);
  });

  it('stopped with Ctrl+C (SIGINT): exits 130 with what is finished kept, and a re-run completes it', async () => {
    const out = path.join(dir, 'out');
    const file = path.join(out, 'samples.jsonl');
    const first = await startAndWaitFor([...base(), '--out', out], dir, file, 2);
    first.child.kill('SIGINT');
    assert.equal(await first.exited, 130, first.stderr());
    assert.match(first.stderr(), /cancelling: finished samples are kept/);
    const k = (await lines(file)).length;
    assert.ok(k >= 2 && k < 9, `stopped after ${k}`);
    const report = await readReport(out);
    assert.equal(report.rows[0].pooled.n, k, 'the report covers what was finished');
    const run = await cli([...base(), '--out', out], dir);
    assert.equal(run.code, 0, run.stderr);
    const all = await lines(file);
    assert.equal(all.length, 9);
    assert.equal(new Set(all.map(keyOf)).size, 9);
  });

  it('--report skips corrupt lines, names them by line number, and counts the rest', async () => {
    const good = (textId: string, level: number, score: number) =>
      JSON.stringify({
        v: 1,
        textId,
        rubric: 'formality',
        level,
        target: level * 20 - 10,
        mode: 'directive',
        model: 'm',
        sample: 0,
        output: 'x',
        score,
        critique: '',
        judge: 'j',
        judgePrompt: 1,
        seed: 1,
        seconds: 0.5,
        time: '2026-01-01T00:00:00.000Z',
      });
    const file = path.join(dir, 'samples.jsonl');
    await fs.writeFile(
      file,
      [
        good('a', 1, 12),
        '{"textId": "cut off',
        good('a', 3, 48),
        good('a', 5, 93),
        good('b', 7, 50),
        good('b', 1, 35),
        good('a', 1, 99),
        good('b', 3, 50),
        good('b', 5, 71),
        'not json at all',
      ].join('\n'),
    );
    const run = await cli(['--report', 'samples.jsonl'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /samples\.jsonl:2: skipped: corrupt JSON/);
    assert.match(run.stderr, /samples\.jsonl:5: skipped: "level" must be 1\.\.5/);
    assert.match(run.stderr, /samples\.jsonl:7: skipped: the same sample as line 1; counted once/);
    assert.match(run.stderr, /samples\.jsonl:10: skipped: corrupt JSON/);
    assert.match(run.stderr, /4 lines skipped; the rest are counted/);
    const report = await readReport(dir);
    const m = report.rows[0].pooled;
    assert.equal(m.n, 6);
    // a: 12, 48, 93 all hits and ordered; b: 35 (nearer 50: miss), 50, 71 (nearer 90? |19| < |21|: hit) ordered.
    assert.equal(m.accuracy, 5 / 6);
    assert.equal(m.orderAccuracy, 1);
    assert.deepEqual(
      report.skipped.map((s) => s.line),
      [2, 5, 7, 10],
    );
    assert.match(await fs.readFile(path.join(dir, 'report.md'), 'utf8'), /## Skipped lines[\s\S]*samples\.jsonl:2`/);

    // The same samples in a second file count once, each repeat named by its line.
    await fs.copyFile(file, path.join(dir, 'copy.jsonl'));
    const twice = await cli(['--report', 'samples.jsonl', 'copy.jsonl', '--out', 'twice'], dir);
    assert.equal(twice.code, 0, twice.stderr);
    assert.match(twice.stderr, /copy\.jsonl:1: skipped: the same sample as samples\.jsonl:1; counted once/);
    assert.equal((await readReport(path.join(dir, 'twice'))).rows[0].pooled.n, 6);
  });

  describe('bad input', () => {
    it('an unknown rubric id: the known ones are listed', async () => {
      const run = await cli(['--model', tiny, '--rubric', 'no-such-rubric', '--texts', TEXTS, '--out', 'out'], dir);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /unknown rubric 'no-such-rubric'; known rubrics: .*formality/);
    });

    it('an empty texts file', async () => {
      await fs.writeFile(path.join(dir, 'empty.jsonl'), '\n\n');
      const run = await cli(['--model', tiny, '--rubric', 'formality', '--texts', 'empty.jsonl', '--out', 'out'], dir);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /nothing to evaluate: empty\.jsonl has no usable passages \(it is empty\)/);
    });

    it('a level outside 1–5', async () => {
      for (const levels of ['1,3,6', '0', '2,x']) {
        const run = await cli(
          ['--model', tiny, '--rubric', 'formality', '--texts', TEXTS, '--levels', levels, '--out', 'out'],
          dir,
        );
        assert.equal(run.code, 2, levels);
        assert.match(run.stderr, /--levels must list levels from 1 to 5 separated by commas/);
      }
    });

    it('a judge model that fails to load: a clear error, and the samples made so far are kept', async () => {
      const { notGguf } = await testModels();
      const two = path.join(dir, 'two.jsonl');
      const all = (await fs.readFile(TEXTS, 'utf8')).split('\n').filter(Boolean);
      await fs.writeFile(two, `${all.slice(0, 2).join('\n')}\n`);
      const first = await cli(
        [
          '--model',
          tiny,
          '--rubric',
          'formality',
          '--texts',
          two,
          '--levels',
          '1,5',
          ...FAST,
          ...LOCAL,
          '--out',
          'out',
        ],
        dir,
      );
      assert.equal(first.code, 0, first.stderr);
      const file = path.join(dir, 'out', 'samples.jsonl');
      const before = await fs.readFile(file, 'utf8');
      assert.equal(before.split('\n').filter(Boolean).length, 4);
      const run = await cli(
        [
          '--model',
          tiny,
          '--judge-model',
          notGguf,
          '--rubric',
          'formality',
          '--texts',
          TEXTS,
          '--levels',
          '1,5',
          ...FAST,
          ...LOCAL,
          '--out',
          'out',
        ],
        dir,
      );
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(
          String.raw`cpt-writer eval: the judge model failed to load: .*; the 4 samples ` +
            String.raw`made so far are kept in .*samples\.jsonl: run again to continue`,
        ),
      );
      assert.equal(await fs.readFile(file, 'utf8'), before);
      assert.ok(await fs.stat(path.join(dir, 'out', 'report.md')));
    });
  });
});
