import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixturesDir } from '../fixtures/feedback/events';
import { runCli } from '../unit/helpers/run-node';

const cli = (args: string[], cwd: string) => runCli(['pairs', ...args], { cwd });

async function jsonl(file: string): Promise<Record<string, unknown>[]> {
  const text = await fs.readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

describe('cpt-writer pairs (CLI)', function () {
  this.timeout(30_000);
  let dir: string;
  const sample = path.join(fixturesDir, 'sample.jsonl');
  const broken = path.join(fixturesDir, 'broken.jsonl');
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-pairs-cli-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes pairs, flat and KTO files and prints the report', async () => {
    const run = await cli(
      [sample, broken, '--out', 'out/pairs.jsonl', '--flat', 'flat.jsonl', '--kto', 'kto.jsonl'],
      dir,
    );
    assert.equal(run.code, 0, run.stderr);
    const pairs = await jsonl(path.join(dir, 'out', 'pairs.jsonl'));
    assert.equal(pairs.length, 6);
    assert.deepEqual(pairs.map((p) => p.source).sort(), [
      'contrast',
      'contrast',
      'contrast',
      'contrast',
      'edit',
      'regenerate',
    ]);
    const flat = await jsonl(path.join(dir, 'flat.jsonl'));
    assert.equal(flat.length, 6);
    assert.ok(flat.every((r) => ['system', 'prompt', 'chosen', 'rejected'].every((k) => typeof r[k] === 'string')));
    const kto = await jsonl(path.join(dir, 'kto.jsonl'));
    assert.deepEqual(
      kto.map((k) => k.label),
      [true, false],
    );
    assert.match(run.stdout, /Built \*\*6 pairs\*\*/);
    assert.match(run.stdout, /broken\.jsonl:3`: corrupt JSON/);
    assert.match(run.stdout, /broken\.jsonl:7`: truncated last line/);
    assert.match(run.stdout, /decision `d-orphan`/);
  });

  it('with --test-split writes a sibling test file, says so, and is the same for the same seed', async () => {
    const args = [sample, broken, '--out', 'p.jsonl', '--test-split', '0.3', '--seed', '3'];
    const first = await cli(args, dir);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /pairs \(test\): `p\.test\.jsonl`/);
    const train = await jsonl(path.join(dir, 'p.jsonl'));
    const test = await jsonl(path.join(dir, 'p.test.jsonl'));
    assert.equal(train.length + test.length, 6);
    assert.ok(train.length > 0 && test.length > 0);
    const user = (r: Record<string, unknown>) => (r.prompt as { content: string }[])[1].content;
    const trainTexts = new Set(train.map(user));
    assert.ok(test.every((r) => !trainTexts.has(user(r))));
    const before = await fs.readFile(path.join(dir, 'p.test.jsonl'), 'utf8');
    assert.equal((await cli(args, dir)).code, 0);
    assert.equal(await fs.readFile(path.join(dir, 'p.test.jsonl'), 'utf8'), before);
  });

  it('exits 2 with a clear message when --out is missing', async () => {
    const run = await cli([sample], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /missing --out FILE/);
    assert.deepEqual(await fs.readdir(dir), []);
  });

  it('exits 1 naming an unreadable log and writes nothing', async () => {
    const run = await cli([path.join(dir, 'nope.jsonl'), '--out', 'p.jsonl'], dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot read log .*nope\.jsonl: no such file/);
    assert.deepEqual(await fs.readdir(dir), []);
  });

  it('refuses to overwrite an input log and rejects a bad split', async () => {
    const log = path.join(dir, 'feedback.jsonl');
    await fs.copyFile(sample, log);
    const run = await cli([log, '--out', log], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /is one of the input logs/);
    assert.equal(await fs.readFile(log, 'utf8'), await fs.readFile(sample, 'utf8'));
    const split = await cli([log, '--out', 'p.jsonl', '--test-split', '1.5'], dir);
    assert.equal(split.code, 2);
    assert.match(split.stderr, /--test-split must be a number between 0 and 1/);
  });

  it('prints usage for --help', async () => {
    const run = await cli(['--help'], dir);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /usage: cpt-writer pairs LOG\.\.\. --out FILE/);
  });
});
