#!/usr/bin/env node
'use strict';
// Prefill and decode speed of our engine on the CPU and on the GPU, side by side, for BENCHMARKS.md.
// Runs the real path: EngineClient (bundled by scripts/gpu-pack.sh as dist/engine-client.js) forks the
// engine process, which loads node-llama-cpp. With --direct it also measures node-llama-cpp on its own
// (one child process per backend: two llama addons must not share a process), so a GPU number exists
// even if the engine misbehaves, and the engine's overhead is visible.
//
//   node scripts/gpu-measure.cjs --app DIR --model FILE [--modes off,vulkan,auto] [--threads N]
//        [--prefill 1000] [--decode 128] [--context 2048] [--direct] [--json FILE] [--deadline-s 300]
//
// DIR holds dist/engine-client.js, dist/engine-process.js and node_modules/node-llama-cpp.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');

function parseArgs(argv) {
  const a = {
    modes: ['off', 'vulkan', 'auto'],
    threads: os.availableParallelism(),
    prefill: 1000,
    decode: 128,
    context: 2048,
    direct: false,
    json: '',
    deadlineS: 300,
    app: '',
    model: '',
    child: '',
    probe: '',
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) fail(`${k} needs a value`);
      return argv[++i];
    };
    const n = () => {
      const x = Number(v());
      if (!Number.isFinite(x) || x < 0) fail(`${k} needs a number`);
      return x;
    };
    switch (k) {
      case '--app':
        a.app = path.resolve(v());
        break;
      case '--model':
        a.model = path.resolve(v());
        break;
      case '--modes':
        a.modes = v().split(',').filter(Boolean);
        break;
      case '--threads':
        a.threads = n();
        break;
      case '--prefill':
        a.prefill = n();
        break;
      case '--decode':
        a.decode = n();
        break;
      case '--context':
        a.context = n();
        break;
      case '--direct':
        a.direct = true;
        break;
      case '--json':
        a.json = path.resolve(v());
        break;
      case '--deadline-s':
        a.deadlineS = n();
        break;
      case '--child-direct':
        a.child = v();
        break;
      case '--probe':
        a.probe = v();
        break;
      default:
        fail(`unknown argument '${k}'`);
    }
  }
  if (!a.app || (!a.model && !a.probe)) fail('--app and --model are required');
  for (const m of a.modes) if (!['off', 'auto', 'vulkan', 'cuda', 'metal'].includes(m)) fail(`unknown mode '${m}'`);
  if (a.model && !fs.existsSync(a.model)) fail(`model not found: ${a.model}`);
  return a;
}
function fail(msg) {
  console.error(`gpu-measure: ${msg}`);
  process.exit(2);
}

// Distinct, deterministic prose per seed: prompts with different seeds share no KV prefix.
const WORDS = (
  'the a of to and in is that for it as with was on be by this are or from at which an have not ' +
  'style level formal tone reader writer sentence clear concise plain active voice passive word choice paragraph ' +
  'rubric criterion weight score register audience context example rewrite keep meaning length structure ' +
  'verb noun adjective adverb clause phrase technical precise vague short long simple complex polite direct ' +
  'warm neutral brief detailed summary argument evidence claim source citation heading list code comment ' +
  'markdown latex document section emphasis rhythm cadence jargon idiom contraction hedge qualifier'
).split(' ');
function prose(seed, chars) {
  let s = (seed * 2654435761) >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const out = [];
  let len = 0;
  while (len < chars) {
    const n = 6 + Math.floor(rnd() * 14);
    const words = [];
    for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(rnd() * WORDS.length)]);
    const sentence = words.join(' ');
    out.push(sentence[0].toUpperCase() + sentence.slice(1) + '.');
    len += sentence.length + 2;
  }
  return out.join(' ');
}
const USER =
  'Rewrite the following text in the requested style: The meeting moved to Thursday because two ' +
  'reviewers were away, and the draft still needs a clearer summary before it goes out.';

