// `cpt-writer judge` and `cpt-writer rewrite --best-of N` as real processes on a generated model: the
// judge's one JSON line, best-of's chosen text and scores, a second judge model loaded only when needed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../unit/helpers/run-node';
import { testModel } from '../unit/helpers/test-models';

const TEXT = 'hey, can u send me the slides from yesterday? need them for the 3pm call. thx\n';
const ENGINE = ['--threads', '1', '--gpu', 'off', '--context-size', '4096', '--no-prompt-cache'];

interface BestOfJson {
  text: string;
  target: number;
  chosen: number;
  candidates: {
    text: string;
    score: number;
    critique: string;
    seed: number;
    index: number;
    distance: number;
    markupLost: string[];
  }[];
}

describe('cpt-writer judge and rewrite --best-of', function () {
  this.timeout(180_000);
  let dir: string;
  let file: string;
  let tiny: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-judge-cli-'));
    file = path.join(dir, 'note.txt');
    writeFileSync(file, TEXT);
    tiny = await testModel();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("judge prints one JSON line: an integer score 0–100, the capped critique, the level's target", async () => {
    const r = await runCli([
      'judge',
      '--model',
      tiny,
      '--rubric',
      'formality',
      '--file',
      file,
      '--level',
      '4',
      '--critique-chars',
      '40',
      ...ENGINE,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const j = JSON.parse(lines[0]) as { score: number; critique: string; target: number | null };
    assert.deepEqual(Object.keys(j), ['score', 'critique', 'target']);
    assert.ok(Number.isInteger(j.score) && j.score >= 0 && j.score <= 100, lines[0]);
    assert.ok(j.critique.length <= 40);
    assert.equal(j.target, 70);
    assert.match(r.stderr, /random weights/);

    // The same text from stdin, no level: the same score at temperature 0, and a null target.
    const s = await runCli(['judge', '--model', tiny, '--rubric', 'formality', '--critique-chars', '40', ...ENGINE], {
      stdin: TEXT,
    });
    assert.equal(s.code, 0, s.stderr);
    const k = JSON.parse(s.stdout) as { score: number; target: number | null };
    assert.equal(k.score, j.score);
    assert.equal(k.target, null);
  });

  it('judge refuses bad input with a clear message', async () => {
    const cases: [string[], number, RegExp][] = [
      [['--rubric', 'formality', '--file', file], 2, /missing --model/],
      [['--model', tiny, '--rubric', 'no-such-rubric', '--file', file], 1, /no-such-rubric/],
      [
        ['--model', tiny, '--rubric', 'formality', '--file', file, '--critique-chars', '5000'],
        2,
        /--critique-chars must be a whole number from 0 to 1000/,
      ],
      [['--model', tiny, '--rubric', 'formality', '--file', file, '--level', '7'], 2, /--level/],
      [['--model', 'http://127.0.0.1:9/v1', '--rubric', 'formality', '--file', file], 2, /--endpoint-model NAME/],
      [['--model', tiny, '--rubric', 'formality', '--file', path.join(dir, 'missing.txt')], 1, /cannot read/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(['judge', ...args, ...ENGINE]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });

  it(
    'rewrite --best-of 3 --json: three candidates, consecutive seeds, nearest the target first; the ' +
      'plain run prints that text',
    async () => {
      const args = [
        'rewrite',
        '--model',
        tiny,
        '--rubric',
        'formality',
        '--level',
        '2',
        '--file',
        file,
        '--best-of',
        '3',
        '--seed',
        '5',
        '--max-tokens',
        '16',
        '--critique-chars',
        '20',
        ...ENGINE,
      ];
      const r = await runCli([...args, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as BestOfJson;
      assert.equal(out.target, 30);
      assert.deepEqual(out.candidates.map((c) => c.seed).sort(), [5, 6, 7].slice(0, out.candidates.length));
      assert.equal(out.candidates.length, 3, 'the random model wrote text for every candidate');
      for (const c of out.candidates) {
        assert.ok(Number.isInteger(c.score) && c.score >= 0 && c.score <= 100);
        assert.equal(c.distance, Math.abs(c.score - 30));
      }
      const kept = out.candidates.filter((c) => !c.markupLost.length).map((c) => c.distance);
      assert.deepEqual(
        kept,
        [...kept].sort((a, b) => a - b),
      );
      assert.equal(out.text, out.candidates[0].text);
      assert.equal(out.chosen, out.candidates[0].index);
      // stderr names every candidate's score against the target, the chosen one first.
      const lines = r.stderr.split('\n').filter((l) => / -> target 30/.test(l));
      assert.equal(lines.length, 3);
      assert.match(
        lines[0],
        new RegExp(
          `^chosen: candidate ${out.chosen + 1} of 3 \\(seed ${out.candidates[0].seed}\\): ` +
            `${out.candidates[0].score} -> target 30`,
        ),
      );

      const plain = await runCli(args);
      assert.equal(plain.code, 0, plain.stderr);
      assert.equal(plain.stdout, out.text);
    },
  );

  it('rewrite --judge-model loads the second model only after the candidates are written', async () => {
    const judgeModel = await testModel({ layers: 1, embd: 32, heads: 2, ff: 64 });
    const r = await runCli([
      'rewrite',
      '--model',
      tiny,
      '--rubric',
      'concision',
      '--level',
      '5',
      '--file',
      file,
      '--best-of',
      '2',
      '--judge-model',
      judgeModel,
      '--critique-chars',
      '0',
      '--max-tokens',
      '8',
      '--seed',
      '1',
      '--json',
      '--verbose',
      ...ENGINE,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const loaded = r.stderr.indexOf('judge: ');
    assert.ok(loaded > r.stderr.indexOf('candidate 2 of 2 written'), r.stderr);
    assert.ok(r.stderr.indexOf('candidate 2 of 2 written') >= 0, r.stderr);
    const out = JSON.parse(r.stdout) as BestOfJson;
    assert.ok(out.candidates.every((c) => c.critique === '' && Number.isInteger(c.score)));

    for (const [extra, message] of [
      [['--judge-model', judgeModel], /--judge-model goes with --best-of/],
      [['--best-of', '9'], /--best-of must be a whole number from 1 to 8/],
    ] as const) {
      const bad = await runCli([
        'rewrite',
        '--model',
        tiny,
        '--rubric',
        'concision',
        '--level',
        '5',
        '--file',
        file,
        ...extra,
        ...ENGINE,
      ]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, message);
    }
  });
});
