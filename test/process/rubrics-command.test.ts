import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { cliMain, repoRoot, rubricFixturesDir } from '../fixtures/rubrics/paths';
import { runNode } from '../unit/helpers/run-node';

const run = (file: string, args: string[], cwd = repoRoot) => runNode(file, args, { cwd });
const cli = (...args: string[]) => run(cliMain, args);
const validDir = path.join(rubricFixturesDir, 'valid');
const brokenDir = path.join(rubricFixturesDir, 'broken');
const table = path.join(rubricFixturesDir, 'cpt', 'guidance.tsv');
const BUILTIN_IDS = ['concision', 'confidence', 'formality', 'ornateness', 'technical-depth', 'warmth'];

describe('cpt-writer rubrics (CLI)', function () {
  this.timeout(30_000);

  it('lists the built-in rubrics, one line each with id, title and the five level names', async () => {
    const r = await cli('rubrics');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => l.split(/\s+/)[0]),
      BUILTIN_IDS,
    );
    assert.match(lines[2], /^formality\s+Formality\s+Chatty \/ Casual \/ Neutral \/ Professional \/ Ceremonial$/);
  });

  it('exits 1 and prints FILE:LINE:COL: message for an invalid file, still listing the valid ones', async () => {
    const r = await cli('rubrics', '--dir', validDir, '--dir', brokenDir);
    assert.equal(r.code, 1);
    const ids = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(ids, [...BUILTIN_IDS, 'suspense']);
    assert.equal(r.stderr, `${path.join(brokenDir, 'bad-weights.yaml')}:5:1: criterion weights sum to 90, not 100\n`);
  });

  it('can leave the built-ins out', async () => {
    const r = await cli('rubrics', '--no-builtin', '--dir', validDir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^suspense\s+Suspense\s+Flat \/ Calm \/ Intriguing \/ Tense \/ Gripping\n$/);
  });

  it('has --help and rejects unknown options with exit 2', async () => {
    const help = await cli('rubrics', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: cpt-writer rubrics \[--dir DIR\]/);
    const bad = await cli('rubrics', '--bogus');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--bogus/);
  });
});

describe('cpt-writer prompt (CLI)', function () {
  this.timeout(30_000);

  it('prints the authored directive by default and the full rubric prompt with --mode rubric', async () => {
    const d = await cli('prompt', '--rubric', 'formality', '--level', '5');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^Rewrite the text in a highly formal, ceremonial style\./);
    const r = await cli('prompt', '--rubric', 'formality', '--level', '2', '--mode', 'rubric');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Aim for a score of about 30\/100, i\.e\. level 2 "Casual"/);
    assert.match(r.stdout, /Register and vocabulary \(weight 35%\)/);
  });

  it('derives a directive for a rubric from --dir that has none', async () => {
    const r = await cli('prompt', '--rubric', 'suspense', '--level', '4', '--dir', validDir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Suspense style at level 4 of 5, "Tense"/);
  });

  it('explains an unknown rubric (exit 1) and a bad level or mode (exit 2)', async () => {
    const unknown = await cli('prompt', '--rubric', 'nope', '--level', '3');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown rubric 'nope'; known rubrics: concision, confidence, formality/);
    const levels = ['0', '6', 'abc', '2.5'];
    const runs = await Promise.all(levels.map((level) => cli('prompt', '--rubric', 'formality', '--level', level)));
    runs.forEach((bad, i) => {
      assert.equal(bad.code, 2, levels[i]);
      assert.ok(bad.stderr.includes(`--level must be a whole number from 1 to 5, got '${levels[i]}'`), bad.stderr);
    });
    const mode = await cli('prompt', '--rubric', 'formality', '--level', '3', '--mode', 'loud');
    assert.equal(mode.code, 2);
    assert.match(mode.stderr, /--mode must be directive or rubric, got 'loud'/);
    const missing = await cli('prompt', '--level', '3');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --rubric/);
  });

  it('has --help', async () => {
    const r = await cli('prompt', '--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /usage: cpt-writer prompt --rubric ID --level N/);
  });
});

