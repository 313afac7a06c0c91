// cptWriter.model set to an OpenAI-compatible server: instead of starting the engine, the model service
// asks the server what it serves (so a server that is down, a missing key or a wrong model name is told
// before the first rewrite, with a next step) and hands out the server as an Engine, so the rewrite, the
// judge, Score Selection and Evaluate Model use it unchanged. There is no prewarm and no prompt cache:
// the server keeps its own.
import * as vscode from 'vscode';
import { isCptTunedName } from '../../core/engine';
import type { Engine, EngineInfo, ModelInfo } from '../../core/engine';
import { EndpointGenerator, displayUrl, endpointErrorCode, listServedModels } from '../../core/endpoint';
import type { Logger } from '../../core/log';
import { errorMessage } from '../common/log';
import type { Notifier } from '../common/notify';
import type { ModelStatus, ReadyEngine } from './model-status';

/** What the writer is offered next after a failed connection. */
export type EndpointNextStep = 'setApiKey' | 'selectModel' | 'openSettings';

export type EndpointConnection =
  | { ok: true; engine: Engine; model: ModelInfo; server: string; served: string }
  | { ok: false; message: string; next: EndpointNextStep };

export interface ConnectOptions {
  spec: string;
  /** cptWriter.endpointModel. */
  servedModel: string;
  apiKey?: string;
  logger: Logger;
  /** How long the model list may take (default 10 s). */
  timeoutMs?: number;
}

/** Asks the server for its models and, when it serves `servedModel`, returns it as an Engine. */
export async function connectEndpoint(o: ConnectOptions): Promise<EndpointConnection> {
  const server = displayUrl(o.spec);
  if (!o.servedModel) {
    return {
      ok: false,
      message: vscode.l10n.t(
        'CPT Writer: {0} is a server; set cptWriter.endpointModel to the model it serves, or pick one with Select ' +
          'Model….',
        server,
      ),
      next: 'selectModel',
    };
  }
  let served: string[];
  try {
    served = await listServedModels(o.spec, { apiKey: o.apiKey, timeoutMs: o.timeoutMs ?? 10_000 });
  } catch (err) {
    return { ok: false, ...failure(server, err, o.apiKey !== undefined) };
  }
  if (!served.includes(o.servedModel)) {
    const list = served.length ? served.slice(0, 8).join(', ') + (served.length > 8 ? ', …' : '') : '—';
    return {
      ok: false,
      message: vscode.l10n.t(
        'CPT Writer: {0} does not serve the model "{1}" (it serves: {2}). Pick one with Select Model….',
        server,
        o.servedModel,
        list,
      ),
      next: 'selectModel',
    };
  }
  const generator = new EndpointGenerator({
    baseURL: o.spec,
    model: o.servedModel,
    apiKey: o.apiKey,
    logger: o.logger,
  });
  const model: ModelInfo = {
    name: o.servedModel,
    // The model field of every feedback event and report names the server here (redacted), as a GGUF path would.
    file: server,
    sizeBytes: 0,
    trainedContextSize: 0,
    architecture: 'server',
    // Prompt mode auto reads a served name as it reads a file name.
    cptTuned: isCptTunedName(o.servedModel),
  };
  return { ok: true, engine: endpointEngine(generator, model, server), model, server, served: o.servedModel };
}

/** The message and next step for a failed model-list request. */
export function failure(server: string, err: unknown, hadKey: boolean): { message: string; next: EndpointNextStep } {
  const detail = errorMessage(err);
  switch (endpointErrorCode(err)) {
    case 'AUTH':
      return {
        message: hadKey
          ? vscode.l10n.t('CPT Writer: {0} refused the stored API key. Set the right one with Set API Key….', server)
          : vscode.l10n.t('CPT Writer: {0} needs an API key. Set it with Set API Key….', server),
        next: 'setApiKey',
      };
    case 'UNREACHABLE':
    case 'TIMEOUT':
      return {
        message: vscode.l10n.t(
          'CPT Writer: {0}. Start the server, or pick another model with Select Model…. Your text is unchanged.',
          detail,
        ),
        next: 'selectModel',
      };
    case 'NOT_OPENAI':
    case 'CONFIG':
      return {
        message: vscode.l10n.t(
          'CPT Writer: {0}. Check cptWriter.model (an API root such as http://localhost:11434/v1).',
          detail,
        ),
        next: 'openSettings',
      };
    default:
      return {
        message: vscode.l10n.t('CPT Writer: {0} could not list its models: {1}', server, detail),
        next: 'selectModel',
      };
  }
}

/** A server's generator with the engine's surface: nothing to load, prewarm or unload. */
function endpointEngine(generator: EndpointGenerator, model: ModelInfo, server: string): Engine {
  const info: EngineInfo = { backend: 'cpu', gpuLayers: 0, totalLayers: 0, contextSize: 0, threads: 0, model };
  return {
    generate: (req) => generator.generate(req),
    load: async () => model,
    prewarm: () => Promise.reject(new Error(`${server} keeps its own prompt cache; nothing to prewarm`)),
    info: async () => info,
    unload: async () => false,
    isLoaded: true,
    onCrash: () => ({ dispose: () => undefined }),
    dispose: async () => undefined,
  };
}

/** "model @ host:port": how the status bar names a served model before and after it connects. */
export function endpointStatusName(spec: string, servedModel: string): string {
  let host = displayUrl(spec);
  try {
    host = new URL(spec.trim()).host;
  } catch {
    /* displayUrl already said it is invalid */
  }
  return servedModel ? `${servedModel} @ ${host}` : host;
}

export interface ReadyEndpointContext extends ConnectOptions {
  notifier: Notifier;
}

export interface ReadyEndpointHooks {
  set(status: ModelStatus): void;
  selectModel(): unknown;
  setApiKey(): unknown;
}

/** Connects to the configured server, publishing the status; tells the writer what went wrong and what next. */
export async function readyEndpoint(
  c: ReadyEndpointContext,
  hooks: ReadyEndpointHooks,
): Promise<ReadyEngine | undefined> {
  const name = endpointStatusName(c.spec, c.servedModel);
  const server = displayUrl(c.spec);
  hooks.set({ state: 'loading', spec: c.spec, name, phase: 'load', fraction: 0 });
  c.logger.info(`connecting to ${server} for the model ${c.servedModel || '(none named)'}`);
  const r = await connectEndpoint(c);
  if (!r.ok) {
    c.logger.error(r.message);
    hooks.set({ state: 'error', spec: c.spec, name, message: r.message });
    const action =
      r.next === 'setApiKey'
        ? { title: vscode.l10n.t('Set API Key…'), run: () => hooks.setApiKey() }
        : r.next === 'selectModel'
          ? { title: vscode.l10n.t('Select Model…'), run: () => hooks.selectModel() }
          : {
              title: vscode.l10n.t('Open Settings'),
              // VS Code's own command: the Settings editor filtered to the model setting.
              run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'cptWriter.model'),
            };
    c.notifier.error(r.message, action);
    return undefined;
  }
  const status: Extract<ModelStatus, { state: 'ready' }> = {
    state: 'ready',
    spec: c.spec,
    name,
    model: r.model,
    backend: 'cpu',
    gpuLayers: 0,
    totalLayers: 0,
    testModel: false,
    endpoint: { server: r.server, model: r.served },
  };
  c.logger.info(
    `model ready: ${r.served} served by ${r.server}${c.apiKey ? ' (with the stored API key)' : ''}; ` +
      'no prewarm and no prompt cache here (the server keeps its own)',
  );
  hooks.set(status);
  return { engine: r.engine, model: r.model, status };
}
