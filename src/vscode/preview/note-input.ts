// The optional one-off note of the palette flow, asked after the level: free text for this rewrite only
// ("keep it under 50 words", "British spelling"), placed in the prompt after the part the engine keeps
// warm. Enter on an empty box skips it; the last few notes are offered again as picks.
import * as vscode from 'vscode';
import { cleanNote } from '../../core/prompts';
import { applyStep, type FlowStep } from '../style/pickers';

const RECENT_KEY = 'cptWriter.recentNotes';
const RECENT_LIMIT = 8;
/** Longer notes are cut here (the prompt is no place for an essay, and the log keeps the note). */
export const NOTE_MAX_CHARS = 500;

type NoteItem = vscode.QuickPickItem & { note: string };

/** The notes used last, newest first, kept in the extension's global state. */
export class RecentNotes {
  constructor(private readonly state: vscode.Memento | undefined) {}

  list(): string[] {
    const v = this.state?.get<unknown>(RECENT_KEY);
    return Array.isArray(v)
      ? v.filter((n): n is string => typeof n === 'string' && n.trim() !== '').slice(0, RECENT_LIMIT)
      : [];
  }

  async remember(note: string): Promise<void> {
    if (!this.state || !note) return;
    await this.state.update(RECENT_KEY, [note, ...this.list().filter((n) => n !== note)].slice(0, RECENT_LIMIT));
  }
}

/** A note as the prompt gets it (core's cleanNote: one line, blank = none), at most NOTE_MAX_CHARS. */
export function cleanNoteInput(text: string | undefined): string | undefined {
  return cleanNote(cleanNote(text)?.slice(0, NOTE_MAX_CHARS));
}

/**
 * Asks for an optional note. Resolves with the note, '' when the writer skipped it (Enter on an empty
 * box or "No note"), or undefined when they backed out (Escape), which cancels the rewrite.
 */
export function askNote(recent: RecentNotes, title: string, at?: FlowStep): Promise<string | undefined> {
  const none: NoteItem = {
    label: `$(circle-slash) ${vscode.l10n.t('No note')}`,
    description: vscode.l10n.t('Enter'),
    note: '',
  };
  const previous: NoteItem[] = recent
    .list()
    .map((n) => ({ label: n, description: vscode.l10n.t('used before'), note: n }));
  const qp = vscode.window.createQuickPick<NoteItem>();
  qp.title = title;
  applyStep(qp, at);
  qp.placeholder = vscode.l10n.t('Optional note for this rewrite, e.g. “keep it under 50 words”; Enter to skip');
  qp.matchOnDescription = false;
  const itemsFor = (typed: string): NoteItem[] => {
    const note = cleanNoteInput(typed);
    if (!note) return [none, ...previous];
    // What the writer typed comes first, so Enter takes it; matching earlier notes stay pickable.
    return [
      { label: note, description: vscode.l10n.t('note for this rewrite'), alwaysShow: true, note },
      ...previous.filter((p) => p.note !== note),
    ];
  };
  qp.items = itemsFor('');
  qp.onDidChangeValue((v) => {
    qp.items = itemsFor(v);
  });
  return new Promise((resolve) => {
    let result: string | undefined;
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
      result = chosen ? chosen.note : (cleanNoteInput(qp.value) ?? '');
      qp.hide();
    });
    qp.onDidHide(() => {
      qp.dispose();
      if (result) void recent.remember(result);
      resolve(result);
    });
    qp.show();
  });
}
