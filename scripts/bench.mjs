// `npm run bench`: how fast is the engine, measured side by side with node-llama-cpp called directly.
//
// On random-weight models of realistic shapes (compute does not depend on weight values) it measures,
// alternating ours (EngineClient -> engine child process) and raw (node-llama-cpp in this process, same
// model, threads, context size, prompts, temperature 0 and maxTokens):
//   - model load; time to first token cold / warm (same system prompt, new text) / after prewarm;
//   - decode tokens per second; prefill tokens per second of the system prompt;
//   - the engine process's peak memory (VmHWM) and the cost of importing dist/extension.js.
// It prints a table of medians and ratios and writes every sample to .cache/bench/results.json.
//
//   node scripts/bench.mjs [--threads N] [--reps N] [--models small,100m] [--max-tokens N]
//                          [--out FILE] [--build] [--budget-s S]
// --budget-s (default 420): on a busy machine, fewer reps (never under 3) so the whole run ends in time.
//   node scripts/bench.mjs --report FILE      re-print the table of a saved results.json
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensure-deps.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const benchStart = performance.now();

// ---------------------------------------------------------------------------------------------- options
function parseArgs(argv) {
  const o = { threads: 1, reps: 5, models: ['small', '100m'], maxTokens: 64, out: path.join(root, '.cache', 'bench', 'results.json'), build: false, budgetS: 420 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a} must be a positive integer, got ${v}`);
      return n;
    };
    if (a === '--threads') o.threads = int(next());
    else if (a === '--reps') o.reps = int(next());
    else if (a === '--max-tokens') o.maxTokens = int(next());
    else if (a === '--budget-s') o.budgetS = int(next());
    else if (a === '--models') o.models = next().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--out') o.out = path.resolve(next());
    else if (a === '--build') o.build = true;
    else if (a === '--report') o.report = path.resolve(next());
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/bench.mjs [--threads N] [--reps N] [--models small,100m] [--max-tokens N] [--out FILE] [--build] [--budget-s S]\n'
        + '       node scripts/bench.mjs --report FILE   (print the table of an earlier run\'s results.json)');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  return o;
}
const opts = parseArgs(process.argv.slice(2));
const CONTEXT_SIZE = 4096;
// Rewrites that only measure time to first token stop early; the warm rewrite runs to --max-tokens for decode speed.
const TTFT_MAX_TOKENS = 8;
const log = (m) => process.stderr.write(`[bench ${((performance.now() - benchStart) / 1000).toFixed(0).padStart(4)}s] ${m}\n`);

// ------------------------------------------------------------------------------------------------ build
const needed = ['dist/engine-process.js', 'out/src/core/engine/index.js', 'out/src/core/testmodel/index.js'];
if (existsSync(path.join(root, 'src', 'extension.ts'))) needed.push('dist/extension.js');
if (!opts.report) ensureDependencies(root, log);
if (!opts.report && (opts.build || needed.some((f) => !existsSync(path.join(root, f))))) {
  log('building (dist/ or out/ missing)…');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: ['ignore', 'inherit', 'inherit'], cwd: root });
}
const load = (f) => (opts.report ? {} : require(path.join(root, f)));
const { EngineClient } = load('out/src/core/engine/index.js');
const testmodel = load('out/src/core/testmodel/index.js');
// Measure the engine bundle the extension ships (dist/), not tsc's module-by-module copy in out/.
const processEntry = path.join(root, 'dist', 'engine-process.js');

// ----------------------------------------------------------------------------------------------- stats
const median = (xs = []) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const T = () => performance.now();

// ------------------------------------------------------------------------------------------ the prompt
/** A real built-in rubric in rubric mode when the prompts module can give one, else comparable text. */
async function rubricSystemPrompt() {
  try {
    const rubrics = require(path.join(root, 'out/src/core/rubrics/index.js'));
    const prompts = require(path.join(root, 'out/src/core/prompts/index.js'));
    const res = await rubrics.loadRubrics({ includeBuiltin: true });
    const all = Array.isArray(res?.rubrics) ? res.rubrics : [];
    // The rubric whose prompt is closest to 1,000 tokens of a real tokenizer (estimateTokens).
    const cands = all.map((r) => ({ id: r.id, text: prompts.systemPrompt(r, 3, 'rubric') }))
      .map((c) => ({ ...c, est: rubrics.estimateTokens(c.text) }))
      .sort((a, b) => Math.abs(a.est - 1000) - Math.abs(b.est - 1000));
    if (cands[0]) return { source: `built-in rubric "${cands[0].id}", level 3, rubric mode (src/core/prompts systemPrompt; ~${cands[0].est} tokens by estimateTokens)`, text: cands[0].text };
  } catch (err) {
    log(`rubric prompt unavailable (${String(err.message ?? err).split('\n')[0]}); using comparable text`);
  }
  return { source: 'comparable rubric-like text (built-in rubrics unavailable)', text: comparableRubric() };
}

function comparableRubric() {
  const levels = ['Chatty', 'Casual', 'Neutral', 'Professional', 'Ceremonial'];
  const criteria = [
    ['Register', 'the words chosen, from slang and contractions to formal vocabulary and full forms'],
    ['Sentence structure', 'how sentences are built, from fragments and run-ons to balanced, complete periods'],
    ['Tone', 'the attitude toward the reader, from familiar and joking to courteous and reserved'],
    ['Politeness markers', 'greetings, hedges and courtesy formulas, from none at all to elaborate ones'],
  ];
  let s = 'You rewrite text to a target style. The style is defined by the rubric below, which a judge uses to score a text from 0 to 100.\n\nRubric: Formality\n';
  for (const [name, what] of criteria) {
    s += `\nCriterion: ${name} (weight 25). It judges ${what}.\n`;
    levels.forEach((l, i) => { s += `- Level ${i + 1} (${l}): the text shows ${what.split(',')[0]} as a ${l.toLowerCase()} writer would, with every sentence consistent with that choice.\n`; });
  }
  s += '\nScoring: weigh each criterion by its weight; a text that mixes levels scores between them.\nTarget: a score of 50 out of 100 (Neutral). Keep the meaning, the language and any markup. Output only the rewritten text.\n';
  return s;
}

/**
 * Fits the prompt to about `target` tokens of the bench model's own tokenizer. The test models' small
 * vocabulary spends ~2.5x more tokens on English than a real model's does, so a real ~1,000-token
 * rubric is cut (at line ends) to the ~1,000 tokens a real model would evaluate for it.
 */
function fitToTokens(text, countTokens, target = 1000) {
  let t = text;
  while (countTokens(t) < target * 0.9) t += '\n' + text;
  const lines = t.split('\n');
  while (lines.length > 1 && countTokens(lines.join('\n')) > target * 1.05) lines.pop();
  return lines.join('\n') + '\n';
}

const USER_TEXTS = [
  'hey so the meeting got moved to thursday, can u bring the slides? also dont forget the numbers from last quarter, boss wants them.',
  'The results are in and they look good: sales went up in every region except the north, where the new shop opened late.',
  'I think we should just ship it. The tests pass, the docs are fine, and waiting another week will not make the code any better.',
  'Thanks for the invite! I would love to come, but I am away that weekend. Maybe we can get lunch the week after instead?',
  'Our water bill doubled this month. Could you check whether the meter was read right, or whether there is a leak somewhere?',
  'The model loads in a second, answers at once, and the first word shows up before you have let go of the key.',
];
const userMessage = (() => {
  try {
    const prompts = require(path.join(root, 'out/src/core/prompts/index.js'));
    prompts.rewriteUserMessage('probe', { languageId: 'plaintext' });
    return (text) => prompts.rewriteUserMessage(text, { languageId: 'plaintext' });
  } catch {
    return (text) => `Rewrite the text below to the target style. Keep its meaning. Output only the rewritten text.\n\n${text}`;
  }
})();
// A different first line per run makes the whole system prompt new, so "cold" really evaluates it all.
const withNonce = (sys, tag) => `Session ${tag}.\n${sys}`;

// ----------------------------------------------------------------------------------------- raw side
let nlc;
let rawLlama;
async function rawSetup() {
  nlc = await import('node-llama-cpp');
  const t0 = T();
  rawLlama = await nlc.getLlama({ build: 'never', gpu: false, maxThreads: opts.threads, logLevel: 'warn' });
  return T() - t0;
}

// What an app that runs node-llama-cpp in its own child process pays from fork to a loaded model.
const RAW_START_SCRIPT = `
const t0 = performance.now();
const { getLlama, resolveChatWrapper } = await import('node-llama-cpp');
const llama = await getLlama({ build: 'never', gpu: false, maxThreads: Number(process.env.BENCH_THREADS), logLevel: 'warn' });
const model = await llama.loadModel({ modelPath: process.env.BENCH_MODEL, gpuLayers: 0 });
const context = await model.createContext({ contextSize: Number(process.env.BENCH_CONTEXT), sequences: 1, threads: Number(process.env.BENCH_THREADS) });
const chatWrapper = resolveChatWrapper(model);
process.send({ ready: true, inChildMs: performance.now() - t0 }, () => process.exit(0));
`;
async function rawFreshStart(modelPath) {
  const script = path.join(root, '.cache', 'bench', 'raw-start.mjs'); // inside the project, so node-llama-cpp resolves
  writeFileSync(script, RAW_START_SCRIPT);
  const t0 = T();
  const child = fork(script, [], {
    execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_MODEL: modelPath, BENCH_THREADS: String(opts.threads), BENCH_CONTEXT: String(CONTEXT_SIZE) },
  });
  const ms = await new Promise((resolve, reject) => {
    child.once('message', () => resolve(T() - t0));
    child.once('exit', (code) => reject(new Error(`raw start child exited with ${code} before loading`)));
  });
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  return ms;
}

async function rawLoad(modelPath) {
  const t0 = T();
  const model = await rawLlama.loadModel({ modelPath, gpuLayers: 0 });
  const context = await model.createContext({ contextSize: CONTEXT_SIZE, sequences: 1, threads: opts.threads });
  // Resolved once per model, as the engine does: LlamaChatSession's default ('auto') runs this detection,
  // which renders the model's Jinja template against every known wrapper, on every new session.
  const chatWrapper = nlc.resolveChatWrapper(model);
  const ms = T() - t0;
  return { ms, model, context, sequence: context.getSequence(), chatWrapper };
}

/** One rewrite the way an app without our engine would do it: a session per request on one sequence. */
async function rawRewrite(r, system, user, maxTokens) {
  let first, last, tokens = 0;
  const t0 = T();
  const session = new nlc.LlamaChatSession({ contextSequence: r.sequence, systemPrompt: system, chatWrapper: r.chatWrapper });
  const text = await session.prompt(user, {
    maxTokens, temperature: 0,
    onTextChunk: () => { const t = T(); first ??= t; last = t; },
    onToken: (ts) => { tokens += ts.length; },
  });
  const end = T();
  session.dispose({ disposeSequence: false });
  return { ttft: first - t0, decodeTps: decodeRate(tokens, first, last ?? end, end), outputTokens: tokens, text };
}

/** Evaluates just the system turn (BOS + ChatML system block, as the chat wrapper renders it). */
async function rawPrewarm(r, system) {
  const { model, sequence } = r;
  const tokens = [model.tokens.bos, ...model.tokenize(`<|im_start|>system\n${system}<|im_end|>\n`, true)];
  const t0 = T();
  await sequence.clearHistory();
  await sequence.evaluateWithoutGeneratingNewTokens(tokens);
  return { tokens: tokens.length, ms: T() - t0 };
}

async function rawDispose(r) {
  await r.context.dispose();
  await r.model.dispose();
}

// ----------------------------------------------------------------------------------------- our side
async function oursLoad(modelPath) {
  const client = new EngineClient({ threads: opts.threads, contextSize: CONTEXT_SIZE, gpu: 'off', gpuLayers: 0, processEntry });
  const t0 = T();
  await client.load(modelPath);
  return { ms: T() - t0, client };
}

async function oursRewrite(o, system, user, maxTokens) {
  let first, last;
  const t0 = T();
  const res = await o.client.generate({
    system, user, maxTokens, temperature: 0,
    onToken: () => { const t = T(); first ??= t; last = t; },
  });
  const end = T();
  return {
    ttft: first - t0, decodeTps: decodeRate(res.outputTokens, first, last ?? end, end), outputTokens: res.outputTokens,
    text: res.text, engine: { ttft: res.timeToFirstTokenMs, tps: res.tokensPerSecond, promptTokens: res.promptTokens, reused: res.reusedPromptTokens, stop: res.stopReason },
  };
}

async function oursPrewarm(o, system) {
  const t0 = T();
  const r = await o.client.prewarm(system);
  return { tokens: r.tokens, ms: T() - t0, engineMs: r.ms };
}

/**
 * Tokens after the first, over the time from the first token to the end of the call: what the writer
 * sees stream, including any IPC batching on our side.
 */
function decodeRate(tokens, first, _last, end) {
  if (!(tokens > 1) || first === undefined) return NaN;
  return (tokens - 1) / ((end - first) / 1000);
}

// ------------------------------------------------------------------------------------- engine memory
function enginePid(client) {
  if (typeof client.pid === 'number') return client.pid;
  // Fallback: our child whose command line names the engine entry.
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    let kids = '';
    try { kids = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8'); } catch { continue; }
    for (const pid of kids.trim().split(/\s+/).filter(Boolean)) {
      try { if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('engine-process')) return Number(pid); } catch { /* gone */ }
    }
  }
  return undefined;
}
function vmKb(pid, field) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

// ------------------------------------------------------------------------------- extension activation
/** Imports dist/extension.js in a fresh Node process with `vscode` stubbed; returns ms per import. */
function extensionImportMs() {
  const script = `
    const Module = require('node:module');
    // A stand-in for the 'vscode' module, which only exists inside VS Code: any property is a
    // callable, constructible stub, so module-level code that touches the API does not throw.
    const stub = () => new Proxy(function () {}, {
      get: (t, k) => (k === 'then' ? undefined : k === Symbol.toPrimitive ? () => '' : stub()),
      apply: () => stub(), construct: () => stub(),
    });
    const vscode = stub();
    const load = Module._load;
    Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
    const t0 = performance.now();
    const ext = require(${JSON.stringify(path.join(root, 'dist', 'extension.js'))});
    const ms = performance.now() - t0;
    process.stdout.write(JSON.stringify({ ms, activate: typeof ext.activate }));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: root });
  if (r.status !== 0) throw new Error(`importing dist/extension.js failed: ${(r.stderr || '').split('\n').slice(0, 5).join(' | ')}`);
  return JSON.parse(r.stdout);
}

