// `cpt-writer check FILE... --rubric ID [--target 1-5|median]`: the style check for CI and batch use. Every
// prose paragraph is scored by the judge; paragraphs off the target level are printed like a linter's
// findings, and the exit code tells a miss (1) from a breakage (4).
import os from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CliError, UsageError, defineCommand } from '../command';
import { levelArg, required } from '../args';
import { ENGINE_FLAGS, ENGINE_USAGE, engineOptionsFrom } from '../engine-args';
import { findRubric } from '../rubric-args';
import { JUDGE_FLAGS, JUDGE_USAGE, checkJudgeSpec, judgeOptionsFrom, keyFromEnvFlag } from '../judge-args';
import { terminalSafe } from '../terminal-text';
import {
  CheckCache,
  checkDocument,
  endpointIdentity,
  modelFileIdentity,
  type CheckJudge,
  type CheckReport,
  type CheckTarget,
} from '../../core/check';
import { generatorFromSpec, isEndpointSpec, type SpecGenerator } from '../../core/endpoint';
import { isTestModel, parseModelSpec, type EngineClient, type EngineClientOptions } from '../../core/engine';
import { errorMessage } from '../../core/errors';
import { languageOfFile } from '../../core/rewrite';
import { LEVEL_TARGET_SCORE, type Rubric } from '../../core/rubrics';

const USAGE = `usage: cpt-writer check FILE... --model SPEC --rubric ID [--target 1-5|median] [options]

Scores every prose paragraph of each FILE against the rubric with the judge (front matter, code, math,
tables and headings are left out; in code files, the comments are checked) and reports the paragraphs
whose level (the nearest of 10, 30, 50, 70, 90 to the score) is off the target level.

  --model SPEC       the judge: a .gguf path, an https: URL or an hf: URI, or an OpenAI-compatible
                     endpoint URL with --endpoint-model
  --rubric ID        the rubric's id (see 'cpt-writer rubrics')
  --target T         the level every paragraph should read at: 1-5, or 'median' (each file's own
                     median level; the default)
  --format F         text (default): one line per off-target paragraph,
                       FILE:LINE: level N (score S), target T: critique
                     json: a list of every scored paragraph,
                       [{"file","line","endLine","score","level","target","critique"}]
  --language ID      read every FILE as this VS Code language id (default: from the file name)
  --cache-dir DIR    where judgements are kept between runs (default ~/.cache/cpt-writer/check);
                     an unchanged paragraph is never judged twice
  --no-cache         neither read nor write judgements on disk
${JUDGE_USAGE}
  --endpoint-model NAME  the model an endpoint serves
  --api-key-env VAR      the environment variable holding the endpoint's API key
${ENGINE_USAGE}
  --dir DIR          an extra folder of rubric files (repeatable)
  -h, --help         show this help

A paragraph whose judge prompt and answer cannot fit the context is skipped and counted (stderr).
Exit status: 0 every paragraph on target, 1 some off target, 2 usage error, 4 could not check
(a file, the model or the judge failed), 130 interrupted.`;

/** Where judgements persist unless --cache-dir or --no-cache says otherwise. */
export function defaultCheckCacheDirectory(): string {
  return path.join(os.homedir(), '.cache', 'cpt-writer', 'check');
}

interface JudgeSource {
  spec: string;
  endpointModel?: string;
  apiKey?: string;
  engine: EngineClientOptions;
}

/** The judge's identity without loading it where that is possible (a local file, an endpoint). */
async function identityBeforeLoad(s: JudgeSource): Promise<string | undefined> {
  if (isEndpointSpec(s.spec)) return endpointIdentity(`${s.endpointModel} @ ${s.spec.replace(/\/\/[^/@]*@/, '//')}`);
  let parsed;
  try {
    parsed = parseModelSpec(s.spec);
  } catch (err) {
    throw new CliError(errorMessage(err), 4);
  }
  if (parsed.kind !== 'file') return undefined;
  try {
    return await modelFileIdentity(parsed.path, s.engine.lora ?? []);
  } catch (err) {
    throw new CliError(`cannot read the model ${parsed.path}: ${errorMessage(err)}`, 4);
  }
}

