// `npm start` only (scripts/start.mjs): the first screen of a fresh profile shows the product — the CPT
// Writer sidebar, a sample document with a sentence selected and a one-line hint of the first action — and
// a generated demo model is loaded at once so the status bar says it is one. Driven by the
// CPT_WRITER_START environment variable start.mjs gives code-server; without it (any normal install)
// this does nothing.
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { ModelService } from '../model/model-service';

export const START_ENV = 'CPT_WRITER_START';
/** Set once the layout was shown in this profile, so a later start keeps the writer's own layout. */
const SHOWN_KEY = 'cptWriter.start.layoutShown';
/** The view container contributed in package.json (viewsContainers.activitybar). */
const SIDEBAR_CONTAINER = 'workbench.view.extension.cptWriter';

export interface StartRequest {
  /** Absolute path of the sample document to open on the first start. */
  document?: string;
  /** 1-based line of that document to select. */
  line?: number;
  /** The configured model is start.mjs's generated demo model: load it now so the status bar says so. */
  demoModel?: boolean;
}

/** Reads CPT_WRITER_START; undefined when absent or not the JSON object start.mjs writes. */
export function readStartRequest(env: NodeJS.ProcessEnv, logger?: Logger): StartRequest | undefined {
  const raw = env[START_ENV];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    if (!v || typeof v !== 'object') throw new Error('not an object');
    const o = v as Record<string, unknown>;
    return {
      document: typeof o.document === 'string' ? o.document : undefined,
      line: typeof o.line === 'number' && Number.isInteger(o.line) && o.line > 0 ? o.line : undefined,
      demoModel: o.demoModel === true,
    };
  } catch (e) {
    logger?.warn(`${START_ENV} ignored: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

export interface StartLayoutDeps {
  request: StartRequest;
  globalState: vscode.Memento;
  models: ModelService;
  logger: Logger;
  /** Fires when a rewrite starts: the hint has done its job. */
  onDidRewrite: vscode.Event<unknown>;
}

/** Shows the first-start layout (once per profile) and loads the demo model (each start). */
export async function showStartLayout(deps: StartLayoutDeps): Promise<vscode.Disposable> {
  const { request, globalState, models, logger } = deps;
  const disposables: vscode.Disposable[] = [];
  if (request.document && !globalState.get<boolean>(SHOWN_KEY)) {
    await globalState.update(SHOWN_KEY, true);
    try {
      await vscode.commands.executeCommand(SIDEBAR_CONTAINER);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(request.document));
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      if (request.line && request.line <= doc.lineCount) {
        const line = doc.lineAt(request.line - 1);
        editor.selection = new vscode.Selection(line.range.start, line.range.end);
        editor.revealRange(line.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }
      const hint = vscode.window.setStatusBarMessage(
        request.line
          ? vscode.l10n.t(
              '$(lightbulb) CPT Writer: press Rewrite Selection in the sidebar to restyle the selected sentence',
            )
          : vscode.l10n.t('$(lightbulb) CPT Writer: select some text, then press Rewrite Selection in the sidebar'),
      );
      const sub = deps.onDidRewrite(() => {
        hint.dispose();
        sub.dispose();
      });
      disposables.push(hint, sub);
      logger.info(`start: showed the first-start layout (${request.document})`);
    } catch (e) {
      logger.warn(`start: could not show the first-start layout: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // Tiny and quick to load; once loaded the status bar item reads as a test model (warning colour) and
  // the writer is offered Select Model….
  if (request.demoModel) void models.ensureReady();
  return vscode.Disposable.from(...disposables);
}
