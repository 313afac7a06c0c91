// generateBatch: several generations as parallel sequences of one context, on the real engine with the
// generated tiny model (1 thread). Each job keeps its own seed and sampler, but parallel and one-after-another
// runs are NOT always token-identical: llama.cpp's CPU kernels sum in an order that depends on how many
// tokens one decode call carries (node-llama-cpp packs whatever the sequences have pending into one batch,
// so the packing follows timing), and this random-weight model's logits are nearly tied, so a difference in
// the last bit can flip a greedy choice (seen here at temperature 0 after 8 tokens, in one run of two).
// What is exact: a batch that falls back to one job after another equals plain generate at the same seeds.
// A cancel stops every sequence; a memory cap too small for all of them runs fewer at once and still answers
// every job.
import assert from 'node:assert/strict';
import { EngineClient, type GenerateRequest, type GenerateResult, generateAll } from '../../src/core/engine';
import { sequenceSize } from '../../src/core/engine/sequence-pool';
import { inProcessLlama } from '../unit/helpers/llama';
import { testEngineOptions, testModel } from '../unit/helpers/test-models';

const SYSTEM = 'You are a careful editor. Rewrite the text so it reads as formal, precise prose. '.repeat(4);
const USER = 'Rewrite: hey so the meeting got moved to thursday, can u bring the slides?';
const SEEDS = [7, 8, 9, 10];

function jobs(temperature: number, maxTokens = 12, streams?: string[]): GenerateRequest[] {
  return SEEDS.map((seed, i) => ({
    system: SYSTEM,
    user: USER,
    temperature,
    seed,
    maxTokens,
    ...(streams ? { onToken: (t: string) => (streams[i] += t) } : {}),
  }));
}

async function oneByOne(engine: EngineClient, reqs: GenerateRequest[]): Promise<GenerateResult[]> {
  const out: GenerateResult[] = [];
  for (const r of reqs) out.push(await engine.generate(r));
  return out;
}

