// Base vs tuned, measured right (issue 22): models are told apart by content, not name or path; --lora
// reaches the evaluated model only, never the judge; a misfit adapter is an error; samples record their
// adapters; base and base + adapter are two rows however they are run; an over-long passage is skipped
// and named while the others are scored; truncation is recorded and counted. Generated models, 1 thread.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fingerprintFile } from '../../src/core/engine';
import type { EvalReport } from '../../src/core/eval';
import { runCli, type NodeRun } from '../unit/helpers/run-node';
import { testLora, testModel, testModels } from '../unit/helpers/test-models';

const LOCAL = ['--threads', '1', '--gpu', 'off', '--context-size', '4096', '--no-prompt-cache'];
const FAST = ['--max-tokens', '12', '--critique-chars', '16'];
const TEXTS = [
  { id: 'short-a', languageId: 'plaintext', text: 'Could you send me the slides from Tuesday?' },
  { id: 'short-b', languageId: 'plaintext', text: 'The meeting moved to Friday at noon.' },
];

function cli(args: string[], cwd: string): Promise<NodeRun> {
  return runCli(args, { cwd, timeoutMs: 240_000 });
}

async function lines(file: string): Promise<Array<Record<string, unknown>>> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const report = async (dir: string) =>
  JSON.parse(await fs.readFile(path.join(dir, 'report.json'), 'utf8')) as EvalReport;