// ------------------------------------------------------------------------------------------ the bench
async function ensureModel(preset) {
  const PRESETS = testmodel.TEST_MODEL_PRESETS;
  const shape = PRESETS[preset];
  if (!shape) throw new Error(`unknown model preset ${preset} (known: ${Object.keys(PRESETS).join(', ')})`);
  const dir = path.join(root, '.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  const key = Object.entries(shape).map(([k, v]) => `${k}${v}`).join('-');
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

async function benchModel(m, prompt, deadline) {
  const rows = { start: { ours: [], raw: [] }, load: { ours: [], raw: [] }, cold: { ours: [], raw: [] }, warm: { ours: [], raw: [] }, prewarmed: { ours: [], raw: [] },
    decode: { ours: [], raw: [] }, prefill: { ours: [], raw: [] } };
  const extra = { engine: [], vmhwmKb: [], vmrssKb: [], autoWrapperMs: [], loadAvg1m: [] };

  // Load, two ways, each apples to apples: from a fresh process (ours: fork the engine, which imports
  // node-llama-cpp, runs getLlama, loads the model and makes the context; raw: a forked Node script that
  // does the same), and in a process that already has llama.cpp up (ours: load again; raw: in-process).
  // Reps alternate which side goes first so drift on a shared machine hits both.
  let ours;
  let raw;
  const loadReps = Math.min(opts.reps, 3);
  for (let i = 0; i < loadReps; i++) {
    const last = i === loadReps - 1;
    const doOurs = async () => {
      const o = await oursLoad(m.file);
      rows.start.ours.push(o.ms);
      const t0 = T();
      await o.client.load(m.file);
      rows.load.ours.push(T() - t0);
      if (last) ours = o; else await o.client.dispose();
    };
    const doRaw = async () => {
      rows.start.raw.push(await rawFreshStart(m.file));
      if (raw) await rawDispose(raw);
      const r = await rawLoad(m.file);
      rows.load.raw.push(r.ms);
      raw = r;
    };
    if (i % 2 === 0) { await doOurs(); await doRaw(); } else { await doRaw(); await doOurs(); }
  }
  // What a raw caller that leaves LlamaChatSession's chatWrapper on 'auto' pays per request, before
  // any token is evaluated (the raw side above, like the engine, resolves it once per model instead).
  for (let i = 0; i < Math.min(opts.reps, 3); i++) {
    const t0 = T();
    const s = new nlc.LlamaChatSession({ contextSequence: raw.sequence, systemPrompt: 'x' });
    extra.autoWrapperMs.push(T() - t0);
    s.dispose({ disposeSequence: false });
  }
  const pid = enginePid(ours.client);
  const info = await ours.client.info();
  const system = fitToTokens(prompt.text, (t) => raw.model.tokenize(t).length);
  const systemTokens = raw.model.tokenize(system).length;
  log(`${m.preset}: engine pid ${pid}, ${info.threads} thread(s), context ${info.contextSize}; system prompt ${systemTokens} tokens`);

  // One rep: cold (new system prompt), warm (same system prompt, other text), prewarm of another new
  // system prompt (its prefill rate), then a rewrite with that one (time to first token after prewarm).
  const rep = async (side, i) => {
    const run = side === 'ours'
      ? { rewrite: (s, u, n) => oursRewrite(ours, s, u, n), prewarm: (s) => oursPrewarm(ours, s) }
      : { rewrite: (s, u, n) => rawRewrite(raw, s, u, n), prewarm: (s) => rawPrewarm(raw, s) };
    const sysA = withNonce(system, `${side}-${i}-a`);
    const sysB = withNonce(system, `${side}-${i}-b`);
    const u = (k) => userMessage(USER_TEXTS[(i * 3 + k) % USER_TEXTS.length]);
    const cold = await run.rewrite(sysA, u(0), TTFT_MAX_TOKENS);
    const warm = await run.rewrite(sysA, u(1), opts.maxTokens);
    const pre = await run.prewarm(sysB);
    const after = await run.rewrite(sysB, u(2), TTFT_MAX_TOKENS);
    rows.cold[side].push(cold.ttft);
    rows.warm[side].push(warm.ttft);
    rows.prewarmed[side].push(after.ttft);
    rows.prefill[side].push(pre.tokens / (pre.ms / 1000));
    rows.decode[side].push(warm.decodeTps);
    extra.loadAvg1m.push(+os.loadavg()[0].toFixed(2));
    if (side === 'ours') extra.engine.push({ cold: cold.engine, warm: warm.engine, after: after.engine, prewarm: pre });
    log(`${m.preset} ${side} #${i + 1} (load ${os.loadavg()[0].toFixed(1)}): ttft cold ${cold.ttft.toFixed(0)} warm ${warm.ttft.toFixed(0)} prewarmed ${after.ttft.toFixed(0)} ms; `
      + `decode ${warm.decodeTps.toFixed(1)} tok/s (${warm.outputTokens} tokens); prefill ${(pre.tokens / (pre.ms / 1000)).toFixed(0)} tok/s (${pre.tokens} tokens)`
      + (cold.engine ? `; engine reused/prompt tokens: cold ${cold.engine.reused}/${cold.engine.promptTokens}, warm ${warm.engine.reused}/${warm.engine.promptTokens}, prewarmed ${after.engine.reused}/${after.engine.promptTokens}` : ''));
  };
  let reps = 0;
  for (let i = 0; i < opts.reps; i++) {
    const t0 = T();
    if (i % 2 === 0) { await rep('ours', i); await rep('raw', i); } else { await rep('raw', i); await rep('ours', i); }
    reps++;
    // Another rep pair, plus the extra decode samples for every rep (roughly a third of a pair each), must fit.
    const pair = T() - t0;
    if (reps >= 3 && reps < opts.reps && T() + pair + 0.3 * pair * (reps + 1) > deadline) {
      log(`${m.preset}: stopping at ${reps} reps to stay within --budget-s ${opts.budgetS}`);
      break;
    }
  }
  // Decode speed swings most with other load on a shared machine, so it gets as many extra samples
  // again: warm rewrites (the system prompt is cached on both sides), back to back, alternating.
  const decodeSystem = { ours: withNonce(system, 'ours-decode'), raw: withNonce(system, 'raw-decode') };
  await oursPrewarm(ours, decodeSystem.ours);
  await rawPrewarm(raw, decodeSystem.raw);
  for (let i = 0; i < reps; i++) {
    const decodeOnce = async (side) => {
      const u = userMessage(USER_TEXTS[(i + 4) % USER_TEXTS.length]);
      const r = side === 'ours' ? await oursRewrite(ours, decodeSystem.ours, u, opts.maxTokens) : await rawRewrite(raw, decodeSystem.raw, u, opts.maxTokens);
      rows.decode[side].push(r.decodeTps);
    };
    if (i % 2 === 0) { await decodeOnce('ours'); await decodeOnce('raw'); } else { await decodeOnce('raw'); await decodeOnce('ours'); }
  }
  log(`${m.preset} decode tok/s: ours ${rows.decode.ours.map((x) => x.toFixed(1)).join(', ')}; raw ${rows.decode.raw.map((x) => x.toFixed(1)).join(', ')}`);
  if (pid) { extra.vmhwmKb.push(vmKb(pid, 'VmHWM')); extra.vmrssKb.push(vmKb(pid, 'VmRSS')); }
  await ours.client.dispose();
  await rawDispose(raw);
  return { model: { preset: m.preset, file: path.relative(root, m.file), bytes: m.bytes, shape: m.shape }, reps, systemTokens, threads: info.threads, contextSize: info.contextSize, rows, extra };
}

function machine() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8');
  const modelName = (cpu.match(/^model name\s*:\s*(.+)$/m) ?? [])[1] ?? os.cpus()[0]?.model ?? 'unknown';
  let nlcVersion = 'unknown';
  try { nlcVersion = JSON.parse(readFileSync(path.join(root, 'node_modules', 'node-llama-cpp', 'package.json'), 'utf8')).version; } catch { /* keep unknown */ }
  return {
    date: new Date().toISOString(), cpuModel: modelName.trim(), cores: os.cpus().length,
    ramGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version, nodeLlamaCpp: nlcVersion,
    loadAvgAtStart: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

// ------------------------------------------------------------------------------------------ reporting
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
function table(results, ext, setup) {
  const lines = [];
  lines.push(`| model | metric | ours (median) | raw node-llama-cpp (median) | ours/raw (median of paired ratios) |`);
  lines.push(`|---|---|---:|---:|---:|`);
  for (const r of results) {
    const name = `${r.model.preset} (${(r.model.bytes / 1e6).toFixed(0)} MB, ${r.systemTokens}-token system prompt${r.reps ? `, ${r.reps} reps` : ''})`;
    // The ratio is the median of per-rep ratios: ours and raw of one rep ran back to back, so a load
    // swing on the shared machine mostly cancels within a pair.
    const row = (label, k, digits, unit) => {
      const a = median(r.rows[k].ours), b = median(r.rows[k].raw);
      const paired = median((r.rows[k].ours ?? []).map((x, i) => x / r.rows[k].raw[i]));
      lines.push(`| ${name} | ${label} | ${fmt(a, digits)}${unit} | ${fmt(b, digits)}${unit} | ${fmt(paired, 2)} |`);
    };
    row('start + model load, fresh process (fork … context ready)', 'start', 0, ' ms');
    row('model load + context, llama.cpp already up', 'load', 0, ' ms');
    row('TTFT cold', 'cold', 0, ' ms');
    row('TTFT warm (same system prompt, new text)', 'warm', 0, ' ms');
    row('TTFT after prewarm', 'prewarmed', 0, ' ms');
    const wc = (side) => median(r.rows.warm[side]) / median(r.rows.cold[side]);
    lines.push(`| ${name} | warm/cold | ${fmt(wc('ours'), 3)} | ${fmt(wc('raw'), 3)} | |`);
    const pc = (side) => median(r.rows.prewarmed[side]) / median(r.rows.cold[side]);
    lines.push(`| ${name} | after-prewarm/cold | ${fmt(pc('ours'), 3)} | ${fmt(pc('raw'), 3)} | |`);
    row('decode', 'decode', 1, ' tok/s');
    row('prefill (system prompt)', 'prefill', 0, ' tok/s');
    lines.push(`| ${name} | new LlamaChatSession with chatWrapper 'auto' (per request, if not resolved once) | | ${fmt(median(r.extra.autoWrapperMs), 0)} ms | |`);
    lines.push(`| ${name} | engine process peak memory (VmHWM) | ${fmt(median(r.extra.vmhwmKb) / 1024, 0)} MiB | | |`);
  }
  lines.push(`| — | extension import (dist/extension.js, vscode stubbed) | ${fmt(median(ext.ms), 1)} ms | | |`);
  lines.push(`| — | getLlama in the bench process (once) | | ${fmt(setup.getLlamaMs, 0)} ms | |`);
  return lines.join('\n');
}

async function main() {
  const mach = machine();
  log(`machine: ${mach.cores} cores, ${mach.cpuModel}, ${mach.ramGiB} GiB; load ${mach.loadAvgAtStart.join(' ')}; node ${mach.node}, node-llama-cpp ${mach.nodeLlamaCpp}`);
  log(`threads ${opts.threads} (ours and raw), temperature 0, maxTokens ${opts.maxTokens} (${TTFT_MAX_TOKENS} for TTFT-only rewrites), context ${CONTEXT_SIZE}, ${opts.reps} reps`);
  const models = [];
  for (const p of opts.models) models.push(await ensureModel(p));
  const prompt = await rubricSystemPrompt();
  log(`system prompt: ${prompt.source}, ${prompt.text.length} chars`);
  const setup = { getLlamaMs: await rawSetup() };

  const ext = { ms: [] };
  if (existsSync(path.join(root, 'dist', 'extension.js'))) {
    for (let i = 0; i < opts.reps; i++) ext.ms.push(extensionImportMs().ms);
    log(`extension import: ${ext.ms.map((x) => x.toFixed(0)).join(', ')} ms`);
  } else log('dist/extension.js is missing: no extension import measurement');

  const results = [];
  // The time left is shared by compute cost: the ~100M model costs about three times the ~25M one.
  const weight = (m) => Math.max(1, (m.bytes / 56e6) ** 0.8);
  for (const [k, m] of models.entries()) {
    const left = benchStart + opts.budgetS * 1000 - T();
    const share = weight(m) / models.slice(k).reduce((a, x) => a + weight(x), 0);
    results.push(await benchModel(m, prompt, T() + left * share));
  }

  const out = {
    machine: mach, options: { ...opts, contextSize: CONTEXT_SIZE, ttftMaxTokens: TTFT_MAX_TOKENS }, prompt: { source: prompt.source, chars: prompt.text.length }, setup,
    extensionImportMs: ext.ms, results, totalSeconds: (T() - benchStart) / 1000, loadAvgAtEnd: os.loadavg().map((x) => +x.toFixed(2)),
  };
  mkdirSync(path.dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(out, null, 1));
  printReport(out);
  console.log(`\nall samples: ${path.relative(root, opts.out)}`);
}

function printReport(out) {
  const { machine: mach, options: o, prompt, setup, results } = out;
  console.log(`\nCPT Writer bench — ${mach.date}`);
  console.log(`${mach.cores} cores (${mach.cpuModel}), ${mach.ramGiB} GiB RAM, Node ${mach.node}, node-llama-cpp ${mach.nodeLlamaCpp}; load average at start ${mach.loadAvgAtStart.join(' ')}${out.loadAvgAtEnd ? `, at end ${out.loadAvgAtEnd.join(' ')}` : ''}`);
  console.log(`threads ${o.threads} for ours and raw, temperature 0, maxTokens ${o.maxTokens} (decode; ${o.ttftMaxTokens ?? o.maxTokens} for cold/prewarmed TTFT rewrites), context ${o.contextSize}; medians of up to ${o.reps} alternated reps (load: ${Math.min(o.reps, 3)}; decode: twice the reps); system prompt: ${prompt.source}\n`);
  console.log(table(results, { ms: out.extensionImportMs }, setup));
  console.log(`\ntotal ${out.totalSeconds.toFixed(0)} s`);
}

const job = opts.report ? Promise.resolve().then(() => printReport(JSON.parse(readFileSync(opts.report, 'utf8')))) : main();
job.then(() => process.exit(0), (err) => {
  console.error(`bench failed: ${err?.stack ?? err}`);
  process.exit(1);
});