const r1 = (x) => (x == null || !Number.isFinite(x) ? null : Math.round(x * 10) / 10);
const mib = (b) => (b == null ? null : Math.round(b / 1048576));
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function measureEngine(a, mode) {
  const { EngineClient } = require(path.join(a.app, 'dist', 'engine-client.js'));
  const client = new EngineClient({
    gpu: mode,
    gpuLayers: 'auto',
    threads: a.threads,
    contextSize: a.context,
    processEntry: path.join(a.app, 'dist', 'engine-process.js'),
    execPath: process.execPath,
  });
  const row = { run: `engine gpu=${mode}`, mode };
  try {
    let t0 = process.hrtime.bigint();
    await client.load(a.model);
    row.loadS = r1(ms(t0) / 1000);
    const info = await client.info();
    Object.assign(row, {
      backend: info.backend,
      gpuLayers: info.gpuLayers,
      totalLayers: info.totalLayers,
      vramUsedMiB: mib(info.vram?.usedBytes),
      vramTotalMiB: mib(info.vram?.totalBytes),
      threads: info.threads,
      contextSize: info.contextSize,
      gpuFallback: info.gpuFallback,
    });
    // Warm-up (first-use kernels/pipelines) that also tells how many characters make a token here.
    const warmChars = Math.max(400, Math.round(a.prefill * 1.5));
    const warm = await client.prewarm(prose(1000, warmChars));
    const chars = Math.round((warmChars * a.prefill) / Math.max(1, warm.tokens));
    const prefills = [];
    let system = '';
    for (const seed of [1, 2]) {
      system = prose(seed, chars);
      const p = await client.prewarm(system);
      prefills.push({ tokens: p.tokens, ms: p.ms, tps: p.tokens / (p.ms / 1000) });
    }
    const best = prefills.reduce((x, y) => (y.tps > x.tps ? y : x));
    Object.assign(row, {
      prefillTokens: best.tokens,
      prefillMs: r1(best.ms),
      prefillTps: r1(best.tps),
      prefillRuns: prefills.map((p) => r1(p.tps)),
    });
    // Decode after the system prompt above is cached: the rewrite only evaluates the user turn first.
    t0 = process.hrtime.bigint();
    const res = await client.generate({ system, user: USER, maxTokens: a.decode, temperature: 0, seed: 1 });
    const decodeMs = res.totalMs - res.timeToFirstTokenMs;
    Object.assign(row, {
      outputTokens: res.outputTokens,
      stopReason: res.stopReason,
      promptTokens: res.promptTokens,
      reusedPromptTokens: res.reusedPromptTokens,
      ttftMs: r1(res.timeToFirstTokenMs),
      decodeTps: res.outputTokens > 1 ? r1((res.outputTokens - 1) / (decodeMs / 1000)) : null,
      engineTps: r1(res.tokensPerSecond),
      rewriteWallMs: r1(ms(t0)),
    });
  } catch (err) {
    row.error = String(err && err.stack ? err.stack.split('\n').slice(0, 3).join(' | ') : err);
  } finally {
    await client.dispose().catch(() => {});
  }
  return row;
}

