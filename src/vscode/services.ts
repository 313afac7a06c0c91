// Every long-lived piece of the extension, built once in activate(); commands, status bar items and
// the sidebar reach the services only through this object.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptMode } from '../core/prompts';
import { resolvePromptMode, rewritePromptPrefix } from '../core/rewrite';
import type { ModelStatus as SidebarModelStatus } from '../shared/protocol';
import { onDidChangeConfig, readConfig } from './config';
import { CurrentStyle, createStyleStatusBar } from './current-style';
import { FeedbackRecorder } from './feedback-recorder';
import { createChannelLogger, errorMessage } from './log';
import type { ChannelLogger } from './log';
import { ModelService } from './model-service';
import type { ModelStatus } from './model-service';
import { createModelStatusBar } from './model-status-bar';
import { Notifier } from './notify';
import { RewriteController } from './preview/rewrite-controller';
import { RubricService } from './rubric-service';
import type { SidebarDeps } from './sidebar/deps';

export interface Services {
  readonly logger: ChannelLogger;
  readonly notifier: Notifier;
  readonly models: ModelService;
  readonly rubrics: RubricService;
  readonly style: CurrentStyle;
  readonly feedback: FeedbackRecorder;
  readonly rewrite: RewriteController;
  /** The prompt mode the next rewrite uses ('auto' resolved against the loaded or chosen model). */
  promptMode(): PromptMode;
}

const PREWARM_DELAY_MS = 400;

export function createServices(context: vscode.ExtensionContext): Services {
  const logger = createChannelLogger('CPT Writer');
  const notifier = new Notifier(() => logger.show());
  const storage = context.globalStorageUri.fsPath;
  const models = new ModelService({
    logger, notifier,
    defaultModelsDir: path.join(storage, 'models'),
    processEntry: context.asAbsolutePath(path.join('dist', 'engine-process.js')),
  });
  const rubrics = new RubricService(logger, notifier);
  const style = new CurrentStyle(context.workspaceState);
  const feedback = new FeedbackRecorder(storage, logger);
  const rewrite = new RewriteController({ models, feedback, notifier, logger });

  const promptMode = (): PromptMode => {
    const s = models.status;
    const model = s.state === 'ready' ? s.model : s.state === 'none' ? undefined : { name: s.name };
    return resolvePromptMode(readConfig().promptMode, model);
  };

  // Choosing a style evaluates its system prompt ahead of time, so the next rewrite starts at once.
  let prewarmTimer: NodeJS.Timeout | undefined;
  const prewarm = () => {
    if (prewarmTimer) clearTimeout(prewarmTimer);
    prewarmTimer = setTimeout(async () => {
      prewarmTimer = undefined;
      const status = models.status;
      if (status.state !== 'ready' || rewrite.snapshot().phase !== 'idle') return;
      const current = style.get();
      const rubric = await rubrics.get(current.rubricId);
      if (!rubric) return;
      const ready = await models.ensureReady();
      if (!ready) return;
      try {
        const languageId = vscode.window.activeTextEditor?.document.languageId;
        const { system, userPrefix } = rewritePromptPrefix({ rubric, level: current.level }, promptMode(), languageId);
        const r = await ready.engine.prewarm(system, { userPrefix });
        logger.debug(`prewarmed ${rubric.id} level ${current.level}: ${r.tokens} tokens in ${Math.round(r.ms)} ms`);
      } catch (err) {
        logger.debug(`prewarm skipped: ${errorMessage(err)}`);
      }
    }, PREWARM_DELAY_MS);
  };

  context.subscriptions.push(
    logger, models, rubrics, style, rewrite,
    createModelStatusBar(models),
    createStyleStatusBar(style, rubrics),
    style.onDidChange(prewarm),
    models.onDidChange((s) => { if (s.state === 'ready') prewarm(); }),
    onDidChangeConfig((change) => {
      if (change.engine) models.settingsChanged();
      if (change.rubrics) rubrics.invalidate();
      if (change.style) style.defaultsChanged();
    }),
    { dispose: () => { if (prewarmTimer) clearTimeout(prewarmTimer); } },
  );
  void rubrics.list();
  return { logger, notifier, models, rubrics, style, feedback, rewrite, promptMode };
}

/** The model status in the sidebar protocol's terms. */
export function sidebarModelStatus(s: ModelStatus): SidebarModelStatus {
  switch (s.state) {
    case 'none': return { state: 'none' };
    case 'unloaded': return { state: 'none', name: s.name };
    case 'loading': return { state: 'loading', name: s.name, percent: Math.round(s.fraction * 100) };
    case 'error': return { state: 'error', name: s.name, error: s.message };
    case 'ready': {
      const warnings = [
        s.testModel ? 'random-weight test model: its output is gibberish' : undefined,
        s.gpuFallback ? `GPU fallback: ${s.gpuFallback}` : undefined,
      ].filter((w): w is string => !!w);
      return { state: 'ready', name: s.model.name, backend: s.backend, gpuLayers: s.gpuLayers, totalLayers: s.totalLayers, warning: warnings.length ? warnings.join('; ') : undefined };
    }
  }
}

/**
 * What the sidebar needs, from these services. `startRewrite` runs the same command as the palette so
 * every entry point behaves alike.
 */
export function sidebarDeps(services: Services): SidebarDeps & vscode.Disposable {
  const { rubrics, style, models, rewrite, logger } = services;
  const rubricsChanged = new vscode.EventEmitter<void>();
  const historyChanged = new vscode.EventEmitter<void>();
  const subs = [rubrics.onDidChange(() => rubricsChanged.fire()), rewrite.onDidChangeHistory(() => historyChanged.fire())];
  const modelStatusChanged = new vscode.EventEmitter<SidebarModelStatus>();
  subs.push(models.onDidChange((s) => modelStatusChanged.fire(sidebarModelStatus(s))));
  void rubrics.list().then(() => rubricsChanged.fire());
  const deps: SidebarDeps & vscode.Disposable = {
    logger,
    getRubrics: () => rubrics.latest.rubrics,
    getRubricProblems: () => rubrics.latest.problems,
    onDidChangeRubrics: rubricsChanged.event,
    getStyle: () => style.get(),
    setStyle: (s) => style.set({ rubricId: s.rubricId, level: s.level }),
    onDidChangeStyle: style.onDidChange,
    getPromptMode: () => services.promptMode(),
    getModelStatus: () => sidebarModelStatus(models.status),
    onDidChangeModelStatus: modelStatusChanged.event,
    startRewrite: () => new Promise<void>((resolve) => {
      const first = rewrite.onDidRewrite(() => { first.dispose(); resolve(); });
      void Promise.resolve(vscode.commands.executeCommand('cptWriter.rewriteSelectionWithCurrentStyle'))
        .catch((err) => logger.error(`sidebar rewrite failed: ${errorMessage(err)}`))
        .finally(() => { first.dispose(); resolve(); });
    }),
    cancelRewrite: () => { rewrite.cancel(); },
    onDidRewrite: rewrite.onDidRewrite,
    getHistory: () => rewrite.history(),
    onDidChangeHistory: historyChanged.event,
    newRubric: async () => {
      await vscode.commands.executeCommand('cptWriter.newRubric');
    },
    dispose: () => { for (const d of subs) d.dispose(); rubricsChanged.dispose(); historyChanged.dispose(); modelStatusChanged.dispose(); },
  };
  return deps;
}
