// Our side of the bench: the engine as the extension runs it (EngineClient -> the shipped engine process),
// the style and prompts it rewrites in, the test models, the engine's memory and the machine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONTEXT_SIZE, T, log, opts, outModule, root } from './common.mjs';

// Measure the engine bundle the extension ships (dist/), not tsc's module-by-module copy in out/.
const processEntry = path.join(root, 'dist', 'engine-process.js');

// ------------------------------------------------------------------------------------------ the prompt
/**
 * The style the bench rewrites in: the built-in rubric whose rubric-mode system prompt is closest to
 * 1,000 tokens (estimateTokens), level 3, plain text, and the prompts core/rewrite builds for it: the
 * prefix the extension prewarms (rewritePromptPrefix) and the full prompt it sends (rewritePrompt).
 */
export async function benchStyle() {
  const rubrics = outModule('out/src/core/rubrics/index.js');
  const rewrite = outModule('out/src/core/rewrite/index.js');
  const { rubrics: all } = await rubrics.loadRubrics({ includeBuiltin: true });
  const MODE = 'rubric',
    LANGUAGE = 'plaintext';
  const cands = all
    .map((rubric) => ({
      rubric,
      est: rubrics.estimateTokens(rewrite.rewritePromptPrefix({ rubric, level: 3 }, MODE, LANGUAGE).system),
    }))
    .sort((a, b) => Math.abs(a.est - 1000) - Math.abs(b.est - 1000));
  if (!cands[0]) throw new Error('no built-in rubric found');
  const style = { rubric: cands[0].rubric, level: 3 };
  const prefix = rewrite.rewritePromptPrefix(style, MODE, LANGUAGE);
  return {
    style,
    source:
      `built-in rubric "${style.rubric.id}", level 3, rubric mode, plain text ` +
      `(core/rewrite rewritePromptPrefix / rewritePrompt; ~${cands[0].est} tokens by estimateTokens)`,
    system: prefix.system,
    userPrefix: prefix.userPrefix,
    user: (text) => rewrite.rewritePrompt(text, style, MODE, LANGUAGE).user,
  };
}
// ----------------------------------------------------------------------------------------- our side
export function oursClient(extra = {}) {
  const { EngineClient } = outModule('out/src/core/engine/index.js');
  return new EngineClient({
    threads: opts.threads,
    contextSize: CONTEXT_SIZE,
    gpu: 'off',
    gpuLayers: 0,
    processEntry,
    ...extra,
  });
}

export async function oursLoad(modelPath, extra) {
  const client = oursClient(extra);
  const t0 = T();
  await client.load(modelPath);
  return { ms: T() - t0, client };
}

export async function oursRewrite(o, system, user, maxTokens, userPrefix) {
  let first, last;
  const t0 = T();
  const res = await o.client.generate({
    // userPrefix: what the extension passes so a prompt cache keeps the instruction too (ignored where unsupported).
    system,
    user,
    maxTokens,
    temperature: 0,
    ...(userPrefix !== undefined ? { userPrefix } : {}),
    onToken: () => {
      const t = T();
      first ??= t;
      last = t;
    },
  });
  const end = T();
  return {
    ttft: first - t0,
    decodeTps: decodeRate(res.outputTokens, first, last ?? end, end),
    outputTokens: res.outputTokens,
    text: res.text,
    engine: {
      ttft: res.timeToFirstTokenMs,
      tps: res.tokensPerSecond,
      promptTokens: res.promptTokens,
      reused: res.reusedPromptTokens,
      restored: res.restoredPromptTokens,
      stop: res.stopReason,
    },
  };
}

/** What the extension does when a style is chosen: prewarm the system prompt and the instruction prefix. */
export async function oursPrewarm(o, system, userPrefix) {
  const t0 = T();
  const r = await o.client.prewarm(system, { userPrefix });
  return { tokens: r.tokens, ms: T() - t0, engineMs: r.ms, restored: r.restoredTokens };
}

/**
 * Tokens after the first, over the time from the first token to the end of the call: what the writer
 * sees stream, including any IPC batching on our side.
 */
