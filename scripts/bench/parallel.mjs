// The parallel rows (issues 26 and 28): best-of-N against a single rewrite with the candidates and judgements
// as parallel sequences and one after another, where the time goes (prefill, decode, judge), engine memory;
// eval throughput at --concurrency 1 and 4; and the style check of a 20-paragraph document against a single
// rewrite, with a re-check of the unchanged document. All on one engine process per thread count, through the
// product's own code paths (core/rewrite runRewrite / runBestOf, core/eval runEval, core/check checkDocument).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { T, USER_TEXTS, fmt, log, median, opts, outModule } from './common.mjs';
import { enginePid, oursLoad, oursPrewarm, vmKb } from './engine.mjs';

export const BEST_OF_NS = [1, 2, 4];
// best-of-N with its candidates (and judgements) one after another: the engine seen through a generator
// without generateBatch, so core/rewrite's lockstep falls back to sequential calls. Same engine, same run.
export const SEQUENTIAL_NS = [2, 4];
export const EVAL_CONCURRENCY = [1, 4];

/** The engine seen without generateBatch: every caller's work goes one call after another. */
const oneAfterAnother = (client) => ({ generate: (req) => client.generate(req) });

/**
 * The generator with a tally of the tokens it wrote: judgements (requests with a JSON schema) apart from
 * candidates, so a row's time can be read against the work done. A random-weight judge writes its critique
 * to a length that varies from run to run, which moves the judging time as much as the engine does.
 */
function tallied(gen) {
  const tally = { candidateTokens: 0, judgeTokens: 0 };
  const add = (req, res) => {
    tally[req.jsonSchema ? 'judgeTokens' : 'candidateTokens'] += res.outputTokens ?? 0;
    return res;
  };
  const wrapped = { generate: async (req) => add(req, await gen.generate(req)) };
  if (gen.generateBatch)
    wrapped.generateBatch = async (reqs, o) => (await gen.generateBatch(reqs, o)).map((r, i) => add(reqs[i], r));
  return { gen: wrapped, tally };
}

/** The rewrite job the bench's single rewrite, best-of and the check's reference rewrite share. */
function rewriteJob(m, prompt, i) {
  return {
    text: USER_TEXTS[i % USER_TEXTS.length],
    style: prompt.style,
    promptMode: 'rubric',
    model: { name: m.preset, file: m.file },
    sampling: { temperature: 0.7, maxTokens: opts.maxTokens, seed: 1000 + i },
    source: { languageId: 'plaintext' },
  };
}

/**
 * A single rewrite (runRewrite), with where its time went: prefill (call → first token: the prompt's
 * evaluation, what the prompt cache does not cover) and decode (first token → end).
 */
async function single(gen, job) {
  const rewrite = outModule('out/src/core/rewrite/index.js');
  const t0 = T();
  let first;
  const out = await rewrite.runRewrite(gen, { ...job, onToken: () => (first ??= T()) });
  const end = T();
  first ??= end;
  const tokens = out.result.outputTokens;
  return { ms: end - t0, prefillMs: first - t0, decodeMs: end - first, judgeMs: 0, tokens, judgeTokens: 0 };
}

/**
 * Best-of-N (runBestOf, the rewriting model judging, every candidate streamed as the editor's preview shows
 * them) with where its time went: prefill (call → the first token of any candidate), decode (→ the last
 * candidate written) and judging (→ ranked).
 */
async function bestOf(gen, job, n) {
  const rewrite = outModule('out/src/core/rewrite/index.js');
  const { gen: counted, tally } = tallied(gen);
  const t0 = T();
  let first;
  let written = 0;
  let lastWrittenAt;
  await rewrite.runBestOf(counted, {
    ...job,
    n,
    judge: { generator: counted },
    streamAll: true,
    onToken: () => (first ??= T()),
    onCandidate: (e) => {
      if (e.phase === 'written' && ++written === n) lastWrittenAt = T();
    },
  });
  const end = T();
  lastWrittenAt ??= end;
  first ??= lastWrittenAt;
  return {
    ms: end - t0,
    prefillMs: first - t0,
    decodeMs: lastWrittenAt - first,
    judgeMs: end - lastWrittenAt,
    tokens: tally.candidateTokens,
    judgeTokens: tally.judgeTokens,
  };
}

