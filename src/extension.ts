// Entry point. Activation waits for startup to finish (onStartupFinished: the lightbulb's code actions
// must be there before any command has run; commands and the sidebar view also activate it) and is
// cheap: the engine process starts on the first rewrite, not here.
import * as vscode from 'vscode';
import { extensionApi } from './vscode/api';
import type { CptWriterApi } from './vscode/api';
import { registerCommands } from './vscode/commands';
import { registerFeedbackUi } from './vscode/feedback';
import type { FeedbackUi } from './vscode/feedback';
import { createServices } from './vscode/services';
import type { Services } from './vscode/services';
import { createRewriteActions } from './vscode/preview/rewrite-actions';
import { registerQuickAccess } from './vscode/quick-access/code-actions';
import { registerSidebar } from './vscode/sidebar';
import { sidebarDeps } from './vscode/sidebar/adapter';
import { readStartRequest, showStartLayout } from './vscode/start/start-layout';
import { WalkthroughProgress, openWalkthrough, trackWalkthrough } from './vscode/start/walkthrough-progress';

let services: Services | undefined;
let feedbackUi: FeedbackUi | undefined;

export function activate(context: vscode.ExtensionContext): CptWriterApi {
  const s = createServices(context);
  services = s;
  const actions = createRewriteActions({ ...s, notesState: context.globalState });
  const feedback = registerFeedbackUi(context, s);
  feedbackUi = feedback;
  const deps = sidebarDeps(s, actions);
  context.subscriptions.push(deps, ...registerCommands(s, actions, feedback), feedback);
  // The walkthrough ticks from what was done (kept in globalState), whenever the Welcome page opens.
  context.subscriptions.push(
    trackWalkthrough(new WalkthroughProgress(context.globalState, context.extension.id), {
      onDidChooseModel: (listener) =>
        vscode.Disposable.from(
          vscode.workspace.onDidChangeConfiguration((e) => {
            if (e.affectsConfiguration('cptWriter.model')) listener(e);
          }),
          s.models.onDidChange((status) => {
            if (status.state === 'ready' && !status.testModel) listener(status);
          }),
        ),
      onDidPickStyle: s.style.onDidChange,
      onDidRewrite: s.rewrite.onDidRewrite,
      onDidEnd: s.rewrite.onDidEnd,
      onDidBuildPairs: feedback.onDidBuildPairs,
    }),
  );
  context.subscriptions.push(
    vscode.commands.registerCommand('cptWriter.getStarted', () => openWalkthrough(context.extension.id)),
  );
  context.subscriptions.push(
    registerQuickAccess({
      rubrics: s.rubrics,
      style: s.style,
      rewriteActive: () => s.rewrite.presenter.contextKeys().rewriteActive,
    }),
  );
  registerSidebar(context, deps);
  // Only under `npm start` (scripts/start.mjs sets the variable): the first screen shows the product.
  const start = readStartRequest(process.env, s.logger);
  if (start) {
    void showStartLayout({
      request: start,
      globalState: context.globalState,
      models: s.models,
      logger: s.logger,
      onDidRewrite: s.rewrite.onDidRewrite,
    }).then((d) => context.subscriptions.push(d));
  }
  s.logger.info(
    `CPT Writer ${String(context.extension.packageJSON.version)} activated (${vscode.env.appName}, ` +
      `${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} ` +
      `UI${vscode.env.remoteName ? `, remote ${vscode.env.remoteName}` : ''}; workspace ` +
      `${vscode.workspace.isTrusted ? 'trusted' : 'untrusted'}; ${vscode.ExtensionMode[context.extensionMode]} mode)`,
  );
  return extensionApi(context.extensionMode, () => ({
    setEngineFactory: (factory) => s.models.setEngineFactory(factory),
    messages: () => s.notifier.messages(),
    services: s,
    feedback,
  }));
}

/** Stops the engine process; VS Code waits for the returned promise. */
export async function deactivate(): Promise<void> {
  const s = services;
  services = undefined;
  if (!s) return;
  // Edits made after an accept and not yet recorded are recorded now, before the last write.
  feedbackUi?.edits.settleAll('shutdown');
  feedbackUi = undefined;
  await s.feedback.flush();
  await s.models.shutdown();
}