describe('cpt-writer import-rubric (CLI)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-import-cli-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('prints YAML to stdout that the rubrics command then loads', async () => {
    const r = await cli(
      'import-rubric',
      table,
      '--id',
      'guidance',
      '--title',
      'Reader guidance',
      '--levels',
      'v,w,x,y,z',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^id: guidance$/m);
    assert.match(r.stdout, /^levels: \[v, w, x, y, z\]$/m);
    await fs.writeFile(path.join(dir, 'guidance.yaml'), r.stdout);
    const listed = await cli('rubrics', '--no-builtin', '--dir', dir);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^guidance\s+Reader guidance\s+v \/ w \/ x \/ y \/ z$/m);
  });

  it('writes --out, and refuses to overwrite an existing file without --force', async () => {
    const out = path.join(dir, 'g.yaml');
    const first = await cli('import-rubric', table, '--id', 'g', '--title', 'G', '--out', out);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, '');
    const written = await fs.readFile(out, 'utf8');
    assert.match(written, /^id: g$/m);
    await fs.writeFile(out, 'my own edits');
    const again = await cli('import-rubric', table, '--id', 'g', '--title', 'G', '--out', out);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; pass --force/);
    assert.equal(await fs.readFile(out, 'utf8'), 'my own edits');
    const forced = await cli('import-rubric', table, '--id', 'g', '--title', 'G', '--out', out, '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(await fs.readFile(out, 'utf8'), written);
  });

  it('reports table problems as FILE:LINE:COL and usage errors with exit 2', async () => {
    const bad = path.join(dir, 'bad.tsv');
    await fs.writeFile(bad, 'A\t5\t4\t3\t2\t1\t60%\nB\t5\t4\t3\t2\t1\tlots\n');
    const r = await cli('import-rubric', bad, '--id', 'b', '--title', 'B');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `${bad}:2:13: the weight must be a positive percentage such as 30% or 30, got 'lots'\n`);
    const noId = await cli('import-rubric', table, '--title', 'T');
    assert.equal(noId.code, 2);
    assert.match(noId.stderr, /missing --id/);
    const badId = await cli('import-rubric', table, '--id', 'Not OK', '--title', 'T');
    assert.equal(badId.code, 2);
    assert.match(badId.stderr, /must be lower-case letters and digits, words joined by single hyphens/);
    const help = await cli('import-rubric', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /from BEST to WORST/);
  });
});

describe('built-in rubric folder from a bundle', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    // Inside the repository (so the walk up finds its package.json), in the git-ignored .test-output/.
    await fs.mkdir(path.join(repoRoot, '.test-output'), { recursive: true });
    dir = await fs.mkdtemp(path.join(repoRoot, '.test-output', 'rubrics-bundle-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is found by walking up from the bundle to the cpt-writer package.json', async () => {
    // Bundled like dist/cli.js: __dirname is then the bundle's folder, not out/src/core/rubrics.
    const probe = path.join(dir, 'dist', 'probe.js');
    await build({
      stdin: {
        contents: "import { builtinRubricsDir } from './src/core/rubrics'; console.log(builtinRubricsDir());",
        resolveDir: repoRoot,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: probe,
      logLevel: 'silent',
    });
    const inRepo = await run(probe, []);
    assert.equal(inRepo.stdout.trim(), path.join(repoRoot, 'rubrics'));
    // An installed extension: <ext>/package.json (cpt-writer), <ext>/dist/probe.js; a nearer
    // package.json with another name is passed over.
    const ext = path.join(dir, 'ext');
    await fs.mkdir(path.join(ext, 'dist'), { recursive: true });
    await fs.writeFile(path.join(ext, 'package.json'), JSON.stringify({ name: 'cpt-writer' }));
    await fs.writeFile(path.join(ext, 'dist', 'package.json'), JSON.stringify({ name: 'something-else' }));
    await fs.copyFile(probe, path.join(ext, 'dist', 'probe.js'));
    const installed = await run(path.join(ext, 'dist', 'probe.js'), [], ext);
    assert.equal(installed.stdout.trim(), path.join(ext, 'rubrics'), installed.stderr);
  });
});
