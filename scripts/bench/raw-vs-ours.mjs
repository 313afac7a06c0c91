// The ours/raw rows: our engine against node-llama-cpp called directly in this process (same model, threads,
// context size, prompts, temperature 0 and maxTokens), alternating which goes first: load, time to first token
// cold / warm / after prewarm, decode and prefill rates, the first rewrite after a restart with and without the
// prompt cache, and memory.
import { fork } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CONTEXT_SIZE,
  NOT_IN_BUILD,
  T,
  TTFT_MAX_TOKENS,
  USER_TEXTS,
  fmt,
  log,
  median,
  opts,
  root,
  withNonce,
} from './common.mjs';
import { decodeRate, enginePid, oursLoad, oursPrewarm, oursRewrite, vmKb } from './engine.mjs';

// ----------------------------------------------------------------------------------------- raw side
let nlc;
let rawLlama;
export async function rawSetup() {
  nlc = await import('node-llama-cpp');
  const t0 = T();
  rawLlama = await nlc.getLlama({ build: 'never', gpu: false, maxThreads: opts.threads, logLevel: 'warn' });
  return T() - t0;
}

// What an app that runs node-llama-cpp in its own child process pays from fork to a loaded model.
const RAW_START_SCRIPT = `
const t0 = performance.now();
const { getLlama, resolveChatWrapper } = await import('node-llama-cpp');
const llama = await getLlama({
  build: 'never', gpu: false, maxThreads: Number(process.env.BENCH_THREADS), logLevel: 'warn'
});
const model = await llama.loadModel({ modelPath: process.env.BENCH_MODEL, gpuLayers: 0 });
const context = await model.createContext({
  contextSize: Number(process.env.BENCH_CONTEXT), sequences: 1, threads: Number(process.env.BENCH_THREADS)
});
const chatWrapper = resolveChatWrapper(model);
process.send({ ready: true, inChildMs: performance.now() - t0 }, () => process.exit(0));
`;
async function rawFreshStart(modelPath) {
  const script = path.join(root, '.cache', 'bench', 'raw-start.mjs'); // inside the project, so node-llama-cpp resolves
  writeFileSync(script, RAW_START_SCRIPT);
  const t0 = T();
  const child = fork(script, [], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      ...process.env,
      BENCH_MODEL: modelPath,
      BENCH_THREADS: String(opts.threads),
      BENCH_CONTEXT: String(CONTEXT_SIZE),
    },
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
  let first,
    last,
    tokens = 0;
  const t0 = T();
  const session = new nlc.LlamaChatSession({
    contextSequence: r.sequence,
    systemPrompt: system,
    chatWrapper: r.chatWrapper,
  });
  const text = await session.prompt(user, {
    maxTokens,
    temperature: 0,
    onTextChunk: () => {
      const t = T();
      first ??= t;
      last = t;
    },
    onToken: (ts) => {
      tokens += ts.length;
    },
  });
  const end = T();
  session.dispose({ disposeSequence: false });
  return { ttft: first - t0, decodeTps: decodeRate(tokens, first, last ?? end, end), outputTokens: tokens, text };
}

const commonPrefix = (a, b) => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

/**
 * The tokens the engine's prewarm evaluates for a system prompt and the user message's fixed start, by
 * the same rule: the chat wrapper's rendering of two prompts that differ only after `userPrefix`, up to
 * where they first differ. BOS and the chat template's headers included.
 */
function rawPrefixTokens(r, system, userPrefix) {
  const render = (user) =>
    r.chatWrapper
      .generateContextState({
        chatHistory: [
          { type: 'system', text: system },
          { type: 'user', text: user },
          { type: 'model', response: [] },
        ],
      })
      .contextText.tokenize(r.model.tokenizer);
  const a = render(`${userPrefix}a`),
    b = render(`${userPrefix}b`);
  return a.slice(0, commonPrefix(a, b));
}

/** Evaluates those tokens on the sequence, keeping what already matches (as LlamaChat itself does). */
async function rawPrewarm(r, system, userPrefix) {
  const t0 = T();
  const tokens = rawPrefixTokens(r, system, userPrefix);
  const seq = r.sequence;
  const keep = commonPrefix(seq.contextTokens, tokens);
  if (keep < seq.nextTokenIndex) await seq.eraseContextTokenRanges([{ start: keep, end: seq.nextTokenIndex }]);
  await seq.evaluateWithoutGeneratingNewTokens(tokens.slice(keep));
  return { tokens: tokens.length, ms: T() - t0 };
}

