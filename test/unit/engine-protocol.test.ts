// Pure parts of the engine: IPC message checks, model specs, CPT detection. No model, no child process.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineError, checkGgufFile, isCptTunedModel, parseModelSpec, physicalCores } from '../../src/core/engine';
import {
  engineProtocolProblem,
  isClientToEngine,
  isEngineInfo,
  isEngineToClient,
  isGenerateResult,
  isPrewarmResult,
  isUnloadResult,
  MAX_BATCH_JOBS,
  RESULT_CHECKS,
} from '../../src/core/engine/protocol';
import { urlFileName } from '../../src/core/engine/model-spec';
import { TEST_MODEL_NAME } from '../../src/core/engine';

const settings = {
  gpu: 'auto',
  gpuLayers: 'auto',
  contextSize: 4096,
  threads: 0,
  modelsDirectory: '/m',
  logLevel: 'warn',
  lora: [],
  promptCache: { enabled: true, directory: '/c', maxMB: 1024 },
};

describe('engine protocol checks', () => {
  it('accepts every well-formed client message', () => {
    for (const m of [
      { type: 'init', settings },
      { type: 'init', settings: { ...settings, gpu: 'off', gpuLayers: 0, contextSize: 'auto', threads: 2 } },
      {
        type: 'init',
        settings: {
          ...settings,
          lora: [
            { path: '/a.gguf', scale: 1 },
            { path: '/b.gguf', scale: -0.5 },
          ],
        },
      },
      { type: 'init', settings: { ...settings, promptCache: { enabled: false, directory: '', maxMB: 0 } } },
      { type: 'init', settings: { ...settings, promptCache: { enabled: true, directory: '/c', maxMB: 0.5 } } },
      { type: 'call', id: 1, method: 'load', params: { spec: '/x.gguf' } },
      { type: 'call', id: 2, method: 'generate', params: { system: 's', user: 'u', maxTokens: 5, temperature: 0 } },
      {
        type: 'call',
        id: 3,
        method: 'generate',
        params: { system: '', user: 'u', maxTokens: 1, temperature: 0.7, seed: 4 },
      },
      { type: 'call', id: 4, method: 'prewarm', params: { system: 's' } },
      { type: 'call', id: 5, method: 'info', params: {} },
      { type: 'call', id: 6, method: 'unload', params: {} },
      {
        type: 'call',
        id: 7,
        method: 'generate',
        params: { system: 's', user: 'Do: x', userPrefix: 'Do: ', maxTokens: 5, temperature: 0 },
      },
      { type: 'call', id: 8, method: 'prewarm', params: { system: 's', userPrefix: 'Do: ' } },
      { type: 'cancel', id: 2 },
      { type: 'shutdown' },
    ])
      assert.ok(isClientToEngine(m), JSON.stringify(m));
  });

  it('rejects malformed client messages', () => {
    for (const m of [
      null,
      'load',
      [],
      {},
      { type: 'nope' },
      { type: 'init', settings: { ...settings, gpu: 'rocm' } },
      { type: 'init', settings: { ...settings, threads: -1 } },
      { type: 'init', settings: { ...settings, logLevel: 'loud' } },
      { type: 'init', settings: { ...settings, lora: undefined } },
      { type: 'init', settings: { ...settings, lora: [{ path: '', scale: 1 }] } },
      { type: 'init', settings: { ...settings, lora: [{ path: '/a.gguf' }] } },
      { type: 'init', settings: { ...settings, lora: [{ path: '/a.gguf', scale: Infinity }] } },
      { type: 'init', settings: { ...settings, lora: { path: '/a.gguf', scale: 1 } } },
      { type: 'init', settings: { ...settings, promptCache: undefined } },
      { type: 'init', settings: { ...settings, promptCache: { enabled: 'yes', directory: '/c', maxMB: 1 } } },
      { type: 'init', settings: { ...settings, promptCache: { enabled: true, directory: '', maxMB: 1 } } },
      { type: 'init', settings: { ...settings, promptCache: { enabled: true, directory: '/c', maxMB: -1 } } },
      { type: 'call', id: '1', method: 'load', params: { spec: 'x' } },
      { type: 'call', id: 1, method: 'load', params: { spec: '' } },
      { type: 'call', id: 1, method: 'unload', params: { now: true } },
      { type: 'call', id: 1, method: 'reset', params: {} },
      {
        type: 'call',
        id: 1,
        method: 'generate',
        params: { system: 's', user: 'u', userPrefix: 3, maxTokens: 5, temperature: 0 },
      },
      { type: 'call', id: 1, method: 'generate', params: { system: 's', user: 'u', maxTokens: 0, temperature: 0 } },
      { type: 'call', id: 1, method: 'generate', params: { system: 's', user: 'u', maxTokens: 2.5, temperature: 0 } },
      { type: 'call', id: 1, method: 'generate', params: { system: 's', user: 'u', maxTokens: 5, temperature: -1 } },
      { type: 'call', id: 1, method: 'generate', params: { system: 's', maxTokens: 5, temperature: 0 } },
      { type: 'call', id: 1, method: 'prewarm', params: { system: 3 } },
      { type: 'cancel' },
    ])
      assert.ok(!isClientToEngine(m), JSON.stringify(m));
  });

  it('checks engine messages and results', () => {
    assert.ok(isEngineToClient({ type: 'token', id: 1, text: 'a' }));
    assert.ok(
      isEngineToClient({
        type: 'progress',
        id: 1,
        progress: { phase: 'download', fraction: 0.5, downloadedBytes: 5, totalBytes: 10 },
      }),
    );
    assert.ok(isEngineToClient({ type: 'error', id: 1, code: 'NOT_GGUF', message: 'm' }));
    assert.ok(isEngineToClient({ type: 'log', level: 'warn', message: 'm' }));
    assert.ok(!isEngineToClient({ type: 'error', id: 1, code: 'WHATEVER', message: 'm' }));
    // A too-long prompt's error carries its numbers; without them it is malformed.
    const tooLong = { type: 'error', id: 1, code: 'TOO_LONG', message: 'm', tokens: 1500, contextSize: 1024 };
    assert.ok(isEngineToClient(tooLong));
    assert.ok(!isEngineToClient({ type: 'error', id: 1, code: 'TOO_LONG', message: 'm' }));
    assert.ok(!isEngineToClient({ ...tooLong, contextSize: 0 }));
    assert.ok(!isEngineToClient({ ...tooLong, tokens: 1.5 }));
    assert.ok(!isEngineToClient({ type: 'progress', id: 1, progress: { phase: 'unzip', fraction: 1 } }));
    assert.ok(!isEngineToClient({ type: 'log', level: 'fatal', message: 'm' }));
    const result = {
      text: 't',
      stopReason: 'eos',
      promptTokens: 3,
      reusedPromptTokens: 0,
      outputTokens: 1,
      timeToFirstTokenMs: 1,
      tokensPerSecond: 0,
      totalMs: 2,
    };
    assert.ok(isGenerateResult(result));
    assert.ok(!isGenerateResult({ ...result, stopReason: 'done' }));
    assert.ok(!isGenerateResult({ ...result, promptTokens: 1.5 }));
    assert.ok(isGenerateResult({ ...result, reusedPromptTokens: 2, restoredPromptTokens: 2 }));
    assert.ok(!isGenerateResult({ ...result, restoredPromptTokens: '2' }));
    const info = { backend: 'cpu', gpuLayers: 0, totalLayers: 3, contextSize: 1024, threads: 1 };
    assert.ok(isEngineInfo(info));
    assert.ok(!isEngineInfo({ ...info, backend: 'rocm' }));
    assert.ok(
      isEngineInfo({
        ...info,
        adapters: [{ path: '/a.gguf', scale: 1, name: 'a' }],
        promptCache: { directory: '/c', maxMB: 1024 },
      }),
    );
    assert.ok(!isEngineInfo({ ...info, adapters: [{ path: '/a.gguf', scale: 1 }] }), 'an adapter without its name');
    assert.ok(!isEngineInfo({ ...info, promptCache: { directory: '/c' } }));
    assert.ok(isPrewarmResult({ tokens: 10, ms: 1, restoredTokens: 10 }));
    assert.ok(!isPrewarmResult({ tokens: 10, ms: 1 }), 'restoredTokens is required on the wire');
    assert.ok(!isPrewarmResult({ tokens: 10, ms: 1, restoredTokens: 11 }));
    assert.ok(isUnloadResult({ unloaded: false }));
    assert.ok(!isUnloadResult({}));
    assert.equal(RESULT_CHECKS.unload, isUnloadResult);
  });
});

