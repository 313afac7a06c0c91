// The two ways to start a rewrite, as functions: the command registry registers them under
// cptWriter.rewriteSelection / rewriteSelectionWithCurrentStyle, and the sidebar calls the second one
// directly, so every entry point behaves alike and resolves with the run's result. Both rewrite the
// selection, or with nothing selected the paragraph at the cursor.
import * as vscode from 'vscode';
import type { Level, Rubric } from '../../core/rubrics';
import type { Notifier } from '../common/notify';
import type { RubricService } from '../rubrics/rubric-service';
import type { StyleChoice } from '../../shared/protocol';
import type { CurrentStyle } from '../style/current-style';
import { pickLevel, type FlowStep } from '../style/pickers';
import { parseStyleArgs, resolveRubric } from '../style/select-style';
import type { StyleArgs } from '../style/select-style';
import { askNote, cleanNoteInput, RecentNotes } from './note-input';
import type { RewriteController, RewriteRunResult } from './rewrite-controller';

export interface RewriteActionDeps {
  rubrics: RubricService;
  style: CurrentStyle;
  rewrite: RewriteController;
  notifier: Notifier;
  /** Where the palette flow remembers the last notes (the extension's global state); none in some tests. */
  notesState?: vscode.Memento;
}

/** A style from arguments and, optionally, a one-off note ("keep it under 50 words"). */
export interface RewriteArgs extends StyleArgs {
  note?: string;
}

/** Reads `(rubricId, level)` or `({ rubricId, level, note })` (see parseStyleArgs). */
export function parseRewriteArgs(args: readonly unknown[]): RewriteArgs {
  const style = parseStyleArgs(args);
  const first = args[0];
  const note =
    first && typeof first === 'object' && !(first instanceof vscode.Uri)
      ? (first as { note?: unknown }).note
      : undefined;
  return typeof note === 'string' ? { ...style, note } : style;
}

export interface RewriteActions {
  /**
   * Rewrite Selection…: the style from `args` or the writer's picks, which also becomes the current
   * style; after picking a level the writer may add a note (skipped when `args` give the level).
   */
  rewriteSelection(args?: RewriteArgs): Promise<RewriteRunResult | undefined>;
  /** Rewrite Selection with Current Style (fields in `args` override it); asks for a style when its rubric is gone. */
  rewriteWithCurrentStyle(args?: RewriteArgs): Promise<RewriteRunResult | undefined>;
}

export function createRewriteActions(deps: RewriteActionDeps): RewriteActions {
  const { rubrics, style, rewrite, notifier } = deps;
  const recentNotes = new RecentNotes(deps.notesState);

  const rewriteWith = async (rubric: Rubric, level: Level, note: string | undefined): Promise<RewriteRunResult> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      const message = vscode.l10n.t('CPT Writer: open a document and select the text to rewrite first.');
      notifier.info(message);
      return { outcome: 'no-selection', message };
    }
    const cleaned = cleanNoteInput(note);
    return rewrite.run(editor, { rubric, level }, cleaned ? { note: cleaned } : {});
  };

  const rewriteSelection = async (args: RewriteArgs = {}): Promise<RewriteRunResult | undefined> => {
    const current = style.get();
    // Steps counted over the pickers this run shows: rubric, level, note; the level and note alone
    // when the rubric is given.
    const total = (args.rubricId ? 0 : 1) + (args.level ? 0 : 1) + (args.level || args.note !== undefined ? 0 : 1);
    let step = 0;
    const next = (): FlowStep => ({ step: ++step, totalSteps: total });
    const rubric = await resolveRubric(deps, args, current.rubricId, args.rubricId ? undefined : next());
    if (!rubric) return undefined;
    let note = args.note;
    let level = args.level;
    if (!level) {
      level = await pickLevel(rubric, rubric.id === current.rubricId ? current.level : undefined, next());
      if (!level) return undefined;
      if (note === undefined) {
        note = await askNote(recentNotes, vscode.l10n.t('CPT Writer: note for this rewrite (optional)'), next());
        if (note === undefined) return undefined;
      }
    }
    await style.set({ rubricId: rubric.id, level });
    return rewriteWith(rubric, level, note);
  };

  const rewriteWithCurrentStyle = async (args: RewriteArgs = {}): Promise<RewriteRunResult | undefined> => {
    const current = style.get();
    const wanted: StyleChoice = { rubricId: args.rubricId ?? current.rubricId, level: args.level ?? current.level };
    const rubric = await rubrics.get(wanted.rubricId);
    if (!rubric) {
      notifier.warn(
        vscode.l10n.t('CPT Writer: the current style\'s rubric "{0}" is not available; pick a style.', wanted.rubricId),
      );
      return rewriteSelection(args.note !== undefined ? { note: args.note } : {});
    }
    return rewriteWith(rubric, wanted.level, args.note);
  };

  return { rewriteSelection, rewriteWithCurrentStyle };
}