/**
 * Per rep, a single rewrite, best-of-1, 2 and 4 with the candidates as parallel sequences and best-of-2 and 4
 * one after another, all of the same text, in an order that rotates per rep. The ratio is the median of per-rep
 * ratios of wall times, so load swings on a shared machine mostly cancel. Engine memory (VmRSS) after best-of-1
 * and after best-of-4 (the parallel sequences' context).
 */
async function benchBestOf(o, m, prompt, reps) {
  const pid = enginePid(o.client);
  const kinds = ['single', ...BEST_OF_NS.map((n) => `n${n}`), ...SEQUENTIAL_NS.map((n) => `s${n}`)];
  const phases = Object.fromEntries(kinds.map((k) => [k, []]));
  const rssKb = { n1: [], n4: [] };
  const sequential = oneAfterAnother(o.client);
  // A warm-up so the first measured call does not pay for evaluating the rubric prompts (in both contexts).
  await bestOf(o.client, rewriteJob(m, prompt, 99), 1);
  await bestOf(o.client, rewriteJob(m, prompt, 99), 4);
  for (let i = 0; i < reps; i++) {
    const order = kinds.map((_, k) => kinds[(k + i) % kinds.length]);
    for (const kind of order) {
      const job = rewriteJob(m, prompt, i);
      // The single rewrite is the writer's rewrite in a chosen style: its prompt prewarmed (untimed), as the
      // editor does on choosing a style. Without it the reference paid for re-evaluating the whole prompt
      // whenever a judgement or a one-after-another candidate had run on the main sequence before it
      // (14.3 s of a 19.7 s single rewrite on 100m-bpe), which flattered every ratio.
      if (kind === 'single') await oursPrewarm(o, prompt.system, prompt.userPrefix);
      const r =
        kind === 'single'
          ? await single(o.client, job)
          : await bestOf(kind.startsWith('n') ? o.client : sequential, job, Number(kind.slice(1)));
      phases[kind].push(r);
      if (pid && rssKb[kind]) rssKb[kind].push(vmKb(pid, 'VmRSS'));
    }
    log(
      `${m.preset} ${o.threads}t best-of rep ${i + 1} (load ${os.loadavg()[0].toFixed(1)}): ` +
        kinds.map((k) => `${k} ${phases[k][i].ms.toFixed(0)} ms`).join(', '),
    );
  }
  const pick = (key) => Object.fromEntries(kinds.map((k) => [k, phases[k].map((r) => r[key])]));
  return {
    reps,
    rows: pick('ms'),
    prefillMs: pick('prefillMs'),
    decodeMs: pick('decodeMs'),
    judgeMs: pick('judgeMs'),
    rewriteOutputTokens: pick('tokens'),
    judgeOutputTokens: pick('judgeTokens'),
    rssKb,
  };
}

/**
 * Eval throughput: core/eval's runEval (what `cpt-writer eval` runs once the model is loaded) on the loaded
 * engine, `items` passages × one level, rubric mode, each a rewrite plus its judgement by the same model, into a
 * fresh output folder (so nothing is resumed), at each --concurrency. Items per minute of wall time.
 */