export function decodeRate(tokens, first, _last, end) {
  if (!(tokens > 1) || first === undefined) return NaN;
  return (tokens - 1) / ((end - first) / 1000);
}

// ------------------------------------------------------------------------------------- engine memory
export function enginePid(client) {
  if (typeof client.pid === 'number') return client.pid;
  // Fallback: our child whose command line names the engine entry.
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    let kids = '';
    try {
      kids = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const pid of kids.trim().split(/\s+/).filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('engine-process')) return Number(pid);
      } catch {
        /* gone */
      }
    }
  }
  return undefined;
}
export function vmKb(pid, field) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

// ------------------------------------------------------------------------------- extension activation
/** Imports dist/extension.js in a fresh Node process with `vscode` stubbed; returns ms per import. */
export function extensionImportMs() {
  const script = `
    const Module = require('node:module');
    // A stand-in for the 'vscode' module, which only exists inside VS Code: any property is a
    // callable, constructible stub, so module-level code that touches the API does not throw.
    const stub = () => new Proxy(function () {}, {
      get: (t, k) => (k === 'then' ? undefined : k === Symbol.toPrimitive ? () => '' : stub()),
      apply: () => stub(), construct: () => stub(),
    });
    // The bundle's interop helper (esbuild's __toESM) copies the module's own property names, which a
    // proxy does not list, so the namespace would be empty: the stand-in owns every name the bundle uses.
    const file = ${JSON.stringify(path.join(root, 'dist', 'extension.js'))};
    const names = new Set(
      [...require('node:fs').readFileSync(file, 'utf8').matchAll(/\bvscode\d*\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]),
    );
    const vscode = Object.fromEntries([...names].map((n) => [n, stub()]));
    const load = Module._load;
    Module._load = function (request, ...rest) {
      return request === 'vscode' ? vscode : load.call(this, request, ...rest);
    };
    const t0 = performance.now();
    const ext = require(file);
    const ms = performance.now() - t0;
    process.stdout.write(JSON.stringify({ ms, activate: typeof ext.activate }));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: root });
  if (r.status !== 0)
    throw new Error(`importing dist/extension.js failed: ${(r.stderr || '').split('\n').slice(0, 5).join(' | ')}`);
  return JSON.parse(r.stdout);
}
// ------------------------------------------------------------------------------------------ the bench
export async function ensureModel(preset) {
  const testmodel = outModule('out/src/core/testmodel/index.js');
  const PRESETS = testmodel.TEST_MODEL_PRESETS;
  const shape = PRESETS[preset];
  if (!shape) throw new Error(`unknown model preset ${preset} (known: ${Object.keys(PRESETS).join(', ')})`);
  const dir = path.join(root, '.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  const key = Object.entries(shape)
    .map(([k, v]) => `${k}${v}`)
    .join('-');
  const file = path.join(dir, `${preset}-${key}-seed1.gguf`);
  let genMs = 0;
  let params;
  if (!existsSync(file)) {
    const t0 = T();
    const w = await testmodel.writeTestModel(file, { ...shape, seed: 1 });
    genMs = T() - t0;
    params = w.params;
    log(`generated ${path.basename(file)} (${(w.params / 1e6).toFixed(1)}M params) in ${(genMs / 1000).toFixed(1)} s`);
  }
  return { preset, file, bytes: statSync(file).size, genMs, params, shape };
}
export function machine() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8');
  const modelName = (cpu.match(/^model name\s*:\s*(.+)$/m) ?? [])[1] ?? os.cpus()[0]?.model ?? 'unknown';
  let nlcVersion = 'unknown';
  try {
    nlcVersion = JSON.parse(
      readFileSync(path.join(root, 'node_modules', 'node-llama-cpp', 'package.json'), 'utf8'),
    ).version;
  } catch {
    /* keep unknown */
  }
  return {
    date: new Date().toISOString(),
    cpuModel: modelName.trim(),
    cores: os.cpus().length,
    ramGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    nodeLlamaCpp: nlcVersion,
    loadAvgAtStart: os.loadavg().map((x) => +x.toFixed(2)),
  };
}