async function rawDispose(r) {
  await r.context.dispose();
  await r.model.dispose();
}
export async function benchModel(m, prompt, deadline) {
  const rows = {
    start: { ours: [], raw: [] },
    load: { ours: [], raw: [] },
    cold: { ours: [], raw: [] },
    warm: { ours: [], raw: [] },
    prewarmed: { ours: [], raw: [] },
    decode: { ours: [], raw: [] },
    prefill: { ours: [], raw: [] },
  };
  const extra = { engine: [], vmhwmKb: [], vmrssKb: [], autoWrapperMs: [], loadAvg1m: [] };
  const restart = {
    cacheSupported: false,
    unloadSupported: false,
    withCache: [],
    withCachePrewarmed: [],
    prewarmRestoreMs: [],
    withoutCache: [],
    restoredTokens: [],
    rssLoadedKb: [],
    rssUnloadedKb: [],
  };

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
      if (last) ours = o;
      else await o.client.dispose();
    };
    const doRaw = async () => {
      rows.start.raw.push(await rawFreshStart(m.file));
      if (raw) await rawDispose(raw);
      const r = await rawLoad(m.file);
      rows.load.raw.push(r.ms);
      raw = r;
    };
    if (i % 2 === 0) {
      await doOurs();
      await doRaw();
    } else {
      await doRaw();
      await doOurs();
    }
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
  const systemTokens = raw.model.tokenize(prompt.system).length;
  const prefixTokens = rawPrefixTokens(raw, prompt.system, prompt.userPrefix).length;
  const userTokens = raw.model.tokenize(prompt.user(USER_TEXTS[0])).length;
  log(
    `${m.preset}: engine pid ${pid}, ${info.threads} thread(s), context ${info.contextSize}; ` +
      `system prompt ${systemTokens} tokens, prewarmed prefix ${prefixTokens}, a user message ~${userTokens}`,
  );

  // One rep: cold (new system prompt), warm (same style, other text), prewarm of another new system
  // prompt with the instruction prefix, as the extension does on choosing a style (its prefill rate),
  // then a rewrite with that one (time to first token after prewarm).
  const rep = async (side, i) => {
    const run =
      side === 'ours'
        ? {
            rewrite: (s, u, n) => oursRewrite(ours, s, u, n, prompt.userPrefix),
            prewarm: (s) => oursPrewarm(ours, s, prompt.userPrefix),
          }
        : { rewrite: (s, u, n) => rawRewrite(raw, s, u, n), prewarm: (s) => rawPrewarm(raw, s, prompt.userPrefix) };
    const sysA = withNonce(prompt.system, `${side}-${i}-a`);
    const sysB = withNonce(prompt.system, `${side}-${i}-b`);
    const u = (k) => prompt.user(USER_TEXTS[(i * 3 + k) % USER_TEXTS.length]);
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
    log(
      `${m.preset} ${side} #${i + 1} (load ${os.loadavg()[0].toFixed(1)}): ` +
        `ttft cold ${cold.ttft.toFixed(0)} warm ${warm.ttft.toFixed(0)} prewarmed ${after.ttft.toFixed(0)} ms; ` +
        `decode ${warm.decodeTps.toFixed(1)} tok/s (${warm.outputTokens} tokens); ` +
        `prefill ${(pre.tokens / (pre.ms / 1000)).toFixed(0)} tok/s (${pre.tokens} tokens)` +
        (cold.engine
          ? `; engine reused/prompt tokens: cold ${cold.engine.reused}/${cold.engine.promptTokens}, ` +
            `warm ${warm.engine.reused}/${warm.engine.promptTokens}, ` +
            `prewarmed ${after.engine.reused}/${after.engine.promptTokens}`
          : ''),
    );
  };
  let reps = 0;
  for (let i = 0; i < opts.reps; i++) {
    const t0 = T();
    if (i % 2 === 0) {
      await rep('ours', i);
      await rep('raw', i);
    } else {
      await rep('raw', i);
      await rep('ours', i);
    }
    reps++;
    // Another rep pair, plus the extra decode samples for every rep (roughly a third of a pair each), must fit.
    const pair = T() - t0;
    // The restart rows after the reps cost about another pair each (fresh processes, cold evaluations).
    if (reps >= 3 && reps < opts.reps && T() + pair + 0.3 * pair * (reps + 1) + 2 * pair > deadline) {
      log(`${m.preset}: stopping at ${reps} reps to stay within --budget-s ${opts.budgetS}`);
      break;
    }
  }
  // Decode speed swings most with other load on a shared machine, so it gets as many extra samples
  // again: warm rewrites (the system prompt is cached on both sides), back to back, alternating.
  const decodeSystem = { ours: withNonce(prompt.system, 'ours-decode'), raw: withNonce(prompt.system, 'raw-decode') };
  await oursPrewarm(ours, decodeSystem.ours, prompt.userPrefix);
  await rawPrewarm(raw, decodeSystem.raw, prompt.userPrefix);
  for (let i = 0; i < reps; i++) {
    const decodeOnce = async (side) => {
      const u = prompt.user(USER_TEXTS[(i + 4) % USER_TEXTS.length]);
      const r =
        side === 'ours'
          ? await oursRewrite(ours, decodeSystem.ours, u, opts.maxTokens, prompt.userPrefix)
          : await rawRewrite(raw, decodeSystem.raw, u, opts.maxTokens);
      rows.decode[side].push(r.decodeTps);
    };
    if (i % 2 === 0) {
      await decodeOnce('ours');
      await decodeOnce('raw');
    } else {
      await decodeOnce('raw');
      await decodeOnce('ours');
    }
  }
  log(
    `${m.preset} decode tok/s: ours ${rows.decode.ours.map((x) => x.toFixed(1)).join(', ')}; ` +
      `raw ${rows.decode.raw.map((x) => x.toFixed(1)).join(', ')}`,
  );
  if (pid) {
    extra.vmhwmKb.push(vmKb(pid, 'VmHWM'));
    extra.vmrssKb.push(vmKb(pid, 'VmRSS'));
  }
  await ours.client.dispose();
  await rawDispose(raw);
  await benchRestart(m, prompt, restart, deadline);
  return {
    model: { preset: m.preset, file: path.relative(root, m.file), bytes: m.bytes, shape: m.shape },
    reps,
    systemTokens,
    prefixTokens,
    userTokens,
    threads: info.threads,
    contextSize: info.contextSize,
    rows,
    extra,
    restart,
  };
}

