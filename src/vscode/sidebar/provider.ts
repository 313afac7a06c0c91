// The sidebar's WebviewViewProvider: serves the webview's HTML (strict CSP, nonce'd module script,
// media/ as the only resource root), keeps the state the webview shows, and translates between the
// typed protocol and SidebarDeps. The webview is thrown away whenever the view is hidden
// (retainContextWhenHidden is off), so the provider is the source of truth: on every 'ready' it sends
// the full state, and before that it posts nothing.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { RubricProblem } from '../../core/rubrics/types';
import {
  describeMessage,
  isHostToWebview,
  isWebviewToHost,
  type HostToWebview,
  type ProblemView,
  type RewriteView,
  type SidebarState,
  type StyleChoice,
  type WebviewToHost,
} from '../../shared/protocol';
import { cleanModelStatus, cleanStats, toRubricView } from './views';
import type { SidebarDeps } from './deps';
import { errorMessage } from '../../core/errors';
import { localizeMarkupLines } from '../../core/markup/compare';

/** Streamed text is posted at most this often, so a fast model does not flood the webview. */
const TOKEN_FLUSH_MS = 30;

export class SidebarProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'cptWriter.sidebar';

  private view: vscode.WebviewView | undefined;
  private ready = false;
  /** The rewrite view last posted (or sent with the full state). */
  private posted: RewriteView | undefined;
  private tokenTimer: ReturnType<typeof setTimeout> | undefined;
  private problems: readonly RubricProblem[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private viewDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: SidebarDeps,
  ) {
    // Subscribed for the provider's whole life, not the view's: a rewrite started from the palette
    // while the sidebar is closed must still be there, with its text, when the sidebar opens.
    this.disposables.push(
      deps.onDidChangeRewriteView((view) => this.onRewriteView(view)),
      deps.onDidChangeRubrics(() => this.post(this.rubricsMessage())),
      deps.onDidChangeStyle((style) => this.post({ type: 'style', style, promptMode: deps.getPromptMode() })),
      deps.onDidChangeModelStatus((model) =>
        this.post({ type: 'model', model: cleanModelStatus(model), promptMode: deps.getPromptMode() }),
      ),
      deps.onDidChangeHistory(() => this.post({ type: 'history', history: [...deps.getHistory()] })),
      deps.onDidChangeStyleCheck(() => this.post(this.styleCheckMessage())),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('cptWriter.promptMode')) {
          this.post({
            type: 'model',
            model: cleanModelStatus(deps.getModelStatus()),
            promptMode: deps.getPromptMode(),
          });
        }
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    this.ready = false;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    view.webview.html = this.html(view.webview, media);
    this.viewDisposables.push(
      view.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      // Hiding destroys the page; it says 'ready' again when shown, and gets the full state then.
      view.onDidChangeVisibility(() => {
        if (!view.visible) this.ready = false;
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
        }
        this.disposeView();
      }),
    );
  }

  /** The state the webview renders from; sent in full on every 'ready'. */
  fullState(): SidebarState {
    const d = this.deps;
    this.problems = d.getRubricProblems();
    return {
      rubrics: d.getRubrics().map(toRubricView),
      problems: this.problems.map(toProblemView),
      style: d.getStyle(),
      promptMode: d.getPromptMode(),
      model: cleanModelStatus(d.getModelStatus()),
      history: [...d.getHistory()],
      rewrite: this.rewriteView(),
      styleCheck: d.getStyleCheck(),
    };
  }

  private styleCheckMessage(): HostToWebview {
    const styleCheck = this.deps.getStyleCheck();
    return styleCheck ? { type: 'styleCheck', styleCheck } : { type: 'styleCheck' };
  }

  dispose(): void {
    this.disposeView();
    if (this.tokenTimer) clearTimeout(this.tokenTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private disposeView(): void {
    for (const d of this.viewDisposables.splice(0)) d.dispose();
  }

  private rubricsMessage(): HostToWebview {
    this.problems = this.deps.getRubricProblems();
    return {
      type: 'rubrics',
      rubrics: this.deps.getRubrics().map(toRubricView),
      problems: this.problems.map(toProblemView),
      promptMode: this.deps.getPromptMode(),
    };
  }

  private post(message: HostToWebview): void {
    if (!this.view || !this.ready) return;
    // The webview drops what it cannot validate; say so here, where the cause can be found.
    if (!isHostToWebview(message)) {
      this.deps.logger.error(
        `sidebar: not posting a message that fails the protocol's validation (${describeMessage(message)})`,
      );
      return;
    }
    this.view.webview.postMessage(message).then(undefined, (err: unknown) => {
      this.deps.logger.warn(`sidebar: could not post ${message.type}: ${String(err)}`);
    });
  }

  /** The rewrite view as the webview gets it: stats made valid, markup lines in the writer's language. */
  private rewriteView(): RewriteView | undefined {
    const view = this.deps.getRewriteView();
    this.posted = view;
    if (!view) return undefined;
    return {
      ...view,
      ...(view.stats ? { stats: cleanStats(view.stats) } : {}),
      // Markup lines come from core in English (as logged); the page shows them in the writer's language.
      ...(view.markupLost ? { markupLost: localizeMarkupLines(view.markupLost, vscode.l10n.t) } : {}),
    };
  }

  /** Whether rewrite `id` is the one shown and its preview is open (finished, not decided or closed). */
  private inPreview(id: string): boolean {
    const shown = this.deps.getRewriteView();
    return shown?.id === id && shown.phase === 'done';
  }

  private onRewriteView(view: RewriteView): void {
    // More text of the rewrite already streaming waits for the next flush; anything else goes at once.
    const more = view.phase === 'streaming' && this.posted?.id === view.id && this.posted.phase === 'streaming';
    if (more) this.tokenTimer ??= setTimeout(() => this.flushTokens(), TOKEN_FLUSH_MS);
    else this.flushTokens();
  }

  private flushTokens(): void {
    if (this.tokenTimer) {
      clearTimeout(this.tokenTimer);
      this.tokenTimer = undefined;
    }
    const rewrite = this.rewriteView();
    if (rewrite) this.post({ type: 'rewrite', rewrite });
  }

  private onMessage(m: unknown): void {
    if (!isWebviewToHost(m)) {
      this.deps.logger.warn(`sidebar: ignored a malformed or unknown webview message (${describeMessage(m)})`);
      return;
    }
    this.handle(m).catch((err: unknown) => {
      const message = errorMessage(err);
      this.deps.logger.error(`sidebar: ${m.type} failed: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('CPT Writer: {0}', message));
    });
  }

  private async handle(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.tokenTimer) clearTimeout(this.tokenTimer);
        this.tokenTimer = undefined;
        this.post({ type: 'state', state: this.fullState() });
        return;
      case 'setStyle':
        return this.setStyle(m.style);
      case 'rewrite': {
        const result = await this.deps.startRewrite(m.note);
        this.deps.logger.debug(`sidebar: rewrite ended its run as ${result?.outcome ?? 'no style chosen'}`);
        return;
      }
      case 'cancel':
        this.deps.cancelRewrite();
        return;
      case 'accept':
      case 'reject':
        // A button from a rewrite that is no longer the one in preview does nothing.
        if (!this.inPreview(m.id)) {
          this.deps.logger.info(`sidebar: ignored ${m.type} for rewrite ${m.id}, which is not in preview`);
          return;
        }
        await (m.type === 'accept' ? this.deps.acceptRewrite(m.id) : this.deps.rejectRewrite(m.id));
        return;
      case 'stepCandidate':
        if (!this.inPreview(m.id)) return;
        this.deps.stepCandidate(m.step);
        return;
      case 'selectModel':
        await this.deps.selectModel();
        return;
      case 'newRubric':
        await this.deps.newRubric();
        return;
      case 'openProblem':
        return this.openProblem(m.index);
      case 'revealLevel': {
        const line = await this.deps.revealLevel(m.level);
        this.deps.logger.debug(
          `sidebar: level ${m.level} revealed ${line === undefined ? 'nothing' : `line ${line + 1}`}`,
        );
        return;
      }
      default: {
        const never: never = m;
        this.deps.logger.warn(`sidebar: unhandled message ${describeMessage(never)}`);
      }
    }
  }

  private async setStyle(style: StyleChoice): Promise<void> {
    if (!this.deps.getRubrics().some((r) => r.id === style.rubricId)) {
      this.deps.logger.warn(`sidebar: ignored setStyle for unknown rubric ${JSON.stringify(style.rubricId)}`);
      return;
    }
    await this.deps.setStyle({ rubricId: style.rubricId, level: style.level });
  }

  /**
   * Opens a rubric file at its problem; by index into the list the host sent, so the webview cannot name arbitrary
   * files.
   */
  private async openProblem(index: number): Promise<void> {
    const p = this.problems[index];
    if (!p) return;
    const position = new vscode.Position(Math.max(0, p.line - 1), Math.max(0, p.col - 1));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(p.file));
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(position, position) });
  }

  private html(webview: vscode.Webview, media: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const uri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(media, ...parts)).toString();
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    // The page translates its own words with the bundle VS Code loaded for this extension (webview/l10n.ts).
    const bundle = vscode.l10n.bundle ? ` data-l10n="${escapeAttribute(JSON.stringify(vscode.l10n.bundle))}"` : '';
    return `<!DOCTYPE html>
<html lang="${escapeAttribute(vscode.env.language)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${uri('codicons', 'codicon.css')}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${uri('sidebar.css')}">
<title>CPT Writer</title>
</head>
<body${bundle}>
<main id="app" aria-busy="true"></main>
<script type="module" nonce="${nonce}" src="${uri('webview.js')}"></script>
</body>
</html>`;
  }
}

export function toProblemView(p: RubricProblem): ProblemView {
  return {
    file: vscode.workspace.asRelativePath(p.file),
    line: p.line,
    col: p.col,
    message: p.message,
    severity: p.severity ?? 'error',
  };
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