describe('engine protocol: batches and problems', () => {
  const job = { system: 's', user: 'u', maxTokens: 5, temperature: 0 };
  const batch = (jobs: unknown[]) => ({ type: 'call', id: 9, method: 'generateBatch', params: { jobs } });

  it('bounds a generateBatch to 1..MAX_BATCH_JOBS well-formed jobs', () => {
    assert.ok(isClientToEngine(batch([job, { ...job, seed: 2, jsonSchema: { type: 'object' } }])));
    assert.ok(isClientToEngine(batch(Array.from({ length: MAX_BATCH_JOBS }, () => job))));
    assert.ok(!isClientToEngine(batch([])));
    assert.ok(!isClientToEngine(batch(Array.from({ length: MAX_BATCH_JOBS + 1 }, () => job))));
    assert.ok(!isClientToEngine(batch([job, { ...job, maxTokens: 0 }])));
    assert.ok(!isClientToEngine(batch([{ ...job, jsonSchema: [] }])));
    assert.ok(isEngineToClient({ type: 'token', id: 9, text: 'a', job: 1 }));
    assert.ok(!isEngineToClient({ type: 'token', id: 9, text: 'a', job: 0.5 }));
  });

  it('names the first problem with its path, for the log line that drops a message', () => {
    assert.equal(engineProtocolProblem('client', { type: 'cancel', id: 1 }), undefined);
    assert.match(
      engineProtocolProblem('client', batch([job, { ...job, maxTokens: 0 }])) ?? '',
      /^params\.jobs\.1\.maxTokens: /,
    );
    assert.match(engineProtocolProblem('engine', { type: 'log', level: 'fatal', message: 'm' }) ?? '', /^level: /);
    assert.match(engineProtocolProblem('prewarm', { tokens: 1, ms: 1, restoredTokens: 2 }) ?? '', /restored/);
  });
});