/** The judge, loaded on first use and kept for every file. */
class CliJudge {
  private loading: Promise<SpecGenerator> | undefined;
  constructor(
    private readonly source: JudgeSource,
    private readonly signal: AbortSignal,
  ) {}

  load(): Promise<SpecGenerator> {
    this.loading ??= generatorFromSpec(this.source.spec, {
      endpointModel: this.source.endpointModel,
      endpointModelFlag: '--endpoint-model',
      apiKey: this.source.apiKey,
      engine: this.source.engine,
      signal: this.signal,
    }).then((g) => {
      if (g.model && isTestModel(g.model))
        process.stderr.write(`note: the judge ${g.model.name} has random weights; its scores are random.\n`);
      return g;
    });
    return this.loading;
  }

  async checkJudge(): Promise<CheckJudge> {
    const g = await this.load();
    if (g.kind !== 'local') return { generator: g.generator };
    const info = await (g.generator as EngineClient).info();
    return { generator: g.generator, contextSize: info.contextSize };
  }

  async identity(): Promise<string> {
    const g = await this.load();
    return g.model ? modelFileIdentity(g.model.file, this.source.engine.lora ?? []) : endpointIdentity(g.name);
  }

  async dispose(): Promise<void> {
    const g = await this.loading?.catch(() => undefined);
    await g?.dispose();
  }
}

/** A downloaded model is known only once it is on disk: loading it is the one way to learn its file. */
async function judgeIdentityAfterLoad(judge: CliJudge): Promise<string> {
  try {
    return await judge.identity();
  } catch (err) {
    throw new CliError(`the judge could not be loaded: ${errorMessage(err)}`, 4);
  }
}

function targetArg(value: string | undefined): CheckTarget {
  if (value === undefined || value === 'median') return 'median';
  return levelArg('target', value);
}

interface JsonEntry {
  file: string;
  line: number;
  endLine: number;
  score: number;
  level: number;
  target: number;
  critique: string;
}

/** Prints one file's findings (text) and problems (stderr); returns its JSON entries. */
function report(file: string, r: CheckReport, rubric: Rubric, text: boolean): JsonEntry[] {
  const safeFile = terminalSafe(file);
  const entries: JsonEntry[] = [];
  for (const p of r.paragraphs) {
    if (p.status === 'scored' && r.target !== undefined) {
      entries.push({
        file,
        line: p.line,
        endLine: p.endLine,
        score: p.score!,
        level: p.level!,
        target: r.target,
        critique: p.critique ?? '',
      });
      if (text && p.offTarget) {
        const critique = terminalSafe((p.critique ?? '').replace(/\s+/g, ' ').trim());
        process.stdout.write(
          `${safeFile}:${p.line}: level ${p.level} (score ${p.score}), target ` +
            `${r.target}${critique ? `: ${critique}` : ''}\n`,
        );
      }
    } else if (p.status === 'too-long') {
      process.stderr.write(
        `${safeFile}:${p.line}: skipped: the judge's prompt is ${p.promptTokens} tokens; with its answer it does not ` +
          `fit a ${p.contextSize}-token context (use a larger --context-size)\n`,
      );
    } else if (p.status === 'failed') {
      process.stderr.write(`${safeFile}:${p.line}: not checked: ${terminalSafe(p.error ?? 'the judge failed')}\n`);
    }
  }
  const c = r.counts;
  const parts = [
    `${r.paragraphs.length} paragraph${r.paragraphs.length === 1 ? '' : 's'}`,
    `${c.offTarget} off target` +
      (r.target === undefined
        ? ''
        : ` (level ${r.target}, ${rubric.levels[r.target - 1]}, about ${LEVEL_TARGET_SCORE[r.target]})`),
    ...(c['too-long'] ? [`${c['too-long']} skipped as too long`] : []),
    ...(c.failed ? [`${c.failed} not checked`] : []),
    ...(c.cancelled ? [`${c.cancelled} cancelled`] : []),
    `${c.cached} from the cache, ${c.judged} judged`,
  ];
  process.stderr.write(
    r.paragraphs.length
      ? `${safeFile}: ${parts.join(', ')}\n`
      : `${safeFile}: no prose paragraphs to check (front matter, code, math, tables and headings are left out)\n`,
  );
  return entries;
}

