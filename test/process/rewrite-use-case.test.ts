// The one rewrite use case (core/rewrite/use-case.ts): what the CLI and the editor both call. Scripted
// generators where exact text must be known (the plan, the best-of policy, the stream), and the real
// engine on a generated model for "the CLI prints what the function returns" on a text in parts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineClient, type ModelInfo } from '../../src/core/engine';
import type { GenerateRequest, GenerateResult, TextGenerator } from '../../src/core/engine/types';
import { loadRubrics, type Rubric } from '../../src/core/rubrics';
import { rewrite, type RewriteProgress, type RewriteRequest, type RewriteResult } from '../../src/core/rewrite';
import { layoutLike } from '../../src/core/layout';
import { estimateTokenCount } from '../../src/core/paragraphs/context';
import { rewriteTokenBudget } from '../../src/core/rewrite-budget';
import { runCli } from '../unit/helpers/run-node';
import { testEngineOptions, testModel } from '../unit/helpers/test-models';

const PARAGRAPH = (n: number) =>
  `Paragraph ${n} says that the meeting moved to three and that everyone should bring the slides along.`;
const LONG = `${PARAGRAPH(1)}\n\n${PARAGRAPH(2)}\n\n${PARAGRAPH(3)}\n`;
const SHORT = 'hey, can u send me the slides from yesterday? thx';
const WRAPPED =
  'The meeting moved to three, so bring the slides and the notes from last week along with\n' +
  'you; we will go through the budget first and then the plan for the next quarter, which\n' +
  'still needs a name and an owner.\n';

function result(text: string): GenerateResult {
  return {
    text,
    stopReason: 'eos',
    promptTokens: 10,
    reusedPromptTokens: 0,
    outputTokens: 5,
    timeToFirstTokenMs: 1,
    tokensPerSecond: 1,
    totalMs: 2,
  };
}

/** A writer whose output names the paragraph it was given and its seed; it streams in two pieces. */
const writer: TextGenerator = {
  generate: async (req: GenerateRequest) => {
    const text0 = /<text>\n([\s\S]*?)\n<\/text>/.exec(req.user)?.[1] ?? '';
    const n = /Paragraph (\d)/.exec(text0)?.[1] ?? 'x';
    const out = `Rewritten ${n} with seed ${req.seed ?? 'none'}.`;
    req.onToken?.(out.slice(0, 5));
    req.onToken?.(out.slice(5));
    return result(out);
  },
};

/** A judge that scores by the seed in the text: seed s scores 20 + 10 * (s - 100). */
function judge(calls: string[]): TextGenerator {
  return {
    generate: async (req) => {
      const text = /<text>\n([\s\S]*)\n<\/text>/.exec(req.user)![1];
      calls.push(text);
      const seed = Number(/seed (\d+)/.exec(text)![1]);
      return result(JSON.stringify({ critique: `about ${text}`, score: 20 + 10 * (seed - 100) }));
    },
  };
}

async function run(
  request: RewriteRequest,
  options: Parameters<typeof rewrite>[2] = {},
): Promise<{ out: RewriteResult; events: RewriteProgress[] }> {
  const events: RewriteProgress[] = [];
  const out = await rewrite(writer, request, { ...options, onEvent: (e) => events.push(e) });
  return { out, events };
}

const streamed = (events: RewriteProgress[]) =>
  events.flatMap((e) => (e.type === 'text' ? [e.text] : e.type === 'candidate' && e.phase === 'writing' ? ['|'] : []));

