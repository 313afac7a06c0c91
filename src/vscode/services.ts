// The wiring: every long-lived piece of the extension, built once in activate() and disposed with it.
// Commands, status bar items, the feedback UI and the sidebar reach the services only through this object.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptMode } from '../core/prompts';
import { resolvePromptMode } from '../core/rewrite';
import { onDidChangeConfig, readConfig } from './common/config';
import { createChannelLogger } from './common/log';
import type { ChannelLogger } from './common/log';
import { Notifier } from './common/notify';
import { FeedbackRecorder } from './feedback/recorder';
import { JudgeService } from './judge/judge-service';
import { CudaBackend } from './model/cuda-backend';
import { ModelService } from './model/model-service';
import { registerPrewarm } from './model/prewarm';
import { selectModel } from './model/select-model';
import { ApiKeys, configuredServer, setApiKey } from './model/api-keys';
import { loadedModelIdentity } from './model/loaded-identity';
import { createModelStatusBar } from './model/status-bar';
import { RestrictedModeNotice } from './common/trust';
import type { ManifestKeybinding } from './preview/key-labels';
import { RewriteController } from './preview/rewrite-controller';
import { RubricService } from './rubrics/rubric-service';
import { StyleCheckController } from './check/controller';
import { CurrentStyle } from './style/current-style';
import { createStyleStatusBar } from './style/status-bar';

export interface Services {
  readonly logger: ChannelLogger;
  readonly notifier: Notifier;
  readonly models: ModelService;
  /** API keys of OpenAI-compatible servers, in SecretStorage (Set API Key…, the Generate teacher). */
  readonly apiKeys: ApiKeys;
  readonly rubrics: RubricService;
  readonly style: CurrentStyle;
  readonly feedback: FeedbackRecorder;
  readonly rewrite: RewriteController;
  /** Who judges: best-of-N candidates and Score Selection. */
  readonly judge: JudgeService;
  /** The CUDA backend folder in the extension's storage (Install / Remove CUDA Backend). */
  readonly cuda: CudaBackend;
  /** The style check of whole documents (diagnostics, level hints, background re-checks). */
  readonly styleCheck: StyleCheckController;
  /** Where the editor keeps its prompt cache (the extension's storage). */
  readonly promptCacheDir: string;
  /** The extension's globalState, for what commands remember between runs. */
  readonly memory: vscode.Memento;
  /** The prompt mode the next rewrite uses ('auto' resolved against the loaded or chosen model). */
  promptMode(): PromptMode;
  /** The model's status bar item (its tooltip carries the Restricted Mode note). */
  readonly modelStatusItem: vscode.StatusBarItem;
  /** Folders the extension may write to and read its shipped files from. */
  readonly paths: { globalStorage: string; workspaceStorage?: string; extensionRoot: string };
}

export function createServices(context: vscode.ExtensionContext): Services {
  const logger = createChannelLogger('CPT Writer');
  const notifier = new Notifier(() => logger.show());
  const storage = context.globalStorageUri.fsPath;
  const cuda = new CudaBackend(path.join(storage, 'backends'), logger);
  const promptCacheDir = path.join(storage, 'prompt-cache');
  const apiKeys = new ApiKeys(context.secrets);
  const models: ModelService = new ModelService({
    apiKeys,
    setApiKey: () => setApiKey(apiKeys, configuredServer()),
    logger,
    notifier,
    dirs: { models: path.join(storage, 'models'), promptCache: promptCacheDir },
    processEntry: context.asAbsolutePath(path.join('dist', 'engine-process.js')),
    selectModel: () => selectModel(models),
    engineEnv: () => cuda.engineEnv(),
  });
  const rubrics = new RubricService(logger, notifier);
  const style = new CurrentStyle(context.workspaceState);
  const feedback = new FeedbackRecorder(storage, logger);
  feedback.identify = async (model) => {
    const id = await loadedModelIdentity(models, model);
    return id && { label: id.label, fingerprint: id.fingerprint, adapters: id.adapters };
  };
  const judge = new JudgeService({
    models,
    logger,
    processEntry: context.asAbsolutePath(path.join('dist', 'engine-process.js')),
  });
  const rewrite = new RewriteController({
    models,
    feedback,
    notifier,
    logger,
    selectModel: () => selectModel(models),
    judge,
    keybindings:
      (context.extension.packageJSON as { contributes?: { keybindings?: ManifestKeybinding[] } }).contributes
        ?.keybindings ?? [],
  });

  const styleCheck = new StyleCheckController({ judge, rubrics, style, notifier, logger, storageDir: storage });

  const promptMode = (): PromptMode => {
    const s = models.status;
    const model = s.state === 'ready' ? s.model : s.state === 'none' ? undefined : { name: s.name };
    return resolvePromptMode(readConfig().promptMode, model);
  };

  const modelStatusBar = createModelStatusBar(models, new RestrictedModeNotice(logger));
  context.subscriptions.push(
    logger,
    apiKeys,
    apiKeys.onDidChange(() => models.apiKeyChanged()),
    models,
    rubrics,
    style,
    rewrite,
    judge,
    styleCheck,
    modelStatusBar,
    createStyleStatusBar(style, rubrics),
    registerPrewarm({ models, rubrics, style, logger, promptMode, idle: () => rewrite.snapshot().phase === 'idle' }),
    onDidChangeConfig((change) => {
      if (change.engine) models.settingsChanged();
      if (change.affects('unloadAfterMinutes')) models.idleSettingChanged();
      if (change.rubrics) rubrics.invalidate();
      if (change.style) style.defaultsChanged();
    }),
  );
  void rubrics.list();
  const paths = {
    globalStorage: storage,
    workspaceStorage: context.storageUri?.fsPath,
    extensionRoot: context.extensionPath,
  };
  return {
    logger,
    notifier,
    models,
    apiKeys,
    rubrics,
    style,
    feedback,
    rewrite,
    judge,
    styleCheck,
    cuda,
    promptCacheDir,
    memory: context.globalState,
    promptMode,
    modelStatusItem: modelStatusBar.item,
    paths,
  };
}
