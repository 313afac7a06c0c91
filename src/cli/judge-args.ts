// The judge's flags (how it scores), and the one place the CLI builds a judge model (openJudge, or lazyJudge
// to open it only when first asked): shared by every command that judges (`judge`, `rewrite --best-of`,
// `eval`, `generate --judge-model`).
import path from 'node:path';
import { isTestModel, type EngineClientOptions } from '../core/engine';
import {
  apiKeyFromEnv,
  displayUrl,
  generatorFromSpec,
  isEndpointSpec,
  type GeneratorFromSpecOptions,
  type SpecGenerator,
} from '../core/endpoint';
import { errorMessage } from '../core/errors';
import { LazyGenerator, MAX_CRITIQUE_CHARS, DEFAULT_MAX_CRITIQUE_CHARS, type JudgeOptions } from '../core/judge';
import { decimal, wholeNumber } from './args';
import { CliError, UsageError } from './command';

/** parseArgs option specs for how the judge scores. */
export const JUDGE_FLAGS = {
  'judge-temperature': { type: 'string' },
  'critique-chars': { type: 'string' },
} as const;

export const JUDGE_USAGE =
  `  --judge-temperature T  the judge's sampling temperature (default 0: the same text ` +
  `gets the same score)
  --critique-chars N     most characters of the judge's critique, 0 to ${MAX_CRITIQUE_CHARS}
                         (default ${DEFAULT_MAX_CRITIQUE_CHARS}; 0 = a score alone, the fastest)`;

export interface JudgeFlagValues {
  'judge-temperature'?: string;
  'critique-chars'?: string;
}

/** The judge's options from the flags (UsageError on a bad value). */
export function judgeOptionsFrom(values: JudgeFlagValues): Omit<JudgeOptions, 'signal' | 'seed'> {
  const temperature = decimal('judge-temperature', values['judge-temperature'], 0, 2);
  const maxCritiqueChars = wholeNumber('critique-chars', values['critique-chars'], 0, MAX_CRITIQUE_CHARS);
  return {
    ...(temperature !== undefined ? { temperature } : {}),
    ...(maxCritiqueChars !== undefined ? { maxCritiqueChars } : {}),
  };
}

/** An API key from the environment variable a flag names; a missing one is a CliError before anything loads. */
export function keyFromEnvFlag(flag: string, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  try {
    return apiKeyFromEnv(name, process.env, flag);
  } catch (err) {
    throw new CliError(errorMessage(err), 2);
  }
}

export interface JudgeModelSpec {
  spec: string;
  /** The model an endpoint serves (required for an http(s) endpoint, refused for a GGUF). */
  endpointModel?: string;
  endpointModelFlag: string;
  apiKey?: string;
  engine: EngineClientOptions;
  /** Timeout, retries, response cap and logger for an endpoint judge (see endpoint-args). */
  endpoint?: GeneratorFromSpecOptions['endpoint'];
  /** Download progress of a GGUF judge. */
  onLoadProgress?: GeneratorFromSpecOptions['onLoadProgress'];
}

/** Checks a judge model's flags up front (UsageError), so a mistake costs nothing. */
export function checkJudgeSpec(s: JudgeModelSpec, specFlag: string): void {
  if (isEndpointSpec(s.spec) && !s.endpointModel)
    throw new UsageError(
      `${displayUrl(s.spec)} is an OpenAI-compatible endpoint: ` +
        `give the model it serves with ${s.endpointModelFlag} NAME`,
    );
  if (!isEndpointSpec(s.spec) && s.endpointModel !== undefined)
    throw new UsageError(`${s.endpointModelFlag} goes with ${specFlag} URL (an http(s) endpoint)`);
}

/**
 * A second model as judge, started the first time it is asked: a GGUF in its own engine process (its
 * weights and context in memory beside the rewriting model's) or an endpoint client. `onLoad` says when.
 */
export function lazyJudge(s: JudgeModelSpec, signal: AbortSignal, onLoad?: (name: string) => void): LazyGenerator {
  return new LazyGenerator(async () => {
    const g = await openJudge(s, signal);
    onLoad?.(g.model ? `${g.model.name} (${path.basename(g.model.file)})` : g.name);
    return g;
  });
}

/** Opens a judge model now: a GGUF in its own engine process, or an endpoint client (no request sent yet). */
export async function openJudge(s: JudgeModelSpec, signal: AbortSignal): Promise<SpecGenerator> {
  const g = await generatorFromSpec(s.spec, {
    endpointModel: s.endpointModel,
    endpointModelFlag: s.endpointModelFlag,
    apiKey: s.apiKey,
    engine: s.engine,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    ...(s.onLoadProgress ? { onLoadProgress: s.onLoadProgress } : {}),
    signal,
  });
  if (g.model && isTestModel(g.model))
    process.stderr.write(`note: the judge ${g.model.name} has random weights; its scores are random.\n`);
  return g;
}