describe('the rewrite use case (rewrite)', function () {
  this.timeout(180_000);
  let formality: Rubric;
  before(async () => {
    formality = (await loadRubrics({})).rubrics.find((r) => r.id === 'formality')!;
  });
  const request = (over: Partial<RewriteRequest> = {}): RewriteRequest => ({
    text: LONG,
    style: { rubric: formality, level: 2 },
    promptMode: 'directive',
    model: { name: 'test', file: '/m/test.gguf' },
    source: { languageId: 'plaintext', path: 'notes.txt' },
    sampling: { temperature: 0, maxTokens: 64, seed: 100 },
    surrounding: { before: 'Before.\n\n', after: '\n\nAfter.' },
    contextSize: 1,
    ...over,
  });

  it(
    'a text too long for one part: best-of-N is dropped for one rewrite in parts, said in the plan ' + 'event',
    async () => {
      const calls: string[] = [];
      const plain = await run(request());
      const asked = await run(request(), { bestOf: 3, judge: { generator: judge(calls) } });
      assert.deepEqual(asked.events[0], { type: 'planned', parts: 3, bestOf: 0, bestOfDropped: 3 });
      assert.deepEqual(plain.events[0], { type: 'planned', parts: 3, bestOf: 0 });
      assert.equal(calls.length, 0, 'nothing is judged');
      assert.equal(asked.out.status, 'done');
      assert.equal(asked.out.kind, 'parts');
      // Byte-identical proposals and records whichever way it was asked.
      assert.deepEqual(
        asked.out.status === 'done' && asked.out.proposals,
        plain.out.status === 'done' && plain.out.proposals,
      );
      const done = asked.out.status === 'done' ? asked.out : assert.fail();
      assert.equal(done.proposals.length, 1);
      const p = done.proposals[0];
      assert.equal(p.text, 'Rewritten 1 with seed 100.\n\nRewritten 2 with seed 100.\n\nRewritten 3 with seed 100.\n');
      assert.equal(streamed(asked.events).join(''), p.text, 'the stream joins to the proposal');
      assert.deepEqual(
        p.parts.map((x) => [p.text.slice(x.range.start, x.range.end), x.original, x.record]),
        [
          ['Rewritten 1 with seed 100.', PARAGRAPH(1), 0],
          ['Rewritten 2 with seed 100.', PARAGRAPH(2), 1],
          ['Rewritten 3 with seed 100.', PARAGRAPH(3), 2],
        ],
      );
      assert.equal(done.records.length, 3);
      assert.deepEqual(
        done.records.map((r) => [r.original, r.output, r.part?.index, r.part?.count]),
        [1, 2, 3].map((n, i) => [PARAGRAPH(n), `Rewritten ${n} with seed 100.`, i, 3]),
      );
      assert.ok(done.records.every((r) => r.part?.group === done.records[0].part?.group));
    },
  );

  it('a text that fits: best-of-N writes, streams and judges every candidate and ranks them', async () => {
    const calls: string[] = [];
    // Level 2 → target 30: seed 101 scores 30, 100 scores 20, 102 scores 40 (tie: writing order).
    const { out, events } = await run(request({ text: SHORT }), { bestOf: 3, judge: { generator: judge(calls) } });
    assert.deepEqual(events[0], { type: 'planned', parts: 1, bestOf: 3 });
    assert.equal(calls.length, 3);
    const done = out.status === 'done' ? out : assert.fail();
    assert.equal(done.kind, 'best-of');
    assert.equal(done.target, 30);
    assert.deepEqual(
      done.proposals.map((p) => [p.text, p.candidate?.index, p.candidate?.written, p.candidate?.score]),
      [
        ['Rewritten x with seed 101.', 0, 1, 30],
        ['Rewritten x with seed 100.', 1, 0, 20],
        ['Rewritten x with seed 102.', 2, 2, 40],
      ],
    );
    // Each candidate streams from the start ('|' marks a candidate being written).
    assert.equal(
      streamed(events).join(''),
      '|Rewritten x with seed 100.|Rewritten x with seed 101.|Rewritten x with seed 102.',
    );
    assert.equal(done.records.length, 1);
    assert.deepEqual(
      done.records[0].candidates?.map((c) => c.output),
      done.proposals.map((p) => p.text),
    );
    assert.ok(done.proposals.every((p) => p.parts.length === 1 && p.parts[0].record === 0));
  });

  it('each proposal is laid out like the original, the log keeps it as inserted, the budget scales', async () => {
    const oneLine: TextGenerator = {
      generate: async (req) => {
        requests.push(req);
        return result(`${'The proposal says this again in other words, '.repeat(5).trim()}.`);
      },
    };
    const requests: GenerateRequest[] = [];
    const out = await rewrite(
      oneLine,
      request({
        text: WRAPPED,
        source: { languageId: 'markdown', path: 'a.md' },
        contextSize: 4096,
        sampling: { temperature: 0, maxTokens: 400 },
      }),
      {},
    );
    const done = out.status === 'done' ? out : assert.fail();
    const text = done.proposals[0].text;
    assert.ok(text.includes('\n'), 'a hard-wrapped original gives a hard-wrapped proposal');
    const width = Math.max(
      ...WRAPPED.trimEnd()
        .split('\n')
        .map((l) => l.length),
    );
    assert.ok(
      text
        .trimEnd()
        .split('\n')
        .every((l) => l.length <= width),
      text,
    );
    assert.equal(text.replace(/\s+/g, ' ').trim(), done.records[0].output.replace(/\s+/g, ' ').trim());
    assert.equal(done.records[0].output, text);
    const budget = rewriteTokenBudget(await estimateTokenCount(WRAPPED), 400);
    assert.ok(budget < 400);
    assert.equal(requests.length, 1, 'one part');
    assert.equal(requests[0].maxTokens, budget);
    assert.equal(done.proposals[0].maxTokens, budget);
  });

  it('a lazy judge is asked for only when candidates are judged; a fired signal cancels', async () => {
    let asked = 0;
    const lazy = async () => {
      asked++;
      return judge([]);
    };
    await run(request(), { bestOf: 2, judge: { generator: lazy } });
    assert.equal(asked, 0, 'a text in parts never needs the judge');
    const abort = new AbortController();
    abort.abort();
    const cancelling: TextGenerator = {
      generate: async (req) => ({ ...result(''), stopReason: req.signal?.aborted ? 'aborted' : 'eos' }),
    };
    const out = await rewrite(cancelling, request(), { signal: abort.signal });
    assert.equal(out.status, 'cancelled');
  });

  describe('on the real engine', () => {
    let engine: EngineClient;
    let model: ModelInfo;
    let tiny: string;
    let dir: string;
    before(async () => {
      tiny = await testModel();
      engine = new EngineClient(testEngineOptions({ contextSize: 4096 }));
      model = await engine.load(tiny);
      dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-rewrite-use-case-'));
    });
    after(async () => {
      await engine.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    it('the CLI with --best-of on a text in parts prints byte for byte the proposal the function returns', async () => {
      const file = path.join(dir, 'long.txt');
      writeFileSync(file, LONG);
      // --max-tokens 16 caps a part at 32 tokens, so the three paragraphs are three parts.
      const cli = await runCli([
        'rewrite',
        ...['--model', tiny, '--rubric', 'formality', '--level', '2', '--file', file],
        ...['--best-of', '2', '--seed', '3', '--temperature', '0', '--max-tokens', '16'],
        ...['--threads', '1', '--gpu', 'off', '--context-size', '4096', '--no-prompt-cache'],
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stderr, /the text needs 3 parts, so --best-of 2 is not used/);
      const events: RewriteProgress[] = [];
      const out = await rewrite(
        engine,
        {
          text: LONG,
          style: { rubric: formality, level: 2 },
          source: { languageId: 'plaintext', path: file },
          promptMode: 'auto',
          model,
          sampling: { temperature: 0, maxTokens: 16, seed: 3 },
          surrounding: { before: '', after: '' },
          contextSize: (await engine.info()).contextSize,
        },
        { bestOf: 2, judge: { generator: engine }, onEvent: (e) => events.push(e) },
      );
      const done = out.status === 'done' ? out : assert.fail(`status ${out.status}`);
      assert.equal(done.kind, 'parts');
      assert.equal(cli.stdout, done.proposals[0].text);
      // The stream is the cleaned text as written; the proposal is that text laid out like each part.
      assert.equal(streamed(events).join('').length > 0, true);
    });

    it('the CLI and the editor give byte-identical laid-out text for a hard-wrapped Markdown paragraph', async () => {
      const file = path.join(dir, 'wrapped.md');
      writeFileSync(file, WRAPPED);
      const cli = await runCli([
        'rewrite',
        ...['--model', tiny, '--rubric', 'formality', '--level', '4', '--file', file],
        ...['--seed', '5', '--temperature', '0', '--max-tokens', '300'],
        ...['--threads', '1', '--gpu', 'off', '--context-size', '4096', '--no-prompt-cache'],
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      // As src/vscode/preview/generation.ts asks: the setting's cap, the document's language, surroundings.
      const out = await rewrite(engine, {
        text: WRAPPED,
        style: { rubric: formality, level: 4 },
        source: { languageId: 'markdown', path: 'wrapped.md' },
        promptMode: 'auto',
        model,
        sampling: { temperature: 0, maxTokens: 300, seed: 5 },
        surrounding: { before: '', after: '' },
        contextTokens: 256,
        contextSize: (await engine.info()).contextSize,
      });
      const done = out.status === 'done' ? out : assert.fail(`status ${out.status}`);
      assert.equal(cli.stdout, done.proposals[0].text);
      assert.equal(layoutLike(WRAPPED, done.proposals[0].text, 'markdown'), done.proposals[0].text, 'laid out');
      assert.equal(done.records[0].output, done.proposals[0].text, 'the log keeps the text as inserted');
      const budget = rewriteTokenBudget(await estimateTokenCount(WRAPPED), 300);
      assert.ok(budget < 300, `the budget scales with the text (${budget})`);
      assert.equal(done.records[0].sampling.maxTokens, budget);
      assert.equal(done.proposals[0].maxTokens, budget);
    });
  });
});