async function benchEval(o, m, prompt, reps) {
  const evalCore = outModule('out/src/core/eval/index.js');
  const info = await o.client.info();
  const texts = Array.from({ length: opts.evalItems }, (_, i) => ({
    id: `bench-${i + 1}`,
    text: USER_TEXTS[i % USER_TEXTS.length],
    languageId: 'plaintext',
    register: 'bench',
    line: i + 1,
  }));
  const runOnce = async (concurrency, seed) => {
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'cpt-bench-eval-'));
    try {
      const t0 = T();
      const outcome = await evalCore.runEval({
        outDir,
        models: [
          {
            label: m.preset,
            open: async () => ({
              generator: o.client,
              name: m.preset,
              contextSize: info.contextSize,
              ref: { name: m.preset, file: m.file },
              dispose: async () => {},
            }),
          },
        ],
        rubrics: [prompt.style.rubric],
        texts,
        levels: [prompt.style.level],
        modes: ['rubric'],
        sampling: { temperature: 0.7, maxTokens: opts.maxTokens, seed },
        concurrency,
      });
      const ms = T() - t0;
      if (outcome.status !== 'complete' || outcome.made !== texts.length)
        throw new Error(
          `eval at --concurrency ${concurrency} made ${outcome.made} of ${texts.length} samples (${outcome.status}): ` +
            outcome.failures.map((f) => f.message).join('; '),
        );
      return ms;
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  };
  const ms = Object.fromEntries(EVAL_CONCURRENCY.map((c) => [`c${c}`, []]));
  for (let i = 0; i < reps; i++) {
    // Alternate which concurrency goes first, so drift on a shared machine hits both.
    const order = i % 2 ? [...EVAL_CONCURRENCY].reverse() : EVAL_CONCURRENCY;
    for (const c of order) ms[`c${c}`].push(await runOnce(c, 7 + i));
    log(
      `${m.preset} ${o.threads}t eval rep ${i + 1} (${texts.length} items, load ${os.loadavg()[0].toFixed(1)}): ` +
        EVAL_CONCURRENCY.map((c) => `--concurrency ${c} ${(ms[`c${c}`][i] / 1000).toFixed(1)} s`).join(', '),
    );
  }
  const itemsPerMin = Object.fromEntries(
    Object.entries(ms).map(([k, xs]) => [k, xs.map((x) => texts.length / (x / 60_000))]),
  );
  return { reps, items: texts.length, ms, itemsPerMin };
}

/**
 * A Markdown document of `count` prose paragraphs (with a heading and a code block the check must skip), each
 * paragraph different so none is judged once for several.
 */
export function checkFixture(count, tag = '') {
  const paras = Array.from(
    { length: count },
    (_, i) =>
      `${tag}Point ${i + 1}. ${USER_TEXTS[i % USER_TEXTS.length]} ` +
      `${USER_TEXTS[(i + 3) % USER_TEXTS.length].split('. ')[0]}.`,
  );
  return [
    '# Notes',
    '',
    paras.slice(0, 2).join('\n\n'),
    '',
    '```',
    'const x = 1;',
    '```',
    '',
    ...paras.slice(2).map((p) => `${p}\n`),
  ].join('\n');
}

/**
 * The style check (core/check checkDocument, what `cpt-writer check` and the editor's command run) of a
 * 20-paragraph document (--check-paragraphs), judged by the loaded model with judgements as parallel sequences
 * and (for the comparison the issue makes) one after another, against a single rewrite of the bench at
 * --max-tokens; then a re-check of the unchanged document with the same cache, counting the model calls it made
 * (the judge is never even asked for: the loader and every generator call are counted).
 */