/**
 * The first rewrite after a restart: a fresh engine process (as after an editor restart or a crash)
 * loads the model and rewrites in a style an earlier process used. With the persistent prompt cache on,
 * the earlier process saved the evaluated prefix and this one restores it; with it off, this one
 * evaluates everything. Then the memory of that process once the model is unloaded. Each part runs only
 * when the engine has it: EngineClient's promptCache option (the engine reports the cache in info()) and
 * unload(). With the cache on it is measured twice: a rewrite straight after the load, and the editor's
 * path, where the model becoming ready prewarms the current style (restoring the prefix) before the
 * writer's first rewrite.
 */
async function benchRestart(m, prompt, out, deadline) {
  const cacheDir = path.join(root, '.cache', 'bench', `prompt-cache-${process.pid}`);
  rmSync(cacheDir, { recursive: true, force: true });
  const cacheOn = { promptCache: { enabled: true, directory: cacheDir } };
  const cacheOff = { promptCache: { enabled: false } };
  try {
    const probe = await oursLoad(m.file, cacheOn);
    out.cacheSupported = !!(await probe.client.info()).promptCache;
    out.unloadSupported = typeof probe.client.unload === 'function';
    await probe.client.dispose();
    const reps = Math.min(2, opts.reps);
    for (let i = 0; i < reps; i++) {
      const t0 = T();
      const system = withNonce(prompt.system, `restart-${i}`);
      const u = prompt.user(USER_TEXTS[(i + 2) % USER_TEXTS.length]);
      if (out.cacheSupported) {
        // The earlier session: chooses the style (prewarm), rewrites once, and goes away.
        const before = await oursLoad(m.file, cacheOn);
        await oursPrewarm(before, system, prompt.userPrefix);
        await oursRewrite(
          before,
          system,
          prompt.user(USER_TEXTS[i % USER_TEXTS.length]),
          TTFT_MAX_TOKENS,
          prompt.userPrefix,
        );
        await before.client.dispose();
        const after = await oursLoad(m.file, cacheOn);
        const r = await oursRewrite(after, system, u, TTFT_MAX_TOKENS, prompt.userPrefix);
        out.withCache.push(r.ttft);
        out.restoredTokens.push(r.engine.restored ?? NaN);
        log(
          `${m.preset} restart #${i + 1}, prompt cache on: ttft ${r.ttft.toFixed(0)} ms, ` +
            `${r.engine.restored ?? '?'} of ${r.engine.promptTokens} prompt tokens restored`,
        );
        await after.client.dispose();
        // The editor's own path after a restart: the model becomes ready, the current style is prewarmed
        // (which restores the saved prefix from disk), and only then does the writer ask for a rewrite.
        const editor = await oursLoad(m.file, cacheOn);
        const pw = await oursPrewarm(editor, system, prompt.userPrefix);
        const re = await oursRewrite(editor, system, u, TTFT_MAX_TOKENS, prompt.userPrefix);
        out.withCachePrewarmed.push(re.ttft);
        out.prewarmRestoreMs.push(pw.ms);
        log(
          `${m.preset} restart #${i + 1}, prompt cache on, prewarm on load ` +
            `(${pw.restored ?? '?'} tokens restored in ${pw.ms.toFixed(0)} ms): ttft ${re.ttft.toFixed(0)} ms`,
        );
        await editor.client.dispose();
      }
      const fresh = await oursLoad(m.file, out.cacheSupported ? cacheOff : {});
      const r = await oursRewrite(fresh, system, u, TTFT_MAX_TOKENS, prompt.userPrefix);
      out.withoutCache.push(r.ttft);
      log(
        `${m.preset} restart #${i + 1}, prompt cache ${out.cacheSupported ? 'off' : 'not in this build'}: ` +
          `ttft ${r.ttft.toFixed(0)} ms`,
      );
      if (out.unloadSupported) {
        const pid = enginePid(fresh.client);
        out.rssLoadedKb.push(vmKb(pid, 'VmRSS'));
        await fresh.client.unload();
        await new Promise((resolve) => setTimeout(resolve, 500));
        out.rssUnloadedKb.push(vmKb(pid, 'VmRSS'));
        log(
          `${m.preset} engine memory (VmRSS): ${(out.rssLoadedKb.at(-1) / 1024).toFixed(0)} MiB loaded, ` +
            `${(out.rssUnloadedKb.at(-1) / 1024).toFixed(0)} MiB after unload`,
        );
      }
      await fresh.client.dispose();
      if (T() + (T() - t0) > deadline) break;
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
export function figures(r) {
  const paired = (k) => median((r.rows[k].ours ?? []).map((x, i) => x / r.rows[k].raw[i]));
  const over = (k, side) => median(r.rows[k][side]) / median(r.rows.cold[side]);
  const cold = median(r.rows.cold.ours);
  const rs = r.restart ?? {};
  return {
    decode: paired('decode'),
    prefill: paired('prefill'),
    prewarmedOverCold: { ours: over('prewarmed', 'ours'), raw: over('prewarmed', 'raw') },
    warmOverCold: { ours: over('warm', 'ours'), raw: over('warm', 'raw') },
    restartCache: rs.cacheSupported ? median(rs.withCache) : undefined,
    restartCacheOverCold: rs.cacheSupported ? median(rs.withCache) / cold : undefined,
    restartNoCache: median(rs.withoutCache),
    restartPrewarmed: rs.cacheSupported && rs.withCachePrewarmed?.length ? median(rs.withCachePrewarmed) : undefined,
    restartPrewarmedOverCold:
      rs.cacheSupported && rs.withCachePrewarmed?.length ? median(rs.withCachePrewarmed) / cold : undefined,
  };
}
export function goals(results) {
  const out = [];
  for (const r of results) {
    if (!r.rows) continue;
    const f = figures(r);
    const check = (label, value, goal, atMost) => {
      if (value === undefined) return `${label}: ${NOT_IN_BUILD}`;
      if (!Number.isFinite(value)) return `${label}: n/a`;
      const met = atMost ? value <= goal : value >= goal;
      const verdict = met ? 'met' : `missed by ${fmt(Math.abs(value - goal), 3)}`;
      return `${label} ${fmt(value, 3)} (goal ${atMost ? '≤' : '≥'} ${goal}): ${verdict}`;
    };
    out.push(
      `${r.model.preset}: ${[
        check('after-prewarm/cold', f.prewarmedOverCold.ours, 0.1, true),
        check('after-restart with cache/cold (no prewarm)', f.restartCacheOverCold, 0.1, true),
        ...(f.restartPrewarmedOverCold !== undefined
          ? [
              check(
                'after-restart with cache/cold (editor path, prewarm on load)',
                f.restartPrewarmedOverCold,
                0.1,
                true,
              ),
            ]
          : []),
        check('decode ours/raw', f.decode, 0.97, false),
        check('prefill ours/raw', f.prefill, 0.97, false),
      ].join('; ')}`,
    );
  }
  return out.join('\n');
}

/** The ours/raw rows of one model's results. */
export function mainLines(r, name) {
  const lines = [];
  const f = figures(r);
  // The ratio is the median of per-rep ratios: ours and raw of one rep ran back to back, so a load
  // swing on the shared machine mostly cancels within a pair.
  const row = (label, k, digits, unit) => {
    const a = median(r.rows[k].ours),
      b = median(r.rows[k].raw);
    const paired = median((r.rows[k].ours ?? []).map((x, i) => x / r.rows[k].raw[i]));
    lines.push(`| ${name} | ${label} | ${fmt(a, digits)}${unit} | ${fmt(b, digits)}${unit} | ${fmt(paired, 2)} |`);
  };
  const line = (label, ours, raw = '', ratio = '') =>
    lines.push(`| ${name} | ${label} | ${ours} | ${raw} | ${ratio} |`);
  row('start + model load, fresh process (fork … context ready)', 'start', 0, ' ms');
  row('model load + context, llama.cpp already up', 'load', 0, ' ms');
  row('TTFT cold', 'cold', 0, ' ms');
  row('TTFT warm (same style, new text)', 'warm', 0, ' ms');
  row('TTFT after prewarm (system prompt + instruction prefix)', 'prewarmed', 0, ' ms');
  line('warm/cold', fmt(f.warmOverCold.ours, 3), fmt(f.warmOverCold.raw, 3));
  line('after-prewarm/cold (goal ≤ 0.10)', fmt(f.prewarmedOverCold.ours, 3), fmt(f.prewarmedOverCold.raw, 3));
  row('decode (goal ours/raw ≥ 0.97)', 'decode', 1, ' tok/s');
  row('prefill of the prewarmed prefix (goal ours/raw ≥ 0.97)', 'prefill', 0, ' tok/s');
  const rs = r.restart;
  if (rs) {
    const restored = median(rs.restoredTokens);
    line(
      'first rewrite after restart, prompt cache on (fresh engine process; TTFT)',
      rs.cacheSupported
        ? `${fmt(f.restartCache, 0)} ms${Number.isFinite(restored) ? ` (${fmt(restored, 0)} tokens restored)` : ''}`
        : NOT_IN_BUILD,
    );
    line(
      'after-restart with cache/cold (goal ≤ 0.10)',
      rs.cacheSupported ? fmt(f.restartCacheOverCold, 3) : NOT_IN_BUILD,
    );
    if (f.restartPrewarmed !== undefined) {
      line(
        'first rewrite after restart, editor path: prewarm on load restores the cache (TTFT)',
        `${fmt(f.restartPrewarmed, 0)} ms (prewarm ${fmt(median(rs.prewarmRestoreMs), 0)} ms before it)`,
      );
      line('after-restart editor path/cold (goal ≤ 0.10)', fmt(f.restartPrewarmedOverCold, 3));
    }
    line(
      `first rewrite after restart, prompt cache ${rs.cacheSupported ? 'off' : 'absent'} (fresh engine process; TTFT)`,
      `${fmt(f.restartNoCache, 0)} ms`,
    );
    line(
      'engine process memory, model loaded → after unload (VmRSS)',
      rs.unloadSupported
        ? `${fmt(median(rs.rssLoadedKb) / 1024, 0)} → ${fmt(median(rs.rssUnloadedKb) / 1024, 0)} MiB`
        : NOT_IN_BUILD,
    );
  }
  line(
    `new LlamaChatSession with chatWrapper 'auto' (per request, if not resolved once)`,
    '',
    `${fmt(median(r.extra.autoWrapperMs), 0)} ms`,
  );
  if (r.extra) line('engine process peak memory (VmHWM)', `${fmt(median(r.extra.vmhwmKb) / 1024, 0)} MiB`);
  return lines;
}
