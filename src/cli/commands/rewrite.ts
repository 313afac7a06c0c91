// `cpt-writer rewrite --model SPEC --rubric ID --level N [--file F]`: stream a rewrite to stdout.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { UsageError, failWith } from '../command';
import type { CliCommand } from '../command';
import { stderrLogger } from '../../core/log';
import { errorProblems, formatProblem, loadRubrics, parseLevel } from '../../core/rubrics';
import { resolvePromptMode, rewriteUserMessage, systemPrompt, type PromptModeSetting } from '../../core/prompts';
import { EngineClient, EngineError, type EngineClientOptions, type GpuSetting, type LoadProgress } from '../../core/engine';
import { isRandomWeightTestModel } from '../../core/testmodel';

const USAGE = `usage: cpt-writer rewrite --model SPEC --rubric ID --level N [--file F] [options]

Rewrites the text of F (or stdin) to the rubric's style at the level, streaming the result to stdout.

  --model SPEC       a .gguf path, an https: URL or an hf: URI (downloads go to --models-dir)
  --rubric ID        the rubric's id (see 'cpt-writer rubrics')
  --level N          1 (the rubric's lowest) to 5 (its highest)
  --file F           the text to rewrite (default: stdin)
  --mode MODE        directive or rubric (default: directive for CPT-tuned models, else rubric)
  --language ID      the text's language id (markdown, latex, plaintext, python, ...)
  --max-tokens N     most tokens to write (default 1024)
  --temperature T    sampling temperature (default 0.7; 0 is deterministic)
  --seed N           sampling seed
  --threads N        CPU threads (default: physical cores)
  --gpu G            auto (default), cuda, vulkan, metal or off
  --gpu-layers L     auto (default) or a number of layers to offload
  --context-size N   context tokens (default: min(model's, 8192))
  --models-dir DIR   where downloaded models go
  --dir DIR          an extra folder of rubric files (repeatable)
  --verbose          print the backend, layers offloaded, VRAM and the rewrite's stats to stderr
  -h, --help         show this help`;

