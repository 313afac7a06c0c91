// CPT Writer: Generate Preference Data… in the real VS Code, with the current model as the teacher (the
// scripted engine double, so outputs are predictable; core/generate itself is tested with the real
// engine and a loopback endpoint in the unit tests): samples and swap-trick pairs on disk, the report
// opened, a cancel keeps what was made and a second run continues without asking for it again.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { GenerateRequest } from '../../src/core/engine/types';
import type { CptWriterTestApi } from '../../src/vscode/api';
import { parseGenerateArgs, parseLevels, validateEndpointUrl } from '../../src/vscode/generate/choices';
import type { GenerateCommandResult } from '../../src/vscode/generate/generate-command';
import { cleanUp, getApi, setSetting, testModelPath, useScriptedEngine, waitFor } from './helpers';

/** A different, repeatable output for every distinct prompt (levels differ by their system prompt). */
function outputFor(req: GenerateRequest): string {
  let h = 0;
  for (const ch of `${req.system}\n${req.user}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `Version ${h.toString(36)} of the passage.`;
}

const lines = (file: string) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
    : [];

describe('Generate Preference Data…', function () {
  this.timeout(60_000);
  let api: CptWriterTestApi;
  let work: string;
  let texts: string;

  before(async () => {
    api = await getApi();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-generate-'));
    texts = path.join(work, 'texts.txt');
    fs.writeFileSync(
      texts,
      'The meeting got moved to Friday, sorry about that.\nWe kind of ran out of time on the report.\nThe ' +
        'meeting got moved to Friday, sorry about that.\n',
    );
    await setSetting('temperature', 0);
  });
  afterEach(async () => {
    await cleanUp(api);
  });
  after(async () => {
    await setSetting('temperature', undefined);
    await api.testing.setEngineFactory(undefined);
    await setSetting('model', testModelPath());
    fs.rmSync(work, { recursive: true, force: true });
  });

  const args = (outDir: string, extra: Record<string, unknown> = {}) => ({
    rubricIds: ['formality'],
    levels: [1, 3],
    input: { kind: 'texts', file: texts },
    teacher: { kind: 'current' },
    outDir,
    ...extra,
  });

  it(
    "writes samples and swap-trick pairs with the extension's own prompts, reports a bad line, and a " +
      're-run makes nothing new',
    async () => {
      const engine = await useScriptedEngine(api, { output: outputFor });
      const outDir = path.join(work, 'run-1');
      const from = api.testing.messages().length;
      const result = await vscode.commands.executeCommand<GenerateCommandResult>(
        'cptWriter.generatePreferenceData',
        args(outDir),
      );
      assert.ok(result && 'outcome' in result && result.status === 'complete', JSON.stringify(result));
      // 2 usable passages × 1 rubric × 2 levels; the third line repeats the first (reported, used once).
      assert.strictEqual(result.outcome.planned, 4);
      assert.strictEqual(result.outcome.made, 4);
      assert.strictEqual(result.outcome.pairs, 4, 'each passage: both orders of its two levels');
      assert.strictEqual(engine.requests.length, 4);
      const samples = lines(path.join(outDir, 'samples.jsonl')).map(
        (l) => JSON.parse(l) as { level: number; system: string; output: string },
      );
      assert.strictEqual(samples.length, 4);
      assert.deepStrictEqual([...new Set(samples.map((s) => s.level))].sort(), [1, 3]);
      assert.strictEqual(lines(path.join(outDir, 'pairs.jsonl')).length, 4);
      assert.ok(fs.existsSync(path.join(outDir, 'report.md')));
      const told = api.testing.messages().slice(from);
      assert.ok(
        told.some((m) => m.severity === 'warning' && /1 line of texts\.txt could not be used/.test(m.message)),
        JSON.stringify(told),
      );
      assert.ok(
        told.some((m) => m.severity === 'info' && /4 of 4 outputs .* and 4 pairs/.test(m.message)),
        JSON.stringify(told),
      );

      const again = await vscode.commands.executeCommand<GenerateCommandResult>(
        'cptWriter.generatePreferenceData',
        args(outDir),
      );
      assert.ok(again && 'outcome' in again && again.status === 'complete');
      assert.strictEqual(again.outcome.made, 0);
      assert.strictEqual(engine.requests.length, 4, 'no request for an output that is already there');
      assert.strictEqual(lines(path.join(outDir, 'samples.jsonl')).length, 4);
    },
  );

  it('a cancel keeps the outputs made so far, and the next run with the same folder makes only the rest', async () => {
    const engine = await useScriptedEngine(api, { output: outputFor, delayMs: 80 });
    const outDir = path.join(work, 'run-2');
    const samples = path.join(outDir, 'samples.jsonl');
    const abort = new AbortController();
    const running = vscode.commands.executeCommand<GenerateCommandResult>('cptWriter.generatePreferenceData', {
      ...args(outDir),
      signal: abort.signal,
    });
    await waitFor('the first output on disk', () => lines(samples).length >= 1, 30_000);
    abort.abort();
    const result = await running;
    assert.ok(result && result.status === 'cancelled', JSON.stringify(result));
    const kept = lines(samples).length;
    assert.ok(kept >= 1 && kept < 4, `kept ${kept}`);
    const before = engine.requests.length;

    engine.options.delayMs = 0;
    const rest = await vscode.commands.executeCommand<GenerateCommandResult>(
      'cptWriter.generatePreferenceData',
      args(outDir),
    );
    assert.ok(rest && 'outcome' in rest && rest.status === 'complete', JSON.stringify(rest));
    assert.strictEqual(rest.outcome.made, 4 - kept);
    assert.strictEqual(engine.requests.length - before, 4 - kept);
    assert.strictEqual(lines(samples).length, 4);
  });

  it('refuses to add to a folder made with other settings, and says why', async () => {
    await useScriptedEngine(api, { output: outputFor });
    // The data was made at temperature 0 (set in before()).
    await setSetting('temperature', 0.5);
    const outDir = path.join(work, 'run-1');
    const before = fs.readFileSync(path.join(outDir, 'samples.jsonl'), 'utf8');
    const from = api.testing.messages().length;
    const result = await vscode.commands.executeCommand<GenerateCommandResult>(
      'cptWriter.generatePreferenceData',
      args(outDir),
    );
    assert.strictEqual(result?.status, 'not-started');
    const error = api.testing
      .messages()
      .slice(from)
      .find((m) => m.severity === 'error');
    assert.ok(error && /other settings/.test(error.message), JSON.stringify(error));
    assert.strictEqual(
      fs.readFileSync(path.join(outDir, 'samples.jsonl'), 'utf8'),
      before,
      'nothing in the folder may change',
    );
  });

  it('an empty input file is refused before anything is asked of the teacher', async () => {
    const engine = await useScriptedEngine(api, { output: outputFor });
    const empty = path.join(work, 'empty.txt');
    fs.writeFileSync(empty, '\n');
    const result = await vscode.commands.executeCommand<GenerateCommandResult>(
      'cptWriter.generatePreferenceData',
      args(path.join(work, 'run-3'), { input: { kind: 'texts', file: empty } }),
    );
    assert.ok(result?.status === 'not-started' && /no usable passages/.test(result.reason), JSON.stringify(result));
    assert.strictEqual(engine.requests.length, 0);
  });
});

describe('Generate Preference Data… argument checks', () => {
  it('reads levels, endpoint URLs and the argument object the way the prompts do', () => {
    assert.deepStrictEqual(parseLevels('5, 1 3,1'), [1, 3, 5]);
    assert.match(String(parseLevels('1,6')), /"6" is not a level/);
    assert.match(String(parseLevels('3')), /at least two levels/);
    assert.strictEqual(validateEndpointUrl('http://127.0.0.1:8000/v1'), undefined);
    assert.match(String(validateEndpointUrl('localhost:8000')), /http:\/\/ or https:\/\//);
    assert.match(String(validateEndpointUrl('https://host/models/x.gguf')), /model file/);
    // What is malformed is left out, to be asked for.
    assert.deepStrictEqual(
      parseGenerateArgs({
        rubricIds: ['formality'],
        levels: [1, 9],
        teacher: { kind: 'endpoint', url: 'http://x/v1' },
        outDir: ' ',
      }),
      { rubricIds: ['formality'] },
    );
    assert.deepStrictEqual(parseGenerateArgs('nonsense'), {});
  });
});
