// `cpt-writer check` as a real process on a generated model: the JSON shape, front matter and code left
// out, exit codes (0 on target, 1 off target, 2 usage, 4 could not check), and a re-run from the cache that
// never starts the engine (its --verbose log names every engine process it starts), while a model file
// overwritten with other bytes is a different judge to the cache (its content fingerprint changed).
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../unit/helpers/run-node';
import { testModel, testModels } from '../unit/helpers/test-models';

const ENGINE = ['--threads', '1', '--gpu', 'off', '--context-size', '4096', '--no-prompt-cache'];
const DOC = [
  '---',
  'title: A title with plenty of words in it',
  '---',
  '# A heading with several words',
  '',
  'hey, can u send me the slides from yesterday? need them for the 3pm call. thx',
  '',
  '```js',
  'const words = "code that reads like a sentence of prose";',
  '```',
  '',
  'We would be most grateful if you could forward the slides at your earliest convenience.',
  '',
].join('\n');

interface Entry {
  file: string;
  line: number;
  endLine: number;
  score: number;
  level: number;
  target: number;
  critique: string;
}

const nearest = (score: number) =>
  [1, 2, 3, 4, 5].reduce((best, l) =>
    Math.abs(score - (l * 20 - 10)) < Math.abs(score - (best * 20 - 10)) ? l : best,
  );

describe('cpt-writer check', function () {
  this.timeout(300_000);
  let dir: string;
  let model: string;
  let doc: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-check-cli-'));
    // A copy of its own: the cache test overwrites this file.
    model = path.join(dir, 'judge.gguf');
    copyFileSync(await testModel(), model);
    doc = path.join(dir, 'post.md');
    writeFileSync(doc, DOC);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'JSON lists every prose paragraph (front matter, heading and code left out); a re-run does no ' + 'model work',
    async () => {
      const cacheDir = path.join(dir, 'cache');
      const args = ['check', doc, '--model', model, '--rubric', 'formality', '--target', '3', '--critique-chars', '40'];
      const STARTED = /engine: started process \d+/;
      const r = await runCli([...args, '--format', 'json', '--cache-dir', cacheDir, '--verbose', ...ENGINE]);
      assert.match(r.stderr, STARTED, 'the first run starts the engine and says so');
      const entries = JSON.parse(r.stdout) as Entry[];
      assert.deepEqual(
        entries.map((e) => [e.line, e.endLine]),
        [
          [6, 6],
          [12, 12],
        ],
        r.stderr,
      );
      for (const e of entries) {
        assert.deepEqual(Object.keys(e), ['file', 'line', 'endLine', 'score', 'level', 'target', 'critique']);
        assert.equal(e.file, doc);
        assert.ok(Number.isInteger(e.score) && e.score >= 0 && e.score <= 100);
        assert.equal(e.level, nearest(e.score));
        assert.equal(e.target, 3);
        assert.ok(e.critique.length <= 40);
      }
      const off = entries.filter((e) => e.level !== 3);
      assert.equal(r.code, off.length ? 1 : 0, r.stderr);
      assert.match(r.stderr, /2 paragraphs, .*0 from the cache, 2 judged/);

      // The same model again: every paragraph from the cache, and no engine process started.
      const again = await runCli([...args, '--cache-dir', cacheDir, '--verbose', ...ENGINE]);
      assert.equal(again.code, r.code, again.stderr);
      assert.match(again.stderr, /2 from the cache, 0 judged/);
      assert.doesNotMatch(again.stderr, STARTED);
      assert.doesNotMatch(again.stderr, /random weights/);
      assert.deepEqual(
        again.stdout.trim().split('\n').filter(Boolean),
        off.map((e) => {
          const critique = e.critique.replace(/\s+/g, ' ').trim();
          return `${doc}:${e.line}: level ${e.level} (score ${e.score}), target 3${critique ? `: ${critique}` : ''}`;
        }),
      );

      // Other bytes under the same name, size and time: another judge to the cache, so the model is needed,
      // and it cannot load: exit 4, the file and line named.
      const { size, atime, mtime } = statSync(model);
      writeFileSync(model, Buffer.alloc(size));
      utimesSync(model, atime, mtime);
      const broken = await runCli([...args, '--cache-dir', cacheDir, ...ENGINE]);
      assert.equal(broken.code, 4, broken.stderr);
      assert.match(broken.stderr, /post\.md:6: not checked: /);
    },
  );

  it(
    '--target median: a one-paragraph file is on its own median (exit 0); empty and prose-free files ' + 'say so',
    async () => {
      const tiny = await testModel();
      const one = path.join(dir, 'one.txt');
      writeFileSync(one, 'Please find attached the report you asked for last week.\n');
      const empty = path.join(dir, 'empty.md');
      writeFileSync(empty, '');
      const code = path.join(dir, 'code.md');
      writeFileSync(code, '# Title only\n\n```\nlet x = 1;\n```\n');
      const r = await runCli([
        'check',
        one,
        empty,
        code,
        '--model',
        tiny,
        '--rubric',
        'formality',
        '--target',
        'median',
        '--critique-chars',
        '0',
        '--format',
        'json',
        '--no-cache',
        ...ENGINE,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const entries = JSON.parse(r.stdout) as Entry[];
      assert.equal(entries.length, 1);
      assert.equal(entries[0].target, entries[0].level);
      assert.match(r.stderr, /empty\.md: no prose paragraphs to check/);
      assert.match(r.stderr, /code\.md: no prose paragraphs to check/);
    },
  );

  it('usage errors exit 2; a missing file or model exits 4 with a clear message', async () => {
    const { notGguf } = await testModels();
    const base = ['--rubric', 'formality', '--no-cache', ...ENGINE];
    const cases: [string[], number, RegExp][] = [
      [['check', '--model', model, ...base], 2, /at least one FILE/],
      [['check', doc, '--model', model, ...base, '--target', '7'], 2, /target/],
      [['check', doc, '--model', model, ...base, '--format', 'xml'], 2, /--format must be text or json/],
      [['check', doc, '--model', model, '--rubric', 'no-such-rubric', ...ENGINE], 2, /no-such-rubric/],
      [['check', doc, ...base], 2, /missing --model/],
      [['check', path.join(dir, 'absent.md'), '--model', model, ...base], 4, /cannot read .*absent\.md/],
      [['check', doc, '--model', path.join(dir, 'absent.gguf'), ...base], 4, /absent\.gguf/],
      [['check', doc, '--model', notGguf, ...base], 4, /post\.md:6: not checked: /],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, code, `${args.join(' ')}\n${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });
});
