// "Evaluate Model…" in the host: the loaded model (the scripted double) rewrites every passage at every
// level with the prompts a rewrite sends, judges each with a JSON-schema request, writes samples.jsonl
// and the three report files, and opens report.md in the Markdown preview.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { fingerprintFile } from '../../src/core/engine';
import type { EvalOutcome } from '../../src/core/eval';
import { systemPrompt } from '../../src/core/prompts';
import { rewritePrompt } from '../../src/core/rewrite';
import { cleanUp, getApi, readJsonl, setSetting, testModelPath, useScriptedEngine, waitFor } from './helpers';

const PASSAGES = [
  { id: 'mail', register: 'email', languageId: 'plaintext', text: 'Can you send me the slides before the call?' },
  {
    id: 'post',
    register: 'blog',
    languageId: 'markdown',
    text: 'Our tomatoes ripened this week; see [the photos](https://example.com).',
  },
];

describe('Evaluate Model… (in the host)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-eval-'));
  });
  afterEach(async () => {
    await cleanUp(await getApi());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'rewrites and judges every passage × level with the loaded model, writes the report and opens it ' +
      'in the preview',
    async () => {
      const api = await getApi();
      const engine = await useScriptedEngine(api, {
        output: 'A steadier sentence.',
        judge: () => ({ score: 64, critique: 'Fine.' }),
      });
      const texts = path.join(dir, 'texts.jsonl');
      fs.writeFileSync(texts, PASSAGES.map((p) => JSON.stringify(p)).join('\n') + '\n');
      const out = path.join(dir, 'out');
      const outcome = await vscode.commands.executeCommand<EvalOutcome | undefined>('cptWriter.evaluateModel', {
        rubricIds: ['formality'],
        levels: [1, 3, 5],
        texts,
        outDir: out,
        mode: 'directive',
        maxTokens: 64,
      });
      assert.ok(outcome, `the evaluation ran: ${JSON.stringify(api.testing.messages().slice(-3))}`);
      assert.strictEqual(outcome.status, 'complete');
      assert.strictEqual(outcome.present, 6);

      const samples = readJsonl(path.join(out, 'samples.jsonl'));
      assert.strictEqual(samples.length, 6);
      // Identified by content, as the CLI's samples are: the loaded file's fingerprint, no adapters.
      const loaded = api.testing.services.models.status;
      assert.strictEqual(loaded.state, 'ready');
      const fingerprint = (await fingerprintFile(loaded.model.file)).fingerprint;
      assert.ok(
        samples.every((s) => s.modelFingerprint === fingerprint && s.adapters === undefined),
        JSON.stringify(samples[0]),
      );
      assert.ok(
        samples.every(
          (s) =>
            s.score === 64 &&
            s.output === 'A steadier sentence.' &&
            s.mode === 'directive' &&
            /Scripted engine double/.test(String(s.judge)),
        ),
      );
      // Every rewrite sent exactly the prompt a rewrite of that passage at that level sends; every judgement asked for
      // JSON.
      const rubric = (await api.testing.services.rubrics.get('formality'))!;
      const rewrites = engine.requests.filter((r) => !r.jsonSchema);
      const judgements = engine.requests.filter((r) => r.jsonSchema);
      assert.strictEqual(rewrites.length, 6);
      assert.strictEqual(judgements.length, 6);
      for (const p of PASSAGES) {
        for (const level of [1, 3, 5] as const) {
          const want = rewritePrompt(p.text, { rubric, level }, 'directive', p.languageId);
          assert.ok(
            rewrites.some((r) => r.system === want.system && r.user === want.user),
            `${p.id} at level ${level}`,
          );
        }
      }

      const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as {
        rows: { pooled: { n: number; accuracy: number } }[];
      };
      // 64 is nearest level 3's target of 50 among 10, 50, 90: the two level-3 samples are hits.
      assert.strictEqual(report.rows[0].pooled.n, 6);
      assert.strictEqual(report.rows[0].pooled.accuracy, 2 / 6);
      assert.ok(fs.readFileSync(path.join(out, 'report.svg'), 'utf8').startsWith('<svg'));
      await waitFor('report.md open in a tab', () =>
        vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.includes('report.md')),
      );
    },
  );

  it(
    'with tasks, writes from each prompt under the style (free writing, as eval --tasks) and marks the ' + 'samples',
    async () => {
      const api = await getApi();
      const engine = await useScriptedEngine(api, {
        output: 'A short piece.',
        judge: () => ({ score: 90, critique: 'Formal.' }),
      });
      const tasks = path.join(dir, 'tasks.jsonl');
      const prompts = [
        { id: 'thanks', prompt: 'Write a thank-you note to a colleague.' },
        { id: 'delay', prompt: 'Tell a client the delivery is late.' },
      ];
      fs.writeFileSync(tasks, prompts.map((p) => JSON.stringify(p)).join('\n') + '\n');
      const out = path.join(dir, 'out');
      const outcome = await vscode.commands.executeCommand<EvalOutcome | undefined>('cptWriter.evaluateModel', {
        rubricIds: ['formality'],
        levels: [5],
        tasks,
        outDir: out,
        mode: 'rubric',
        maxTokens: 32,
        noOpen: true,
      });
      assert.ok(outcome, `the evaluation ran: ${JSON.stringify(api.testing.messages().slice(-3))}`);
      assert.strictEqual(outcome.present, 2);
      const rubric = (await api.testing.services.rubrics.get('formality'))!;
      const system = systemPrompt(rubric, 5, 'rubric');
      const written = engine.requests.filter((r) => !r.jsonSchema);
      assert.deepStrictEqual(
        written.map((r) => [r.system === system, r.user]).sort(),
        prompts.map((p) => [true, p.prompt]).sort(),
      );
      const samples = readJsonl(path.join(out, 'samples.jsonl'));
      assert.deepStrictEqual(samples.map((s) => [s.textId, s.task]).sort(), [
        ['delay', true],
        ['thanks', true],
      ]);
    },
  );
});

