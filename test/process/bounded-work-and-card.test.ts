// Issue 22's remaining pieces against generated models (1 thread): `eval --tasks` (free writing, scored and
// reported like rewrites, rows of their own); bounded work in eval and generate (a passage or task that cannot
// fit the context with the prompt and --max-tokens is skipped before anything is generated for it, named on
// stderr with its token count, counted, and the run exits 0); and `pairs --card` (the dataset card generate
// writes, for pairs built from feedback logs).
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fingerprintFile } from '../../src/core/engine';
import type { EvalReport } from '../../src/core/eval';
import { fixturesDir } from '../fixtures/feedback/events';
import { runCli, type NodeRun } from '../unit/helpers/run-node';
import { testModels } from '../unit/helpers/test-models';

const LOCAL = ['--threads', '1', '--gpu', 'off', '--context-size', '4096', '--no-prompt-cache'];
const LONG = 'The quick brown fox jumps. '.repeat(400);

function cli(args: string[], cwd: string): Promise<NodeRun> {
  return runCli(args, { cwd, timeoutMs: 300_000 });
}

async function lines(file: string): Promise<Array<Record<string, unknown>>> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const jsonlOf = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('issue 22: eval --tasks, bounded work, pairs --card (CLI, generated models)', function () {
  this.timeout(600_000);
  let dir: string;
  let tiny: string;
  let lora: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-bounded-'));
    ({ tiny, tinyLora: lora } = await testModels());
  });
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  it(
    'eval --tasks: tasks written and judged per mode, a too-long task skipped before any output, ' + '--report agrees',
    async () => {
      const tasks = path.join(dir, 'tasks.jsonl');
      await fs.writeFile(
        tasks,
        jsonlOf([
          { id: 'note', prompt: 'Write a short note to a neighbour about a parcel.' },
          { id: 'too-long', prompt: `Continue this story: ${LONG}` },
          { id: 'street', prompt: 'Describe a rainy street in two sentences.' },
        ]),
      );
      const args = ['eval', '--model', tiny, '--rubric', 'formality', '--tasks', tasks, '--levels', '1,5'];
      const run = await cli(
        [
          ...args,
          '--mode',
          'directive,plain',
          '--max-tokens',
          '12',
          '--critique-chars',
          '16',
          ...LOCAL,
          '--out',
          'tasks',
        ],
        dir,
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /task too-long: skipped for .*: \d+ prompt tokens and --max-tokens 12 do not fit a 4096-token context/,
      );
      // Skipped up front: no output of it was ever attempted (the progress names every attempted sample).
      assert.doesNotMatch(run.stderr, /\] too-long\//);
      assert.match(run.stderr, /\] note\/formality\/L1\/s0 \(directive\) ok/);
      assert.match(run.stdout, /1 task skipped: too long for a 4096-token context/);
      const samples = await lines(path.join(dir, 'tasks', 'samples.jsonl'));
      assert.equal(samples.length, 8, '2 tasks × 2 levels × 2 modes');
      assert.ok(samples.every((s) => s.task === true && s.textId !== 'too-long'));
      assert.ok(samples.every((s) => Number.isInteger(s.score) && typeof s.output === 'string'));
      assert.match(run.stdout, /\[directive, tasks\]: n 4, accuracy/);
      assert.match(run.stdout, /\[plain, tasks\]: n 4, accuracy/);
      const report = JSON.parse(await fs.readFile(path.join(dir, 'tasks', 'report.json'), 'utf8')) as EvalReport;
      assert.deepEqual(
        report.rows.map((r) => [r.mode, r.task, r.pooled.n]),
        [
          ['directive', true, 4],
          ['plain', true, 4],
        ],
      );
      assert.match(await fs.readFile(path.join(dir, 'tasks', 'report.md'), 'utf8'), /1 task skipped/);
      const again = await cli(['eval', '--report', path.join(dir, 'tasks', 'samples.jsonl'), '--out', 'again'], dir);
      assert.equal(again.code, 0, again.stderr);
      const recomputed = JSON.parse(await fs.readFile(path.join(dir, 'again', 'report.json'), 'utf8')) as EvalReport;
      assert.deepEqual(
        recomputed.rows.map((r) => r.pooled),
        report.rows.map((r) => r.pooled),
      );

      const both = await cli([...args, '--texts', tasks, '--out', 'x'], dir);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /give --texts or --tasks, not both/);
    },
  );

  it(
    'generate: a passage too long for the teacher is skipped up front and counted; the others are ' + 'made; exit 0',
    async () => {
      const texts = path.join(dir, 'gen-texts.jsonl');
      await fs.writeFile(
        texts,
        jsonlOf([
          { id: 'short-a', text: 'Could you send me the slides from Tuesday?' },
          { id: 'too-long', text: LONG },
          { id: 'short-b', text: 'The meeting moved to Friday at noon.' },
        ]),
      );
      const args = ['generate', '--rubric', 'formality', '--teacher', tiny, '--levels', '1,5', '--max-tokens', '12'];
      const run = await cli(
        [...args, '--texts', texts, '--seed', '1', '--concurrency', '1', ...LOCAL, '--out', 'gen'],
        dir,
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(
          String.raw`too-long: skipped: the teacher's prompt is \d+ tokens, ` +
            String.raw`and with maxTokens 12 it does not fit a 4096-token context`,
        ),
      );
      assert.doesNotMatch(run.stderr, /\] too-long\//, 'no output of it was attempted');
      assert.match(run.stdout, /4 of 4 outputs \(4 made now\)/);
      assert.match(run.stdout, /1 passage skipped: too long for a 4096-token context with --max-tokens 12/);
      const samples = await lines(path.join(dir, 'gen', 'samples.jsonl'));
      assert.deepEqual([...new Set(samples.map((s) => s.id))].sort(), ['short-a', 'short-b']);
      // Each record names its teacher by content too.
      const fp = (await fingerprintFile(tiny)).fingerprint;
      assert.ok(
        samples.every((s) => s.teacherFingerprint === fp),
        JSON.stringify(samples[0]),
      );
      assert.match(await fs.readFile(path.join(dir, 'gen', 'report.md'), 'utf8'), /Status: \*\*complete/);
      assert.match(
        await fs.readFile(path.join(dir, 'gen', 'report.md'), 'utf8'),
        /- Skipped: 1 passage too long for the teacher's context \(too-long: \d+ tokens, context 4096\)/,
      );
      const card = await fs.readFile(path.join(dir, 'gen', 'README.md'), 'utf8');
      assert.ok(card.includes("- Skipped inputs (too long for the teacher's context): 1; outputs given up"), card);
      assert.ok(card.includes('- Outputs: 4 present, 0 missing'), card);

      // A rerun makes nothing and asks the teacher for nothing; every passage too long is a clear error.
      const rerun = await cli([...args, '--texts', texts, '--seed', '1', ...LOCAL, '--out', 'gen'], dir);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.match(rerun.stdout, /4 of 4 outputs \(0 made now\)/);
      const allLong = path.join(dir, 'all-long.jsonl');
      await fs.writeFile(allLong, jsonlOf([{ id: 'too-long', text: LONG }]));
      const none = await cli([...args, '--texts', allLong, ...LOCAL, '--out', 'none'], dir);
      assert.equal(none.code, 1);
      assert.ok(none.stderr.includes(`every passage of ${allLong} is too long for the teacher's context`), none.stderr);
    },
  );

  it('generate --teacher-lora: records name the teacher with its adapter and fingerprint both', async () => {
    const texts = path.join(dir, 'one-text.jsonl');
    await fs.writeFile(texts, jsonlOf([{ id: 'short-a', text: 'Could you send me the slides from Tuesday?' }]));
    const args = ['generate', '--rubric', 'formality', '--teacher', tiny, '--levels', '1,5', '--max-tokens', '6'];
    const run = await cli([...args, '--texts', texts, '--teacher-lora', `${lora}:0.5`, ...LOCAL, '--out', 'tl'], dir);
    assert.equal(run.code, 0, run.stderr);
    const samples = await lines(path.join(dir, 'tl', 'samples.jsonl'));
    const [m, a] = await Promise.all([fingerprintFile(tiny), fingerprintFile(lora)]);
    assert.equal(samples.length, 2);
    assert.ok(
      samples.every((s) => String(s.teacher).endsWith(` + ${lora}×0.5`)),
      String(samples[0].teacher),
    );
    assert.ok(samples.every((s) => s.teacherFingerprint === `${m.fingerprint}+${a.fingerprint}×0.5`));
    // The same folder without the adapter is another teacher: refused, never mixed into one data set.
    const base = await cli([...args, '--texts', texts, ...LOCAL, '--out', 'tl'], dir);
    assert.equal(base.code, 1);
    assert.match(base.stderr, /teacher/);
    assert.equal((await lines(path.join(dir, 'tl', 'samples.jsonl'))).length, 2);
  });

  it(
    'pairs --card: a dataset card beside the pairs, with splits, counts, models by fingerprint and ' + 'skips',
    async () => {
      // The fixture log, its rewrites made by a fingerprinted model with an adapter (as the editor records them).
      const events = (await fs.readFile(path.join(fixturesDir, 'sample.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const log = path.join(dir, 'feedback.jsonl');
      await fs.writeFile(
        log,
        jsonlOf(
          events.map((e) =>
            e.type === 'rewrite'
              ? {
                  ...e,
                  model: {
                    name: 'tiny',
                    file: '/models/tiny.gguf',
                    label: 'tiny.gguf + style.gguf',
                    fingerprint: '0123456789abcdef',
                    adapters: [{ label: 'style.gguf', fingerprint: 'fedcba9876543210', scale: 0.5 }],
                  },
                }
              : e,
          ),
        ),
      );
      const out = path.join(dir, 'ds', 'pairs.jsonl');
      const run = await cli(['pairs', log, '--out', out, '--test-split', '0.3', '--seed', '2', '--card'], dir);
      assert.equal(run.code, 0, run.stderr);
      const train = await lines(out);
      const test = await lines(path.join(dir, 'ds', 'pairs.test.jsonl'));
      const card = await fs.readFile(path.join(dir, 'ds', 'README.md'), 'utf8');
      assert.match(card, /^---\nlicense: other\ntask_categories:\n {2}- text-generation\n/);
      assert.match(
        card,
        /- split: train\n {8}path: "pairs\.jsonl"\n {6}- split: test\n {8}path: "pairs\.test\.jsonl"\n---/,
      );
      assert.match(card, /<!-- written by cpt-writer pairs: replaced on each run -->/);
      assert.ok(card.includes(`- Pairs: ${train.length} train, ${test.length} test (`), card);
      assert.ok(
        card.includes(
          'tiny.gguf + style.gguf (fingerprint 0123456789abcdef) with adapters style.gguf ' +
            '(fingerprint fedcba9876543210, scale 0.5)',
        ),
        card,
      );
      assert.match(card, /Prompt mode of the system prompts: directive \(\d+\)/);
      assert.match(card, /- Truncated: not recorded by the feedback log/);
      assert.match(card, /- Skipped: 0 unreadable log lines; 1 decision without its rewrite;/);
      // Counts per rubric × level add up to the pairs.
      const all = [...train, ...test];
      for (const level of new Set(all.map((p) => p.level))) {
        const n = all.filter((p) => p.level === level).length;
        assert.match(card, new RegExp(`\\| formality \\| ${String(level)} \\| ${n} \\| \\d+ \\| \\d+ \\|`));
      }
      assert.match(run.stdout, /dataset card: `.*README\.md`/);

      // A README of the writer's own is never replaced: refused before anything is written.
      const own = path.join(dir, 'own');
      await fs.mkdir(own);
      await fs.writeFile(path.join(own, 'README.md'), '# My notes\n');
      const refused = await cli(['pairs', log, '--out', path.join(own, 'pairs.jsonl'), '--card'], dir);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /README\.md is a README of your own/);
      assert.equal(await fs.readFile(path.join(own, 'README.md'), 'utf8'), '# My notes\n');
      assert.deepEqual(await fs.readdir(own), ['README.md']);
    },
  );

  it(
    '--report refuses a row mixing two versions of the judge prompt, naming a line of each; nothing ' + 'is written',
    async () => {
      const line = (level: number, judgePrompt: number) =>
        JSON.stringify({
          textId: 't',
          rubric: 'formality',
          level,
          target: level * 20 - 10,
          mode: 'directive',
          model: 'm',
          output: 'x',
          score: 50,
          judge: 'j',
          judgePrompt,
        });
      const a = path.join(dir, 'prompt-1.jsonl');
      const b = path.join(dir, 'prompt-2.jsonl');
      await fs.writeFile(a, line(1, 1) + '\n');
      await fs.writeFile(b, line(5, 2) + '\n');
      const out = path.join(dir, 'mixed-prompts');
      const run = await cli(['eval', '--report', a, b, '--out', out], dir);
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /m \(directive\) is scored with judge prompt version 1 at .*prompt-1\.jsonl:1 and 2 at .*prompt-2\.jsonl:1/,
      );
      await assert.rejects(fs.access(out));
    },
  );
});