async function benchCheck(o, m, prompt, reps) {
  const check = outModule('out/src/core/check/index.js');
  const info = await o.client.info();
  const rubric = prompt.style.rubric;
  let modelCalls = 0;
  let judgeLoads = 0;
  const counting = (gen) => ({
    generate: (req) => (modelCalls++, gen.generate(req)),
    ...(gen.generateBatch ? { generateBatch: (reqs, b) => (modelCalls++, gen.generateBatch(reqs, b)) } : {}),
  });
  const run = async (doc, gen, cache) => {
    const t0 = T();
    const calls0 = modelCalls;
    const loads0 = judgeLoads;
    const report = await check.checkDocument(doc, 'markdown', {
      rubric,
      target: 3,
      judgeId: `bench ${m.preset}`,
      judge: async () => (judgeLoads++, { generator: counting(gen), contextSize: info.contextSize }),
      cache,
    });
    const ms = T() - t0;
    const bad = report.paragraphs.filter((p) => p.status !== 'scored');
    if (report.paragraphs.length !== opts.checkParagraphs || bad.length) {
      const tokens = (p) => (p.promptTokens ? `${p.promptTokens} prompt tokens, context ${p.contextSize}` : '');
      throw new Error(
        `the check scored ${report.paragraphs.length - bad.length} of ${report.paragraphs.length} paragraphs ` +
          `(want ${opts.checkParagraphs}): ${bad.map((p) => `${p.status} ${p.error ?? ''}${tokens(p)}`).join('; ')}`,
      );
    }
    return { ms, report, modelCalls: modelCalls - calls0, judgeLoads: judgeLoads - loads0 };
  };
  // The first check in this engine makes the pool of parallel sequences and evaluates the judge prompt's
  // prefix; the editor pays it once per session, so it is its own row (on another document) and not in the reps.
  const first = await run(checkFixture(opts.checkParagraphs, 'Warm-up. '), o.client, new check.CheckCache());
  const out = {
    reps,
    paragraphs: opts.checkParagraphs,
    firstMs: first.ms,
    singleMs: [],
    parallelMs: [],
    sequentialMs: [],
    recheckMs: [],
    recheckModelCalls: [],
    recheckJudgeLoads: [],
    recheckCached: [],
    parallelModelCalls: [],
  };
  for (let i = 0; i < reps; i++) {
    const doc = checkFixture(opts.checkParagraphs, `Rep ${i + 1}. `);
    const seqDoc = checkFixture(opts.checkParagraphs, `Rep ${i + 1}, in turn. `);
    // One after another first: it runs on the main sequence, so the single rewrite after it finds its style's
    // prompt prewarmed again, as a writer's rewrite does.
    const seq = await run(seqDoc, oneAfterAnother(o.client), new check.CheckCache());
    await oursPrewarm(o, prompt.system, prompt.userPrefix);
    const one = await single(o.client, rewriteJob(m, prompt, i));
    const cache = new check.CheckCache();
    const par = await run(doc, o.client, cache);
    const again = await run(doc, o.client, cache);
    out.sequentialMs.push(seq.ms);
    out.singleMs.push(one.ms);
    out.parallelMs.push(par.ms);
    out.parallelModelCalls.push(par.modelCalls);
    out.recheckMs.push(again.ms);
    out.recheckModelCalls.push(again.modelCalls);
    out.recheckJudgeLoads.push(again.judgeLoads);
    out.recheckCached.push(again.report.counts.cached);
    log(
      `${m.preset} ${o.threads}t check rep ${i + 1} (load ${os.loadavg()[0].toFixed(1)}): ` +
        `single rewrite ${one.ms.toFixed(0)} ms; ` +
        `${opts.checkParagraphs} paragraphs parallel ${par.ms.toFixed(0)} ms (${par.modelCalls} model calls), ` +
        `one after another ${seq.ms.toFixed(0)} ms; ` +
        `re-check ${again.ms.toFixed(1)} ms, ${again.modelCalls} model calls, ${again.report.counts.cached} cached`,
    );
  }
  return out;
}

/** Every parallel row of one model at one thread count, on one engine process. */
export async function benchParallel(m, prompt, reps, threads, { bestOfOnly = false, checkOnly = false } = {}) {
  const o = await oursLoad(m.file, { threads });
  o.threads = threads;
  try {
    const res = { threads };
    if (!checkOnly) res.bestOf = await benchBestOf(o, m, prompt, reps);
    if (!checkOnly && !bestOfOnly) res.eval = await benchEval(o, m, prompt, reps);
    if (!bestOfOnly) res.check = await benchCheck(o, m, prompt, reps);
    return res;
  } finally {
    await o.client.dispose();
  }
}

// ------------------------------------------------------------------------------------------------ table
const ratioTo = (xs, ys) => median(xs.map((x, i) => x / ys[i]));

