// The sidebar's dependencies, built from the extension's services: what registerSidebar() is given.
import * as vscode from 'vscode';
import type { ModelStatus as SidebarModelStatus } from '../../shared/protocol';
import { errorMessage } from '../common/log';
import type { Services } from '../services';
import type { SidebarDeps } from './deps';
import { sidebarModelStatus } from './views';

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