describe('model specs', () => {
  it('tells files, URLs and hf: URIs apart', () => {
    assert.deepEqual(parseModelSpec('~/models/a.gguf', '/home/w'), { kind: 'file', path: '/home/w/models/a.gguf' });
    assert.deepEqual(parseModelSpec('/abs/b.gguf'), { kind: 'file', path: '/abs/b.gguf' });
    assert.deepEqual(parseModelSpec('rel/c.gguf'), { kind: 'file', path: path.resolve('rel/c.gguf') });
    assert.deepEqual(parseModelSpec('hf:user/repo:Q4_K_M'), { kind: 'hf', uri: 'hf:user/repo:Q4_K_M' });
    assert.deepEqual(parseModelSpec(' https://example.com/dir/My%20Model.Q4.gguf?download=1 '), {
      kind: 'url',
      url: 'https://example.com/dir/My%20Model.Q4.gguf?download=1',
      fileName: 'My_Model.Q4.gguf',
    });
    assert.throws(
      () => parseModelSpec('  '),
      (e: unknown) => e instanceof EngineError && e.code === 'MODEL_NOT_FOUND',
    );
  });

  it('derives a safe file name from a URL', () => {
    assert.equal(urlFileName(new URL('https://h/a/model.gguf')), 'model.gguf');
    assert.equal(urlFileName(new URL('https://h/')), 'model.gguf');
    assert.equal(urlFileName(new URL('https://h/..%2F..%2Fetc%2Fpasswd')), '_.._etc_passwd');
  });

  it('checks the GGUF magic and says which file is wrong', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-spec-'));
    try {
      const good = path.join(dir, 'good.gguf');
      writeFileSync(good, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(12)]));
      assert.equal(await checkGgufFile(good), 16);
      const bad = path.join(dir, 'bad.gguf');
      writeFileSync(bad, 'GGML old format');
      await assert.rejects(
        checkGgufFile(bad),
        (e: unknown) => e instanceof EngineError && e.code === 'NOT_GGUF' && e.message.includes(bad),
      );
      await assert.rejects(
        checkGgufFile(dir),
        (e: unknown) => e instanceof EngineError && e.code === 'MODEL_NOT_FOUND',
      );
      const missing = path.join(dir, 'missing.gguf');
      await assert.rejects(
        checkGgufFile(missing),
        (e: unknown) => e instanceof EngineError && e.code === 'MODEL_NOT_FOUND' && e.message.includes(missing),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('model facts', () => {
  it('marks CPT-tuned models by name or metadata, but not our random-weight test model', () => {
    assert.ok(isCptTunedModel('configurable-preference-phi4'));
    assert.ok(isCptTunedModel('Configurable Preference Mistral Nemo 12b'));
    assert.ok(isCptTunedModel('model.gguf', { basename: 'configurable-preference-qwen3', finetune: 'instruct' }));
    assert.ok(isCptTunedModel('Phi 4', { tags: ['dpo', 'configurable-preference-tuning'] }));
    // "CPT" alone usually means continued pre-training.
    for (const other of [
      'Qwen3-4B-CPT',
      'Llama-3-8B-CPT',
      'qwen2.5-cpt-medical',
      'mistral-7b-cpt-legal.Q4_K_M.gguf',
      'CPT Llama 3',
    ])
      assert.ok(!isCptTunedModel(other), other);
    assert.ok(!isCptTunedModel('Phi 4', { tags: ['dpo', 'cpt'], finetune: 'cpt' }));
    assert.ok(!isCptTunedModel('Qwen3-4B-Instruct'));
    assert.ok(!isCptTunedModel('acceptor-7b'));
    assert.ok(!isCptTunedModel(TEST_MODEL_NAME));
  });

  it('counts physical cores sensibly', () => {
    const n = physicalCores();
    assert.ok(Number.isInteger(n) && n >= 1 && n <= os.cpus().length);
  });
});