// One backend, node-llama-cpp only; runs in its own child process (see the header).
async function directChild(a, mode) {
  const nlc = await importNlc(a);
  const row = { run: `node-llama-cpp gpu=${mode}`, mode };
  let t0 = process.hrtime.bigint();
  const llama = await nlc.getLlama({
    gpu: mode === 'off' ? false : mode,
    build: 'never',
    maxThreads: a.threads,
    logLevel: nlc.LlamaLogLevel.warn,
  });
  row.getLlamaS = r1(ms(t0) / 1000);
  row.backend = llama.gpu === false ? 'cpu' : llama.gpu;
  row.devices = await llama.getGpuDeviceNames().catch(() => []);
  t0 = process.hrtime.bigint();
  const model = await llama.loadModel({ modelPath: a.model, gpuLayers: llama.gpu === false ? 0 : 'max' });
  row.loadS = r1(ms(t0) / 1000);
  row.gpuLayers = model.gpuLayers;
  row.totalLayers = model.fileInsights.totalLayers;
  const ctx = await model.createContext({ contextSize: a.context, threads: a.threads });
  const seq = ctx.getSequence();
  const tok = (text) => [model.tokens.bos, ...model.tokenize(text)];
  const warmChars = Math.max(400, Math.round(a.prefill * 1.5));
  const warmTokens = tok(prose(1000, warmChars));
  await seq.evaluateWithoutGeneratingNewTokens(warmTokens);
  const chars = Math.round((warmChars * a.prefill) / warmTokens.length);
  const prefills = [];
  for (const seed of [1, 2]) {
    await seq.clearHistory();
    const tokens = tok(prose(seed, chars));
    t0 = process.hrtime.bigint();
    await seq.evaluateWithoutGeneratingNewTokens(tokens);
    const t = ms(t0);
    prefills.push({ tokens: tokens.length, ms: t, tps: tokens.length / (t / 1000) });
  }
  const best = prefills.reduce((x, y) => (y.tps > x.tps ? y : x));
  Object.assign(row, {
    prefillTokens: best.tokens,
    prefillMs: r1(best.ms),
    prefillTps: r1(best.tps),
    prefillRuns: prefills.map((p) => r1(p.tps)),
  });
  let n = 0;
  let tFirst = null;
  t0 = process.hrtime.bigint();
  for await (const token of seq.evaluate(model.tokenize(USER), { temperature: 0 })) {
    void token;
    if (n === 0) tFirst = process.hrtime.bigint();
    if (++n >= a.decode) break;
  }
  row.ttftMs = r1(Number(tFirst - t0) / 1e6);
  row.outputTokens = n;
  row.decodeTps = n > 1 ? r1((n - 1) / (ms(tFirst) / 1000)) : null;
  const vram = await llama.getVramState();
  row.vramUsedMiB = mib(vram.used);
  row.vramTotalMiB = mib(vram.total);
  await ctx.dispose();
  await model.dispose();
  await llama.dispose();
  return row;
}

function measureDirect(a, mode, deadline) {
  return new Promise((resolve) => {
    const args = [
      __filename,
      '--child-direct',
      mode,
      '--app',
      a.app,
      '--model',
      a.model,
      '--threads',
      String(a.threads),
      '--prefill',
      String(a.prefill),
      '--decode',
      String(a.decode),
      '--context',
      String(a.context),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(1000, deadline - Date.now()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() || '';
      try {
        resolve(JSON.parse(line));
      } catch {
        resolve({
          run: `node-llama-cpp gpu=${mode}`,
          mode,
          error: `child exited ${signal || code}: ${out.trim().slice(-300)}`,
        });
      }
    });
  });
}

function table(rows) {
  const cols = [
    ['run', 'run'],
    ['backend', 'backend'],
    ['layers', (r) => (r.gpuLayers == null ? '' : `${r.gpuLayers}/${r.totalLayers}`)],
    ['VRAM used MiB', (r) => (r.vramUsedMiB == null ? '' : `${r.vramUsedMiB}/${r.vramTotalMiB}`)],
    ['prefill tok/s', (r) => (r.prefillTps == null ? '' : `${r.prefillTps} (${r.prefillTokens} tok)`)],
    ['decode tok/s', (r) => (r.decodeTps == null ? '' : `${r.decodeTps} (${r.outputTokens} tok)`)],
    ['TTFT ms', 'ttftMs'],
    ['load s', 'loadS'],
    ['note', (r) => r.error || r.gpuFallback || ''],
  ];
  const cell = (r, c) => {
    const v = typeof c[1] === 'function' ? c[1](r) : r[c[1]];
    return v == null ? '' : String(v);
  };
  const lines = [`| ${cols.map((c) => c[0]).join(' | ')} |`, `|${cols.map(() => ' --- ').join('|')}|`];
  for (const r of rows) lines.push(`| ${cols.map((c) => cell(r, c).replace(/\|/g, '/')).join(' | ')} |`);
  return lines.join('\n');
}

function speedups(rows) {
  const out = [];
  for (const kind of ['engine', 'node-llama-cpp']) {
    const mine = rows.filter((r) => r.run.startsWith(kind) && !r.error);
    const cpu = mine.find((r) => r.backend === 'cpu' && r.mode === 'off');
    for (const g of mine.filter((r) => r.backend && r.backend !== 'cpu')) {
      if (!cpu) continue;
      const x = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : 'n/a');
      out.push(
        `${g.run} vs ${cpu.run}: prefill ${x(g.prefillTps, cpu.prefillTps)}, decode ${x(g.decodeTps, cpu.decodeTps)}`,
      );
    }
  }
  return out;
}