/** The table's rows of one model's parallel results at one thread count. */
export function parallelLines(name, p) {
  if (!p) return [];
  const lines = [];
  const row = (label, value, second = '', third = '') =>
    lines.push(`| ${name} | ${label} | ${value} | ${second} | ${third} |`);
  const t = `${p.threads} thread${p.threads > 1 ? 's' : ''}`;
  const b = p.bestOf;
  if (b) {
    const single = b.rows.single;
    // A results.json from before the parallel path has no one-after-another rows: its best-of ran in turn.
    const how = b.rows.s2 ? 'parallel sequences' : 'as that build ran them';
    for (const n of BEST_OF_NS) {
      const what = `${n} rewrite${n > 1 ? 's' : ''} + ${n} judgement${n > 1 ? 's' : ''}; ${t}; ${b.reps} reps`;
      const par = b.rows[`n${n}`];
      const seq = b.rows[`s${n}`];
      row(
        `best-of-${n} / single rewrite, ${how} (wall time: ${what})`,
        `${fmt(median(par), 0)} ms`,
        `single ${fmt(median(single), 0)} ms`,
        fmt(ratioTo(par, single), 2),
      );
      if (seq)
        row(
          `best-of-${n} / single rewrite, one after another (wall time: ${what})`,
          `${fmt(median(seq), 0)} ms`,
          `single ${fmt(median(single), 0)} ms`,
          fmt(ratioTo(seq, single), 2),
        );
    }
    // Where the time goes: each phase's median, and (N > 1) how far parallel moved it from one after another.
    const phase = (k) =>
      `${fmt(median(b.prefillMs[k]), 0)} / ${fmt(median(b.decodeMs[k]), 0)} / ${fmt(median(b.judgeMs[k]), 0)} ms`;
    // (a results.json from before these were measured has none)
    if (b.prefillMs) row(`single rewrite: prefill / decode / judge (${t})`, phase('single'));
    for (const n of BEST_OF_NS) {
      const k = `n${n}`;
      const s = `s${n}`;
      if (b.judgeMs?.[k])
        row(
          `best-of-${n} judging, parallel sequences (last candidate written → ranked; ${t})`,
          `${fmt(median(b.judgeMs[k]), 0)} ms`,
          b.judgeMs[s] ? `one after another ${fmt(median(b.judgeMs[s]), 0)} ms` : '',
          b.judgeMs[s] ? fmt(ratioTo(b.judgeMs[k], b.judgeMs[s]), 2) : '',
        );
      if (b.prefillMs)
        row(
          `best-of-${n} where the time goes, parallel sequences: prefill / decode / judge (${t})`,
          phase(k),
          b.judgeMs[s] ? `one after another ${phase(s)}` : '',
          b.judgeMs[s]
            ? ['prefillMs', 'decodeMs', 'judgeMs'].map((x) => fmt(ratioTo(b[x][k], b[x][s]), 2)).join(' / ')
            : '',
        );
    }
    // The work behind those times (a results.json from before this was counted has none).
    if (b.judgeOutputTokens)
      for (const n of BEST_OF_NS) {
        const k = `n${n}`;
        const s = `s${n}`;
        const work = (x) =>
          `${fmt(median(b.rewriteOutputTokens[x]), 0)} / ${fmt(median(b.judgeOutputTokens[x]), 0)} tokens`;
        row(
          `best-of-${n} tokens written: candidates / judgements, all N together (parallel sequences; ${t})`,
          work(k),
          b.judgeOutputTokens[s] ? `one after another ${work(s)}` : '',
        );
      }
    if (b.rssKb)
      row(
        `engine process memory after best-of-1 → after best-of-4 (VmRSS; ${t})`,
        `${fmt(median(b.rssKb.n1) / 1024, 0)} → ${fmt(median(b.rssKb.n4) / 1024, 0)} MiB`,
      );
  }
  const e = p.eval;
  if (e) {
    const [c1, c4] = EVAL_CONCURRENCY.map((c) => e.itemsPerMin[`c${c}`]);
    row(
      `eval items per minute, --concurrency 1 → 4 (rewrite + judgement each; ${e.items} items; ${t}; ${e.reps} reps)`,
      `${fmt(median(c1), 1)} → ${fmt(median(c4), 1)}`,
      `${fmt(median(e.ms.c1) / 1000, 1)} → ${fmt(median(e.ms.c4) / 1000, 1)} s`,
      fmt(ratioTo(c4, c1), 2),
    );
  }
  const c = p.check;
  if (c) {
    const what = `${c.paragraphs} paragraphs; ${t}; ${c.reps} reps`;
    row(
      `style check / single rewrite, parallel sequences (${what})`,
      `${fmt(median(c.parallelMs), 0)} ms`,
      `single ${fmt(median(c.singleMs), 0)} ms`,
      fmt(ratioTo(c.parallelMs, c.singleMs), 2),
    );
    row(
      `style check / single rewrite, one after another (${what})`,
      `${fmt(median(c.sequentialMs), 0)} ms`,
      `single ${fmt(median(c.singleMs), 0)} ms`,
      fmt(ratioTo(c.sequentialMs, c.singleMs), 2),
    );
    row(`style check, first in a fresh engine (pool made, judge prompt evaluated; ${t})`, `${fmt(c.firstMs, 0)} ms`);
    row(
      `style check, re-check of the unchanged document (${t})`,
      `${fmt(median(c.recheckMs), 1)} ms`,
      `${Math.max(...c.recheckModelCalls)} model calls, ${Math.max(...c.recheckJudgeLoads)} judge loads`,
      `${Math.min(...c.recheckCached)}/${c.paragraphs} cached`,
    );
  }
  return lines;
}

