// The sidebar's dependencies, built from the extension's services and the rewrite actions: what
// registerSidebar() is given. Every action is a direct, typed call (Go to Definition follows it); the
// sidebar runs the same functions the commands do, so every entry point behaves alike.
import * as vscode from 'vscode';
import type { ModelStatusView } from '../../shared/protocol';
import { selectModel } from '../model/select-model';
import type { RewriteActions } from '../preview/rewrite-actions';
import { newRubric } from '../rubrics/new-rubric';
import type { Services } from '../services';
import type { SidebarDeps } from './deps';
import { toModelStatusView } from './views';

export function sidebarDeps(services: Services, actions: RewriteActions): SidebarDeps & vscode.Disposable {
  const { rubrics, style, models, rewrite, logger, notifier, styleCheck } = services;
  // The document the histogram is about: the active text editor's; focus in the sidebar keeps the last one.
  let checked = vscode.window.activeTextEditor?.document.uri;
  const styleCheckChanged = new vscode.EventEmitter<void>();
  const rubricsChanged = new vscode.EventEmitter<void>();
  const historyChanged = new vscode.EventEmitter<void>();
  const modelStatusChanged = new vscode.EventEmitter<ModelStatusView>();
  const subs = [
    rubrics.onDidChange(() => rubricsChanged.fire()),
    rewrite.onDidChangeHistory(() => historyChanged.fire()),
    models.onDidChange((s) => modelStatusChanged.fire(toModelStatusView(s, vscode.l10n.t))),
    vscode.window.onDidChangeActiveTextEditor((e) => {
      if (!e || e.document.uri.toString() === checked?.toString()) return;
      checked = e.document.uri;
      styleCheckChanged.fire();
    }),
    styleCheck.presenter.onDidChange((uri) => {
      if (uri.toString() === checked?.toString()) styleCheckChanged.fire();
    }),
  ];
  void rubrics.list().then(() => rubricsChanged.fire());
  return {
    logger,
    getRubrics: () => rubrics.latest.rubrics,
    getRubricProblems: () => rubrics.latest.problems,
    onDidChangeRubrics: rubricsChanged.event,
    getStyle: () => style.get(),
    setStyle: (s) => style.set({ rubricId: s.rubricId, level: s.level }),
    onDidChangeStyle: style.onDidChange,
    getPromptMode: () => services.promptMode(),
    getModelStatus: () => toModelStatusView(models.status, vscode.l10n.t),
    onDidChangeModelStatus: modelStatusChanged.event,
    startRewrite: (note) => actions.rewriteWithCurrentStyle(note ? { note } : {}),
    cancelRewrite: () => {
      rewrite.cancel();
    },
    acceptRewrite: (previewId) => rewrite.accept(previewId),
    rejectRewrite: (previewId) => rewrite.reject(previewId),
    stepCandidate: (step) => rewrite.stepCandidate(step),
    getRewriteView: () => rewrite.view.current(),
    onDidChangeRewriteView: rewrite.view.onDidChange,
    selectModel: () => selectModel(models),
    getHistory: () => rewrite.history(),
    onDidChangeHistory: historyChanged.event,
    newRubric: () => newRubric(rubrics, notifier),
    getStyleCheck: () => (checked ? styleCheck.sidebarView(checked) : undefined),
    onDidChangeStyleCheck: styleCheckChanged.event,
    revealLevel: async (level) => (checked ? styleCheck.revealLevel(checked, level) : undefined),
    dispose: () => {
      styleCheckChanged.dispose();
      for (const d of subs) d.dispose();
      rubricsChanged.dispose();
      historyChanged.dispose();
      modelStatusChanged.dispose();
    },
  };
}