async function importNlc(a) {
  const pj = require(path.join(a.app, 'node_modules', 'node-llama-cpp', 'package.json'));
  return import(pathToFileURL(path.join(a.app, 'node_modules', 'node-llama-cpp', pj.exports['.'].import)).href);
}

// Which backend node-llama-cpp gets for a mode, the devices and VRAM it sees: the first thing to read
// when the GPU rows fall back to the CPU.
async function probe(a, mode) {
  const nlc = await importNlc(a);
  const t0 = process.hrtime.bigint();
  try {
    // getLlamaForOptions is getLlama's body; its pipeBinaryTestErrorLogs shows why a binary test failed.
    const internal = await import(
      pathToFileURL(path.join(a.app, 'node_modules', 'node-llama-cpp', 'dist', 'bindings', 'getLlama.js')).href
    ).catch(() => null);
    const options = { gpu: mode === 'off' ? false : mode, build: 'never', logLevel: nlc.LlamaLogLevel.warn };
    const llama =
      internal && internal.getLlamaForOptions
        ? await internal.getLlamaForOptions(options, { pipeBinaryTestErrorLogs: true })
        : await nlc.getLlama(options);
    const vram = await llama.getVramState();
    console.log(
      `probe gpu=${mode}: backend ${llama.gpu === false ? 'cpu' : llama.gpu}, devices ${JSON.stringify(await llama.getGpuDeviceNames())}, ` +
        `VRAM ${mib(vram.used)}/${mib(vram.total)} MiB used, ${r1(ms(t0))} ms`,
    );
    await llama.dispose();
    return 0;
  } catch (err) {
    console.log(`probe gpu=${mode}: FAILED after ${r1(ms(t0))} ms: ${(err && err.stack) || err}`);
    return 1;
  }
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (a.probe) process.exit(await probe(a, a.probe));
  if (a.child) {
    try {
      process.stdout.write(JSON.stringify(await directChild(a, a.child)) + '\n');
    } catch (err) {
      process.stdout.write(
        JSON.stringify({
          run: `node-llama-cpp gpu=${a.child}`,
          mode: a.child,
          error: String((err && err.message) || err),
        }) + '\n',
      );
    }
    process.exit(0);
  }
  const deadline = Date.now() + a.deadlineS * 1000;
  const rows = [];
  const report = () => {
    console.log(
      `\n## gpu-measure: model ${path.basename(a.model)} (${mib(fs.statSync(a.model).size)} MiB), ` +
        `threads ${a.threads}, context ${a.context}, prefill ≈${a.prefill} tok (best of 2), decode ${a.decode} tok, temperature 0\n`,
    );
    console.log(table(rows));
    for (const s of speedups(rows)) console.log(`speedup: ${s}`);
    if (a.json)
      fs.writeFileSync(
        a.json,
        JSON.stringify(
          {
            date: new Date().toISOString(),
            host: os.hostname(),
            cpu: os.cpus()[0]?.model,
            cores: os.availableParallelism(),
            args: { ...a, child: undefined },
            rows,
          },
          null,
          2,
        ),
      );
  };
  // A hang must not eat the device time: report what there is and leave.
  const watchdog = setTimeout(() => {
    rows.push({ run: 'deadline', error: `stopped after ${a.deadlineS} s` });
    report();
    process.exit(3);
  }, a.deadlineS * 1000);
  // GPU modes first: a Vulkan failure shows early, and if the deadline cuts the run short, the rows lost
  // are the slow CPU repeats.
  const gpuFirst = [...a.modes].sort((x, y) => (x === 'off') - (y === 'off'));
  const plan = gpuFirst.map((m) => ['engine', m]);
  if (a.direct) for (const m of gpuFirst.filter((x) => x !== 'auto')) plan.push(['direct', m]);
  for (const [kind, mode] of plan) {
    const t0 = Date.now();
    const row = kind === 'engine' ? await measureEngine(a, mode) : await measureDirect(a, mode, deadline);
    row.wallS = r1((Date.now() - t0) / 1000);
    rows.push(row);
    console.log(`gpu-measure: ${JSON.stringify(row)}`);
  }
  clearTimeout(watchdog);
  report();
  const failed = rows.filter((r) => r.error);
  process.exit(failed.length === rows.length ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