/**
 * The goals of issues 26 and 28, per model and thread count: met, or missed by how much. (They are set for
 * 100m-bpe at 2 threads; other rows are printed against the same figures for comparison.)
 */
export function parallelGoals(results) {
  const out = [];
  for (const r of results) {
    for (const p of r.parallel ?? []) {
      const b = p.bestOf;
      if (!b) continue;
      const ratio = (k) => ratioTo(b.rows[k], b.rows.single);
      const check = (label, value, goal, atMost) => {
        if (!Number.isFinite(value)) return `${label}: n/a`;
        const met = atMost ? value <= goal : value >= goal;
        const verdict = met ? 'met' : `missed by ${fmt(Math.abs(value - goal), 2)}`;
        return `${label} ${fmt(value, 2)} (goal ${atMost ? '≤' : '≥'} ${goal}): ${verdict}`;
      };
      const items = [
        check('best-of-4/single', ratio('n4'), 1.8, true),
        check('best-of-2/single', ratio('n2'), 1.3, true),
        `parallel beats one after another: best-of-2 ${ratio('n2') < ratio('s2') ? 'yes' : 'no'}, ` +
          `best-of-4 ${ratio('n4') < ratio('s4') ? 'yes' : 'no'}`,
      ];
      if (p.eval)
        items.push(
          check(
            'eval items/min --concurrency 4 over 1',
            ratioTo(p.eval.itemsPerMin.c4, p.eval.itemsPerMin.c1),
            2,
            false,
          ),
        );
      if (p.check) {
        items.push(
          check(
            `style check of ${p.check.paragraphs} paragraphs/single rewrite`,
            ratioTo(p.check.parallelMs, p.check.singleMs),
            3,
            true,
          ),
        );
        const calls = Math.max(...p.check.recheckModelCalls, ...p.check.recheckJudgeLoads);
        const recheck = calls === 0 ? 'no model work (met)' : `${calls} model calls (missed)`;
        items.push(`re-check of the unchanged document: ${recheck}`);
      }
      out.push(`${r.model.preset}, ${p.threads} thread${p.threads > 1 ? 's' : ''}: ${items.join('; ')}`);
    }
  }
  return out.join('\n');
}