export const checkCommand = defineCommand({
  name: 'check',
  summary: 'score every prose paragraph of files against a rubric; report those off the target level',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        rubric: { type: 'string' },
        target: { type: 'string' },
        format: { type: 'string' },
        language: { type: 'string' },
        'cache-dir': { type: 'string' },
        'no-cache': { type: 'boolean' },
        'endpoint-model': { type: 'string' },
        'api-key-env': { type: 'string' },
        ...JUDGE_FLAGS,
        ...ENGINE_FLAGS,
        dir: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (!positionals.length) throw new UsageError('give at least one FILE to check');
    const spec = required(values.model, 'model', 'SPEC');
    const rubricId = required(values.rubric, 'rubric', 'ID');
    const target = targetArg(values.target);
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got '${format}'`);
    if (values['no-cache'] && values['cache-dir'] !== undefined)
      throw new UsageError('--cache-dir and --no-cache contradict each other');
    if (values['cache-dir'] === '') throw new UsageError('--cache-dir needs a directory');
    const judgeOptions = judgeOptionsFrom(values);
    const source: JudgeSource = {
      spec,
      endpointModel: values['endpoint-model'],
      engine: engineOptionsFrom(values),
      apiKey: keyFromEnvFlag('--api-key-env', values['api-key-env']),
    };
    checkJudgeSpec({ ...source, endpointModelFlag: '--endpoint-model' }, '--model');
    let rubric: Rubric;
    try {
      rubric = await findRubric(rubricId, values.dir ?? []);
    } catch (err) {
      throw err instanceof CliError ? new CliError(err.message, 2) : err;
    }
    const cache = new CheckCache(
      values['no-cache'] ? undefined : (values['cache-dir'] ?? defaultCheckCacheDirectory()),
    );

    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    const judge = new CliJudge(source, ac.signal);
    const entries: JsonEntry[] = [];
    let broken = false;
    let offTarget = false;
    let cacheWarned = false;
    try {
      let judgeId: string | undefined;
      for (const file of positionals) {
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (err) {
          process.stderr.write(
            `cpt-writer check: cannot read ${terminalSafe(file)}: ${terminalSafe(errorMessage(err))}\n`,
          );
          broken = true;
          continue;
        }
        judgeId ??= (await identityBeforeLoad(source)) ?? (await judgeIdentityAfterLoad(judge));
        const r = await checkDocument(text, values.language ?? languageOfFile(file) ?? 'plaintext', {
          rubric,
          target,
          judgeId,
          judge: () => judge.checkJudge(),
          cache,
          ...(judgeOptions.temperature !== undefined ? { temperature: judgeOptions.temperature } : {}),
          ...(judgeOptions.maxCritiqueChars !== undefined ? { critiqueChars: judgeOptions.maxCritiqueChars } : {}),
          contextSetting: String(source.engine.contextSize ?? 'auto'),
          signal: ac.signal,
          onCacheError: (err) => {
            if (cacheWarned) return;
            cacheWarned = true;
            process.stderr.write(`warning: judgements cannot be saved in ${cache.directory}: ${errorMessage(err)}\n`);
          },
        });
        entries.push(...report(file, r, rubric, format === 'text'));
        if (r.counts.offTarget) offTarget = true;
        if (r.counts.failed) broken = true;
        if (r.counts.cancelled || ac.signal.aborted) {
          if (format === 'json') process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
          return 130;
        }
      }
      if (format === 'json') process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      return broken ? 4 : offTarget ? 1 : 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
      await judge.dispose();
    }
  },
});