const fail = failWith('rewrite');

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, got '${v}'`);
  return Number(v);
}

const GPU_SETTINGS: readonly GpuSetting[] = ['auto', 'cuda', 'vulkan', 'metal', 'off'];
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const rewriteCommand: CliCommand = {
  name: 'rewrite',
  summary: 'rewrite a file (or stdin) to a rubric and level with a local model',
  usage: USAGE,
  async run(argv) {
    let values;
    let engineOptions: EngineClientOptions;
    let maxTokens: number | undefined;
    let temperature: number | undefined;
    let seed: number | undefined;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          model: { type: 'string' }, rubric: { type: 'string' }, level: { type: 'string' }, file: { type: 'string' },
          mode: { type: 'string' }, language: { type: 'string' }, 'max-tokens': { type: 'string' },
          temperature: { type: 'string' }, seed: { type: 'string' }, threads: { type: 'string' }, gpu: { type: 'string' },
          'gpu-layers': { type: 'string' }, 'context-size': { type: 'string' }, 'models-dir': { type: 'string' },
          dir: { type: 'string', multiple: true }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        },
      }));
      if (values.help) { process.stdout.write(`${USAGE}\n`); return 0; }
      if (!values.model) throw new UsageError('missing --model SPEC');
      if (!values.rubric) throw new UsageError('missing --rubric ID');
      if (values.level === undefined) throw new UsageError('missing --level N (1..5)');
      if (values.mode !== undefined && values.mode !== 'directive' && values.mode !== 'rubric') {
        throw new UsageError(`--mode must be directive or rubric, got '${values.mode}'`);
      }
      if (values.gpu !== undefined && !GPU_SETTINGS.includes(values.gpu as GpuSetting)) {
        throw new UsageError(`--gpu must be one of ${GPU_SETTINGS.join(', ')}, got '${values.gpu}'`);
      }
      const gpuLayers = values['gpu-layers'] === undefined || values['gpu-layers'] === 'auto' ? 'auto' : int('gpu-layers', values['gpu-layers'], 0);
      maxTokens = int('max-tokens', values['max-tokens'], 1);
      if (values.temperature !== undefined) {
        temperature = Number(values.temperature);
        if (!Number.isFinite(temperature) || temperature < 0 || values.temperature.trim() === '') throw new UsageError(`--temperature must be a number of at least 0, got '${values.temperature}'`);
      }
      seed = int('seed', values.seed, 0);
      const contextSize = int('context-size', values['context-size'], 64);
      engineOptions = {
        gpu: (values.gpu as GpuSetting | undefined) ?? 'auto',
        gpuLayers: gpuLayers ?? 'auto',
        threads: int('threads', values.threads, 0) ?? 0,
        contextSize: contextSize ?? 'auto',
        ...(values['models-dir'] ? { modelsDirectory: values['models-dir'] } : {}),
        logger: stderrLogger(values.verbose ?? false),
      };
    } catch (err) {
      if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return fail(`${(err as Error).message}\n\n${USAGE}`, 2);
      throw err;
    }
    const level = parseLevel(values.level);
    if (level === undefined) return fail(`--level must be a whole number from 1 to 5, got '${values.level}'`, 2);

    const { rubrics, problems } = await loadRubrics({ extraDirs: values.dir ?? [] });
    const rubric = rubrics.find((r) => r.id === values.rubric);
    if (!rubric) {
      for (const p of errorProblems(problems)) process.stderr.write(`${formatProblem(p)}\n`);
      return fail(`unknown rubric '${values.rubric}'; known rubrics: ${rubrics.map((r) => r.id).join(', ') || '(none)'}`, 1);
    }

    let text: string;
    try {
      text = values.file ? await readFile(values.file, 'utf8') : await readStdin();
    } catch (err) {
      return fail(`cannot read ${values.file ?? 'stdin'}: ${(err as Error).message}`, 1);
    }
    if (!text.trim()) return fail(`nothing to rewrite: ${values.file ?? 'stdin'} is empty`, 1);

    const verbose = values.verbose ?? false;
    const engine = new EngineClient(engineOptions);
    // Ctrl+C stops generation; what was written so far stays on stdout.
    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    try {
      let lastPct = -1;
      const onProgress = (p: LoadProgress) => {
        if (p.phase !== 'download') return;
        const pct = Math.floor(p.fraction * 100);
        if (pct !== lastPct && pct % 10 === 0) {
          lastPct = pct;
          process.stderr.write(`downloading: ${pct}%${p.totalBytes ? ` of ${mib(p.totalBytes)}` : ''}\n`);
        }
      };
      const model = await engine.load(values.model, { onProgress, signal: ac.signal });
      if (isRandomWeightTestModel(model.name)) process.stderr.write(`note: ${model.name} has random weights; it writes gibberish.\n`);
      // The file name, not general.name: ours is "CPT Writer random-weight test model", which is no CPT-tuned
      // model; the engine already folded general.name and the other metadata into cptTuned.
      const mode = values.mode ? (values.mode as 'directive' | 'rubric') : resolvePromptMode('auto' as PromptModeSetting, { name: model.file, cptTuned: model.cptTuned });
      if (verbose) {
        const info = await engine.info();
        process.stderr.write(`model: ${model.name} (${model.file}, ${mib(model.sizeBytes)})\n`);
        process.stderr.write(`backend: ${info.backend}; layers offloaded: ${info.gpuLayers}/${info.totalLayers}`
          + `${info.vram ? `; VRAM used: ${mib(info.vram.usedBytes)} of ${mib(info.vram.totalBytes)}` : ''}`
          + `; context: ${info.contextSize}; threads: ${info.threads}; prompt mode: ${mode}\n`);
        if (info.gpuFallback) process.stderr.write(`gpu fallback: ${info.gpuFallback}\n`);
      }
      const result = await engine.rewrite({
        system: systemPrompt(rubric, level, mode),
        user: rewriteUserMessage(text, values.language ? { languageId: values.language } : {}),
        ...(maxTokens !== undefined ? { maxTokens } : {}),
        ...(temperature !== undefined ? { temperature } : {}),
        ...(seed !== undefined ? { seed } : {}),
        signal: ac.signal,
        onToken: (t) => process.stdout.write(t),
      });
      process.stdout.write('\n');
      if (verbose) {
        process.stderr.write(`stats: stop ${result.stopReason}; prompt ${result.promptTokens} tokens (${result.reusedPromptTokens} reused); `
          + `output ${result.outputTokens} tokens; first token ${result.timeToFirstTokenMs.toFixed(0)} ms; `
          + `${result.tokensPerSecond.toFixed(1)} tok/s; total ${result.totalMs.toFixed(0)} ms\n`);
      }
      return result.stopReason === 'aborted' ? 130 : 0;
    } catch (err) {
      if (err instanceof EngineError) return fail(`${err.message} [${err.code}]`, 1);
      throw err;
    } finally {
      process.removeListener('SIGINT', onSigint);
      await engine.dispose();
    }
  },
};