describe('EngineClient.generateBatch (parallel sequences of one context)', function () {
  this.timeout(120_000);
  let model: string;
  let engine: EngineClient;
  before(async () => {
    model = await testModel();
    engine = new EngineClient(testEngineOptions());
    await engine.load(model);
  });
  after(() => engine?.dispose());

  for (const temperature of [0, 0.8]) {
    it(
      `streams each job's own text, with its own seed, and reuses the prefix (temperature ` + `${temperature})`,
      async () => {
        const streams = SEEDS.map(() => '');
        let parallel = 0;
        const batch = await engine.generateBatch(jobs(temperature, 12, streams), { onParallel: (n) => (parallel = n) });
        assert.equal(parallel, SEEDS.length, 'all four ran at once');
        assert.deepEqual(
          streams,
          batch.map((r) => r.text),
          'each job streamed its own text',
        );
        for (const r of batch) assert.ok(r.outputTokens > 0 && r.promptTokens > 0 && r.stopReason !== 'aborted');
        if (temperature > 0)
          assert.ok(new Set(batch.map((r) => r.text)).size > 1, 'different seeds sample different texts');
        // The second batch finds the shared prefix resident in every sequence.
        const again = await engine.generateBatch(jobs(temperature));
        assert.equal(again.length, SEEDS.length);
        for (const r of again) assert.ok(r.reusedPromptTokens > 0, 'the prefix was not evaluated again');
      },
    );
  }

  it('a prompt back after another one took the sequences loads its kept state instead of evaluating it', async () => {
    // Best-of's pattern: the candidates' prompt, then the judge's (another system prompt), then candidates again.
    const judge = (i: number): GenerateRequest => ({
      system: 'You grade writing style against a rubric and answer in one line. '.repeat(4),
      user: `Grade text ${i}: ${USER}`,
      temperature: 0,
      maxTokens: 4,
    });
    const candidates = (user: string) => jobs(0, 4).map((r) => ({ ...r, user }));
    await engine.generateBatch(candidates(USER));
    await engine.generateBatch(SEEDS.map((_, i) => judge(i)));
    const back = await engine.generateBatch(candidates(`${USER} Please.`));
    // One sequence took the candidates' prompt, up to where the text changed (the last ~20 tokens), from
    // the state kept two batches ago; the others got it from that sequence.
    const prefix = Math.floor(0.8 * Math.min(...back.map((r) => r.promptTokens)));
    const loaded = back.map((r) => r.restoredPromptTokens ?? 0);
    assert.ok(Math.max(...loaded) >= prefix, `restored from a kept state: ${loaded} (prompt ${back[0]!.promptTokens})`);
    for (const r of back)
      assert.ok(r.reusedPromptTokens >= prefix, `${r.reusedPromptTokens} of ${r.promptTokens} prompt tokens reused`);
  });

  it('stops every sequence on one cancel, each keeping its partial text, and the engine goes on', async () => {
    const controller = new AbortController();
    const streams = SEEDS.map(() => '');
    const reqs = jobs(0.8, 400).map((r, i) => ({
      ...r,
      onToken: (t: string) => {
        streams[i] += t;
        if (streams.every((s) => s.length > 0)) controller.abort();
      },
    }));
    const results = await engine.generateBatch(reqs, { signal: controller.signal });
    assert.equal(results.length, SEEDS.length);
    for (const [i, r] of results.entries()) {
      assert.equal(r.stopReason, 'aborted', `job ${i} was stopped`);
      assert.ok(r.outputTokens < 400);
      assert.ok(streams[i]!.startsWith(r.text) || r.text.startsWith(streams[i]!));
    }
    const next = await engine.generate({ system: SYSTEM, user: USER, temperature: 0, maxTokens: 4 });
    assert.notEqual(next.stopReason, 'aborted');
  });

  it('runs fewer at once when memory does not hold them all, and still answers every job', async () => {
    const reference = await oneByOne(engine, jobs(0.8));
    const { two, capMB } = await capForTwo(model, reference, 12);
    for (const [cap, expected] of [
      [capMB, 2],
      [two / 4 / (1024 * 1024), 1],
    ] as const) {
      const small = new EngineClient(testEngineOptions({ parallelMemoryMB: cap }));
      try {
        await small.load(model);
        let parallel = 0;
        const results = await generateAll(small, jobs(0.8), { onParallel: (n) => (parallel = n) });
        assert.equal(parallel, expected, `cap ${cap.toFixed(3)} MiB`);
        assert.equal(results.length, SEEDS.length);
        for (const r of results) assert.ok(r.outputTokens > 0 && r.stopReason !== 'aborted');
        // One after another on the main sequence is plain generate: exactly the same texts.
        if (expected === 1)
          assert.deepEqual(
            results.map((r) => r.text),
            reference.map((r) => r.text),
          );
      } finally {
        await small.dispose();
      }
    }
  });

  it('a sequence takes the next job as soon as its own ends, not when the slowest of its wave does', async () => {
    const reference = await oneByOne(engine, jobs(0.8));
    const { capMB } = await capForTwo(model, reference, 48);
    const small = new EngineClient(testEngineOptions({ parallelMemoryMB: capMB }));
    try {
      await small.load(model);
      // Job 0 writes long; jobs 1-3 write 2 tokens each. Two sequences: jobs 2 and 3 follow job 1 on the
      // second sequence while job 0 is still writing on the first.
      const events: string[] = [];
      const reqs = jobs(0.8).map((r, i) => ({
        ...r,
        maxTokens: i === 0 ? 48 : 2,
        onToken: () => events.push(`job ${i}`),
      }));
      let parallel = 0;
      const results = await generateAll(small, reqs, { onParallel: (n) => (parallel = n) });
      assert.equal(parallel, 2);
      assert.ok(results[0]!.outputTokens >= 12, `job 0 wrote only ${results[0]!.outputTokens} tokens`);
      for (const r of results) assert.ok(r.outputTokens > 0 && r.stopReason !== 'aborted');
      assert.ok(
        events.indexOf('job 3') < events.lastIndexOf('job 0'),
        `job 3 waited for job 0 to end: ${events.join(', ')}`,
      );
    } finally {
      await small.dispose();
    }
  });
});

/**
 * A memory cap (MiB) that holds two of the engine's sequences for these prompts with `maxTokens` of output,
 * and not four; `two` in bytes.
 */
async function capForTwo(
  model: string,
  reference: GenerateResult[],
  maxTokens: number,
): Promise<{ two: number; capMB: number }> {
  // What node-llama-cpp estimates for these sequences (sized as the engine sizes them, from the longest
  // prompt plus its output).
  const { llama } = await inProcessLlama();
  const m = await llama.loadModel({ modelPath: model, gpuLayers: 0 });
  const tokens = Math.max(...reference.map((r) => r.promptTokens)) + maxTokens + 1;
  const need = async (sequences: number) => {
    const r = await m.fileInsights.estimateContextResourceRequirementsV2({
      contextSize: sequenceSize(tokens, m.trainContextSize),
      sequences,
      modelGpuLayers: 0,
    });
    return r.cpuRam + r.gpuVram;
  };
  const [two, four] = [await need(2), await need(4)];
  await m.dispose();
  assert.ok(four > two, `four sequences must need more than two (${four} vs ${two} bytes)`);
  return { two, capMB: (((two + four) / 2) * 1.2) / (1024 * 1024) };
}