describe('Evaluate Model… with cptWriter.judgeModel (the real engine)', function () {
  this.timeout(180_000);
  let dir: string;
  before(async () => {
    const api = await getApi();
    await api.testing.setEngineFactory(undefined);
    await setSetting('threads', 1);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-eval-judge-'));
  });
  after(async () => {
    const api = await getApi();
    await api.testing.services.judge.stop();
    await api.testing.services.models.shutdown();
    await setSetting('judgeModel', undefined);
    await setSetting('threads', undefined);
    await cleanUp(api);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    "borrows the judge service's second model, names it in every sample, frees it after; an engine " +
      'setting change stops a loaded one',
    async () => {
      const api = await getApi();
      const { judge } = api.testing.services;
      // A copy is another spec than the rewriting model's, so it loads as a second engine process.
      const judgeFile = path.join(dir, 'judge-copy.gguf');
      fs.copyFileSync(testModelPath(), judgeFile);
      await setSetting('judgeModel', judgeFile);
      const texts = path.join(dir, 'texts.jsonl');
      fs.writeFileSync(texts, JSON.stringify(PASSAGES[0]) + '\n');
      const out = path.join(dir, 'out');
      const outcome = await vscode.commands.executeCommand<EvalOutcome | undefined>('cptWriter.evaluateModel', {
        rubricIds: ['formality'],
        levels: [3],
        texts,
        outDir: out,
        mode: 'directive',
        maxTokens: 8,
        noOpen: true,
      });
      assert.ok(outcome, `the evaluation ran: ${JSON.stringify(api.testing.messages().slice(-3))}`);
      assert.strictEqual(outcome.status, 'complete', JSON.stringify(outcome));
      const samples = readJsonl<{ judge: string; model: string }>(path.join(out, 'samples.jsonl'));
      assert.strictEqual(samples.length, 1);
      assert.ok(samples[0].judge.includes('judge-copy.gguf'), samples[0].judge);
      assert.ok(!samples[0].model.includes('judge-copy.gguf'), samples[0].model);
      assert.strictEqual(judge.secondLoaded, false, 'the evaluation loaded the second model and freed it');

      // Loaded for best-of or Score Selection, it stays loaded until an engine setting changes.
      const second = await judge.generator();
      assert.ok(second);
      await second.generate({ system: 'Judge.', user: 'A line.', maxTokens: 2, temperature: 0 });
      assert.strictEqual(judge.secondLoaded, true);
      await setSetting('threads', 2);
      await waitFor('the second judge model stopped after the engine setting changed', () => !judge.secondLoaded);
    },
  );
});
