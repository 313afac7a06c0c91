// What the style check shows in words: the diagnostic, the level hint, the status bar item's tooltip and the
// sidebar's histogram. No vscode import: the caller passes vscode.l10n.t, and the unit tests a pseudo-locale
// translator, so every word is seen to go through the translation bundle.
import { levelCounts, type CheckedParagraph, type CheckReport } from '../../core/check';
import { levelName, type Level, type Rubric } from '../../core/rubrics';
import type { StyleCheckView } from '../../shared/protocol';
import { english, type Translate } from '../common/translate';

/** The Information diagnostic on an off-target paragraph, with the judge's critique (data) after it. */
export function diagnosticMessage(p: CheckedParagraph, rubric: Rubric, target: Level, t: Translate = english): string {
  const message = t(
    'Reads at level {0} ({1}, score {2}); the target is level {3} ({4}).',
    p.level!,
    levelName(rubric, p.level!),
    p.score!,
    target,
    levelName(rubric, target),
  );
  return p.critique ? `${message} ${p.critique}` : message;
}

/** The quiet hint after a scored paragraph's first line: "L2 Casual · 30". */
export function hintText(p: CheckedParagraph, rubric: Rubric, t: Translate = english): string {
  return t('L{0} {1} · {2}', p.level!, levelName(rubric, p.level!), p.score!);
}

/** The status bar item: its text (an icon, the rubric's title, the target and the off-target count) and tooltip. */
export function statusLabels(
  report: CheckReport,
  rubric: Rubric,
  hintsOn: boolean,
  t: Translate = english,
): { text: string; tooltip: string } {
  const target = report.target === undefined ? '–' : String(report.target);
  const args = [report.counts.offTarget, report.paragraphs.length, target] as const;
  return {
    text: `${hintsOn ? '$(eye)' : '$(eye-closed)'} ${rubric.title} ${target}: ${report.counts.offTarget}`,
    // Two whole sentences rather than a verb pasted into one, so a translation can word each its own way.
    tooltip: hintsOn
      ? t('{0} of {1} paragraphs off target level {2}. Click to hide the level hints.', ...args)
      : t('{0} of {1} paragraphs off target level {2}. Click to show the level hints.', ...args),
  };
}

/** What the sidebar's histogram shows of a document's check: data only, the webview words it. */
export function toStyleCheckView(document: string, report: CheckReport, rubric: Rubric): StyleCheckView {
  return {
    document,
    rubricId: rubric.id,
    rubricTitle: rubric.title,
    levels: [...rubric.levels],
    ...(report.target !== undefined ? { target: report.target } : {}),
    counts: levelCounts(report),
    offTarget: report.counts.offTarget,
  };
}
