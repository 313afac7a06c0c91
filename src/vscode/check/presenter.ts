// How a style check shows: each paragraph's level as a quiet hint after its first line (theme colours,
// toggled from the status bar), and an Information diagnostic with the judge's critique on each paragraph
// off the target, listed in the Problems panel like any linter's. Nothing here changes the text.
import * as vscode from 'vscode';
import type { CheckReport } from '../../core/check';
import { levelName, type Rubric } from '../../core/rubrics';

export const DIAGNOSTIC_SOURCE = 'CPT Writer';
export const DIAGNOSTIC_CODE = 'style-level';

export interface Shown {
  report: CheckReport;
  rubric: Rubric;
  /** The offsets the report's paragraphs refer to belong to this version of the document. */
  version: number;
}

export class StyleCheckPresenter implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('cptWriter.styleCheck');
  private readonly hint = vscode.window.createTextEditorDecorationType({
    after: {
      color: new vscode.ThemeColor('editorCodeLens.foreground'),
      fontStyle: 'italic',
      margin: '0 0 0 1.5em',
    },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly status = vscode.window.createStatusBarItem(
    'cptWriter.styleLevels',
    vscode.StatusBarAlignment.Right,
    90,
  );
  private readonly shown = new Map<string, Shown>();
  private hintsOn = true;
  private readonly subs: vscode.Disposable[];

  constructor() {
    this.status.name = vscode.l10n.t('CPT Writer Style Levels');
    this.status.command = 'cptWriter.toggleStyleLevels';
    this.subs = [
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshEditors()),
      vscode.window.onDidChangeActiveTextEditor(() => this.refreshStatus()),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
    ];
  }

  get(uri: vscode.Uri): Shown | undefined {
    return this.shown.get(uri.toString());
  }

  /** Shows `report` for the document (replacing what was shown for it). */
  show(doc: vscode.TextDocument, shown: Shown): void {
    this.shown.set(doc.uri.toString(), shown);
    const { report, rubric } = shown;
    const diags: vscode.Diagnostic[] = [];
    for (const p of report.paragraphs) {
      if (!p.offTarget || report.target === undefined) continue;
      const range = new vscode.Range(doc.positionAt(p.start), doc.positionAt(p.end));
      const message = vscode.l10n.t(
        'Reads at level {0} ({1}, score {2}); the target is level {3} ({4}).',
        p.level!,
        levelName(rubric, p.level!),
        p.score!,
        report.target,
        levelName(rubric, report.target),
      );
      const d = new vscode.Diagnostic(
        range,
        p.critique ? `${message} ${p.critique}` : message,
        vscode.DiagnosticSeverity.Information,
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.code = DIAGNOSTIC_CODE;
      diags.push(d);
    }
    this.diagnostics.set(doc.uri, diags);
    this.refreshEditors();
  }

  clear(uri: vscode.Uri): void {
    this.shown.delete(uri.toString());
    this.diagnostics.delete(uri);
    this.refreshEditors();
  }

  toggleHints(): boolean {
    this.hintsOn = !this.hintsOn;
    this.refreshEditors();
    return this.hintsOn;
  }

  get hintsVisible(): boolean {
    return this.hintsOn;
  }

  private refreshEditors(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const shown = this.shown.get(editor.document.uri.toString());
      if (!shown || !this.hintsOn || shown.version !== editor.document.version) {
        editor.setDecorations(this.hint, []);
        continue;
      }
      const doc = editor.document;
      const hints: vscode.DecorationOptions[] = [];
      for (const p of shown.report.paragraphs) {
        if (p.status !== 'scored') continue;
        const line = doc.lineAt(doc.positionAt(p.start).line);
        hints.push({
          range: new vscode.Range(line.range.end, line.range.end),
          renderOptions: {
            after: { contentText: `L${p.level} ${levelName(shown.rubric, p.level!)} · ${p.score}` },
          },
        });
      }
      editor.setDecorations(this.hint, hints);
    }
    this.refreshStatus();
  }

  private refreshStatus(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const shown = doc && this.shown.get(doc.uri.toString());
    if (!shown) {
      this.status.hide();
      return;
    }
    const { report, rubric } = shown;
    const target = report.target === undefined ? '–' : String(report.target);
    this.status.text =
      `${this.hintsOn ? '$(eye)' : '$(eye-closed)'} ${rubric.title} ${target}: ` + `${report.counts.offTarget}`;
    this.status.tooltip = vscode.l10n.t(
      '{0} of {1} paragraphs off target level {2}. Click to {3} the level hints.',
      report.counts.offTarget,
      report.paragraphs.length,
      target,
      this.hintsOn ? vscode.l10n.t('hide') : vscode.l10n.t('show'),
    );
    this.status.show();
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.diagnostics.dispose();
    this.hint.dispose();
    this.status.dispose();
  }
}