describe('eval: model identity, adapters, bounded work (CLI, generated models)', function () {
  this.timeout(600_000);
  let dir: string;
  let tiny: string;
  let lora: string;
  let texts: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-eval-identity-'));
    ({ tiny, tinyLora: lora } = await testModels());
    texts = path.join(dir, 'texts.jsonl');
    await fs.writeFile(texts, TEXTS.map((t) => JSON.stringify(t)).join('\n') + '\n');
  });
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  const evalArgs = (out: string, ...more: string[]) => [
    'eval',
    '--rubric',
    'formality',
    '--texts',
    texts,
    '--levels',
    '1,5',
    ...FAST,
    ...LOCAL,
    '--out',
    out,
    ...more,
  ];

  it('fingerprints content: a copy and a symlink match, another seed of the same shape does not', async () => {
    const other = await testModel({ seed: 7 });
    const copy = path.join(dir, 'copy.gguf');
    const link = path.join(dir, 'link.gguf');
    await fs.copyFile(tiny, copy);
    await fs.symlink(tiny, link);
    const [a, b, c, d] = await Promise.all([tiny, copy, link, other].map((f) => fingerprintFile(f)));
    assert.match(a.fingerprint, /^[0-9a-f]{16}$/);
    assert.equal(b.fingerprint, a.fingerprint);
    assert.equal(c.fingerprint, a.fingerprint);
    assert.equal(c.realPath, await fs.realpath(tiny));
    assert.notEqual(d.fingerprint, a.fingerprint);
  });

  it('two checkpoints with one file name are two rows; the same file by a symlink is evaluated once', async () => {
    await fs.mkdir(path.join(dir, 'ckpt-100'));
    await fs.mkdir(path.join(dir, 'ckpt-200'));
    const c100 = path.join(dir, 'ckpt-100', 'model.gguf');
    const c200 = path.join(dir, 'ckpt-200', 'model.gguf');
    await fs.copyFile(tiny, c100);
    await fs.copyFile(await testModel({ seed: 7 }), c200);
    const link = path.join(dir, 'ckpt-link.gguf');
    await fs.symlink(c100, link);
    const run = await cli(evalArgs('ckpt', '--model', c100, '--model', `${c200}=step 200`, '--model', link), dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /ckpt-link\.gguf is the same model as .*ckpt-100.*model\.gguf \(fingerprint [0-9a-f]{16}\): evaluated once/,
    );
    const r = await report(path.join(dir, 'ckpt'));
    assert.deepEqual(
      r.rows.map((row) => row.model),
      [c100, 'step 200'],
    );
    assert.notEqual(r.rows[0].modelFingerprint, r.rows[1].modelFingerprint);
    assert.equal(r.rows[0].modelFingerprint, (await fingerprintFile(c100)).fingerprint);
    const samples = await lines(path.join(dir, 'ckpt', 'samples.jsonl'));
    assert.equal(samples.length, 2 * 2 * 2);
    // Truncation is data: every sample says whether it stopped at the 12-token limit, and the row counts it.
    for (const row of r.rows) {
      const mine = samples.filter((s) => s.modelFingerprint === row.modelFingerprint);
      assert.ok(mine.every((s) => typeof s.truncated === 'boolean'));
      assert.equal(row.truncated, mine.filter((s) => s.truncated).length / mine.length);
    }
    assert.ok(
      samples.some((s) => s.truncated === true),
      'a random model writes past 12 tokens',
    );
  });

  it(
    '--lora with --with-base: two rows; the adapter is recorded, and the judge scores exactly as it ' + 'does alone',
    async () => {
      const judge = path.join(dir, 'judge.gguf');
      await fs.copyFile(tiny, judge);
      const run = await cli(
        evalArgs('side', '--model', tiny, '--lora', `${lora}:0.5`, '--with-base', '--judge-model', judge),
        dir,
      );
      assert.equal(run.code, 0, run.stderr);
      const r = await report(path.join(dir, 'side'));
      assert.equal(r.rows.length, 2);
      assert.equal(r.rows[0].model, tiny);
      assert.equal(r.rows[1].model, `${tiny} + ${lora}×0.5`);
      const adapterFp = (await fingerprintFile(lora)).fingerprint;
      assert.deepEqual(r.rows[1].adapters, [{ label: lora, fingerprint: adapterFp, scale: 0.5 }]);
      const samples = await lines(path.join(dir, 'side', 'samples.jsonl'));
      const tuned = samples.filter((s) => s.adapters);
      assert.equal(tuned.length, 4);
      for (const s of tuned) assert.deepEqual(s.adapters, [{ label: lora, fingerprint: adapterFp, scale: 0.5 }]);
      assert.equal(samples.filter((s) => !s.adapters).length, 4);
      const judgeFp = (await fingerprintFile(judge)).fingerprint;
      assert.ok(samples.every((s) => s.judgeFingerprint === judgeFp));

      // The judge, alone and greedy, gives each adapter-row output the score it got inside `eval --lora`.
      for (const s of tuned.slice(0, 2)) {
        const file = path.join(dir, `out-${String(s.textId)}-${String(s.level)}.txt`);
        await fs.writeFile(file, String(s.output));
        const alone = await cli(
          ['judge', '--model', judge, '--rubric', 'formality', '--file', file, '--critique-chars', '16', ...LOCAL],
          dir,
        );
        assert.equal(alone.code, 0, alone.stderr);
        assert.equal((JSON.parse(alone.stdout) as { score: number }).score, s.score);
      }

      // Base and adapter samples in two files side by side: --report gives two labelled rows, none dropped.
      await fs.mkdir(path.join(dir, 'base'));
      await fs.mkdir(path.join(dir, 'tuned'));
      const base = path.join(dir, 'base', 'samples.jsonl');
      const tunedFile = path.join(dir, 'tuned', 'samples.jsonl');
      await fs.writeFile(
        base,
        samples
          .filter((s) => !s.adapters)
          .map((s) => JSON.stringify(s) + '\n')
          .join(''),
      );
      await fs.writeFile(tunedFile, tuned.map((s) => JSON.stringify(s) + '\n').join(''));
      const both = await cli(['eval', '--report', base, tunedFile, '--out', path.join(dir, 'both')], dir);
      assert.equal(both.code, 0, both.stderr);
      assert.doesNotMatch(both.stderr, /counted once/);
      const rb = await report(path.join(dir, 'both'));
      assert.deepEqual(
        rb.rows.map((row) => [row.model, row.pooled.n]),
        [
          [tiny, 4],
          [`${tiny} + ${lora}×0.5`, 4],
        ],
      );
    },
  );

  it('a base run and an adapter run into one folder keep two rows', async () => {
    const first = await cli(evalArgs('one', '--model', tiny), dir);
    assert.equal(first.code, 0, first.stderr);
    const second = await cli(evalArgs('one', '--model', tiny, '--lora', lora), dir);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /4 of 4 samples \(4 made now\)/);
    const r = await report(path.join(dir, 'one'));
    assert.deepEqual(
      r.rows.map((row) => row.model),
      [tiny, `${tiny} + ${lora}`],
    );
  });

  it('an adapter made for another model is an error naming both files, and nothing is written', async () => {
    const wide = await testLora(4, { embd: 128 });
    const run = await cli(evalArgs('misfit', '--model', tiny, '--lora', wide), dir);
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.stderr.includes(wide), run.stderr);
    assert.ok(run.stderr.includes(tiny), run.stderr);
    assert.match(run.stderr, /cannot be applied to the model/);
    const samples = await fs.readFile(path.join(dir, 'misfit', 'samples.jsonl'), 'utf8').catch(() => '');
    assert.equal(samples, '');
  });

  it('skips a passage too long for the context, names it, scores the others and exits 0', async () => {
    const longTexts = path.join(dir, 'long.jsonl');
    const long = { id: 'too-long', languageId: 'plaintext', text: 'The quick brown fox jumps. '.repeat(400) };
    await fs.writeFile(longTexts, [TEXTS[0], long, TEXTS[1]].map((t) => JSON.stringify(t)).join('\n') + '\n');
    const args = evalArgs('long', '--model', tiny).map((a) => (a === texts ? longTexts : a));
    const run = await cli(args, dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /passage too-long: skipped for .*: \d+ prompt tokens and --max-tokens 12 do not fit a 4096-token context/,
    );
    assert.match(run.stdout, /1 passage skipped: too long for a 4096-token context/);
    const samples = await lines(path.join(dir, 'long', 'samples.jsonl'));
    assert.deepEqual([...new Set(samples.map((s) => s.textId))].sort(), ['short-a', 'short-b']);
    assert.equal(samples.length, 4);
    assert.match(await fs.readFile(path.join(dir, 'long', 'report.md'), 'utf8'), /1 passage skipped/);

    // Every passage too long: a clear error naming the file.
    const allLong = path.join(dir, 'all-long.jsonl');
    await fs.writeFile(allLong, JSON.stringify(long) + '\n');
    const none = await cli(
      evalArgs('all-long', '--model', tiny).map((a) => (a === texts ? allLong : a)),
      dir,
    );
    assert.equal(none.code, 1);
    assert.ok(none.stderr.includes(`every passage of ${allLong} is too long`), none.stderr);
  });

  it('--lora is for an evaluated model: judge and generate refuse it and name their own flags', async () => {
    const judge = await cli(['judge', '--model', tiny, '--rubric', 'formality', '--lora', lora], dir);
    assert.equal(judge.code, 2);
    assert.match(judge.stderr, /--judge-lora/);
    const gen = await cli(
      ['generate', '--rubric', 'formality', '--texts', texts, '--teacher', tiny, '--lora', lora, '--out', 'g'],
      dir,
    );
    assert.equal(gen.code, 2);
    assert.match(gen.stderr, /--teacher-lora.*--judge-lora/);
    const noJudge = await cli(evalArgs('x', '--model', tiny, '--judge-lora', lora), dir);
    assert.equal(noJudge.code, 2);
    assert.match(noJudge.stderr, /--judge-lora goes with --judge-model/);
  });

  it('--report takes lines with only the documented minimum, and refuses a row mixing two judges', async () => {
    const minimal = path.join(dir, 'minimal.jsonl');
    const line = (level: number, score: number, judge = 'j') =>
      JSON.stringify({
        textId: 't',
        rubric: 'formality',
        level,
        target: level * 20 - 10,
        mode: 'directive',
        model: 'm',
        output: 'x',
        score,
        judge,
      });
    await fs.writeFile(minimal, [line(1, 10), line(5, 90)].join('\n') + '\n');
    const ok = await cli(['eval', '--report', minimal, '--out', path.join(dir, 'minimal')], dir);
    assert.equal(ok.code, 0, ok.stderr);
    const r = await report(path.join(dir, 'minimal'));
    assert.equal(r.rows[0].pooled.n, 2);
    assert.equal(r.rows[0].pooled.accuracy, 1);
    const other = path.join(dir, 'other-judge.jsonl');
    await fs.writeFile(other, line(3, 50, 'k') + '\n');
    const mixed = await cli(['eval', '--report', minimal, other, '--out', path.join(dir, 'mixed')], dir);
    assert.equal(mixed.code, 1);
    assert.match(mixed.stderr, /judged by j at .*minimal\.jsonl:1 and by k at .*other-judge\.jsonl:1/);
  });
});
