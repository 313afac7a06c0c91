// After an Accept, the writer often polishes the rewrite by hand. Their final text is the strongest
// preference signal we get (chosen = theirs, rejected = the model's), so the accepted text is followed
// through later edits and an `edited` decision is appended once an edit burst settles: on save, on
// close, or after a quiet period without edits inside it.
//
// The accept comes from the controller's events, not by hooking into it: onDidEnd says which proposal
// was accepted and where the session wrote it (ended.range, from the session's state; it fires just
// before the single replace edit), and the next change to that document inserting exactly that text
// there is the accept landing, which the tracker waits for so it follows offsets from then on. A text rewritten in
// parts is one accept but several logged rewrites: each
// part is followed on its own (the accept says where each landed), so an edit records a decision only
// for the part it touched.
import * as vscode from 'vscode';
import { shiftRangeAll } from '../../core/feedback/range-tracking';
import { normalizeNewlines } from '../../core/text';
import type { TextChange } from '../../core/feedback/range-tracking';
import type { Decision } from '../../core/feedback';
import type { Logger } from '../../core/log';
import type { AcceptedPart, RewriteEnded, RewriteSnapshot } from '../preview/rewrite-controller';

/** The part of the rewrite controller the tracker listens to. */
export interface AcceptSource {
  readonly onDidChange: vscode.Event<RewriteSnapshot>;
  readonly onDidEnd: vscode.Event<RewriteEnded>;
}

/** The part of the feedback recorder the tracker writes to. */
export interface DecisionSink {
  readonly enabled: boolean;
  /** `candidate`: for a best-of-N rewrite, the index of the candidate accepted. */
  recordDecision(rewriteId: string, decision: Decision, final: string, candidate?: number): Promise<void>;
}

export interface EditTrackerOptions {
  /** Milliseconds without edits inside an accepted text before its edit burst is recorded. */
  quietMs?: number;
}

export const DEFAULT_EDIT_QUIET_MS = 30_000;
/** Older accepts are settled and let go beyond this many, so a long session cannot grow without bound. */
const MAX_TRACKED = 100;
/** How long after an accept its edit may take to arrive before we stop waiting for it. */
const ACCEPT_WAIT_MS = 10_000;

export interface TrackedAccept {
  readonly rewriteId: string;
  /** Best-of-N: the candidate accepted, so later decisions name the same one. */
  readonly candidate?: number;
  readonly document: vscode.TextDocument;
  start: number;
  end: number;
  /** The model's output as accepted, and the text it replaced, both with LF line endings. */
  readonly accepted: string;
  readonly original: string;
  /** Per-change accept: `accepted` is the writer's mix, logged as edited, so edited back to it stays edited. */
  readonly mixed?: boolean;
  /** The text as last recorded in the log (the accepted text until an edit is recorded). */
  recorded: string;
  /** Edited inside since the last time it was recorded. */
  dirty: boolean;
  timer?: NodeJS.Timeout;
}

interface ExpectedAccept {
  uri: string;
  /** The accepted text as the controller wrote it. */
  proposal: string;
  /** Where each logged part is in `proposal` (one part spanning all of it for a text rewritten whole). */
  parts: AcceptedPart[];
  /** Where the session wrote the proposal (document offsets); undefined from an older source. */
  start?: number;
  until: number;
}

export class EditTracker implements vscode.Disposable {
  quietMs: number;
  private readonly entries: TrackedAccept[] = [];
  private lastPreview: { uri: string; original: string; proposal: string } | undefined;
  private expected: ExpectedAccept | undefined;
  private readonly disposables: vscode.Disposable[];

  constructor(
    source: AcceptSource,
    private readonly sink: DecisionSink,
    private readonly logger: Logger,
    options: EditTrackerOptions = {},
  ) {
    this.quietMs = options.quietMs ?? DEFAULT_EDIT_QUIET_MS;
    this.disposables = [
      source.onDidChange((s) => {
        if (s.phase === 'preview' && s.documentUri && s.original !== undefined && s.proposal !== undefined) {
          this.lastPreview = { uri: s.documentUri, original: s.original, proposal: s.proposal };
        }
      }),
      source.onDidEnd((e) => this.ended(e)),
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e)),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        // With auto save after a delay every short pause saves; the quiet period already ends a burst
        // then, and settling on each of those saves would log every half-typed word.
        if (vscode.workspace.getConfiguration('files', doc).get<string>('autoSave') === 'afterDelay') return;
        this.settleDocument(doc, 'saved');
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.settleDocument(doc, 'closed');
        this.drop((t) => t.document === doc);
      }),
    ];
  }

  /** Accepted texts being followed now (tests, diagnostics). */
  tracked(): readonly TrackedAccept[] {
    return this.entries;
  }

  /** Records every pending edit burst now (shutdown, or before reading the log). */
  settleAll(reason = 'flushed'): void {
    for (const t of [...this.entries]) this.settle(t, reason);
  }

  private ended(e: RewriteEnded): void {
    const preview = this.lastPreview;
    this.lastPreview = undefined;
    if (e.outcome !== 'accepted' || !e.rewriteId || e.proposal === undefined || !preview) return;
    if (normalizeNewlines(preview.proposal) !== normalizeNewlines(e.proposal)) return;
    if (!this.sink.enabled) return;
    const parts = e.parts ?? [{ rewriteId: e.rewriteId, start: 0, end: e.proposal.length, original: preview.original }];
    this.expected = {
      uri: preview.uri,
      proposal: e.proposal,
      parts,
      ...(e.range ? { start: e.range.start } : {}),
      until: Date.now() + ACCEPT_WAIT_MS,
    };
  }

  private changed(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    const changes: TextChange[] = e.contentChanges.map((c) => ({
      offset: c.rangeOffset,
      length: c.rangeLength,
      text: c.text,
    }));
    for (const t of [...this.entries]) {
      if (t.document !== e.document) continue;
      const next = shiftRangeAll(t, changes);
      if (!next) {
        // The accepted text is gone as a whole; what was recorded last stands.
        this.logger.debug(
          `feedback: stopped following rewrite ${t.rewriteId}: its text was deleted or replaced as a whole`,
        );
        this.drop((x) => x === t);
        continue;
      }
      t.start = next.start;
      t.end = next.end;
      if (next.touched) {
        t.dirty = true;
        this.arm(t);
      }
    }
    this.maybeStartTracking(e);
  }

  private maybeStartTracking(e: vscode.TextDocumentChangeEvent): void {
    const x = this.expected;
    if (!x) return;
    if (Date.now() > x.until) {
      this.expected = undefined;
      return;
    }
    if (e.document.uri.toString() !== x.uri || e.contentChanges.length !== 1) return;
    const c = e.contentChanges[0];
    if (normalizeNewlines(c.text) !== normalizeNewlines(x.proposal)) return;
    if (x.start !== undefined && c.rangeOffset !== x.start) return;
    this.expected = undefined;
    const start = x.start ?? c.rangeOffset;
    const end = c.rangeOffset + c.text.length;
    // An older accepted text that this accept rewrote (in part or whole) now holds model output, not the
    // writer's edit: stop following it rather than record the new rewrite as the writer's words.
    this.drop((t) => t.document === e.document && t.start < end && start < t.end);
    for (const part of x.parts) {
      // The editor may have changed the line breaks of what was written; map the part's offsets to the text as it
      // landed.
      const from = start + landedOffset(x.proposal, c.text, part.start);
      const to = start + landedOffset(x.proposal, c.text, part.end);
      const accepted = normalizeNewlines(
        e.document.getText(new vscode.Range(e.document.positionAt(from), e.document.positionAt(to))),
      );
      this.entries.push({
        rewriteId: part.rewriteId,
        ...(part.candidate !== undefined ? { candidate: part.candidate } : {}),
        ...(part.mixed ? { mixed: true } : {}),
        document: e.document,
        start: from,
        end: to,
        accepted,
        original: normalizeNewlines(part.original),
        recorded: accepted,
        dirty: false,
      });
    }
    while (this.entries.length > MAX_TRACKED) {
      const oldest = this.entries[0];
      this.settle(oldest, 'too many tracked');
      this.drop((t) => t === oldest);
    }
  }

  private arm(t: TrackedAccept): void {
    if (t.timer) clearTimeout(t.timer);
    t.timer = setTimeout(() => {
      t.timer = undefined;
      this.settle(t, 'quiet');
    }, this.quietMs);
  }

  private settleDocument(doc: vscode.TextDocument, reason: string): void {
    for (const t of [...this.entries]) if (t.document === doc) this.settle(t, reason);
  }

  /** Appends a decision when the text differs from what was last recorded; at most once per burst. */
  private settle(t: TrackedAccept, reason: string): void {
    if (t.timer) clearTimeout(t.timer);
    t.timer = undefined;
    if (!t.dirty) return;
    t.dirty = false;
    let text: string;
    try {
      text = normalizeNewlines(
        t.document.getText(new vscode.Range(t.document.positionAt(t.start), t.document.positionAt(t.end))),
      );
    } catch (err) {
      this.logger.debug(`feedback: could not read the edited text of rewrite ${t.rewriteId}: ${String(err)}`);
      return;
    }
    if (text === t.recorded) return;
    t.recorded = text;
    // Edited back to exactly the model's output: accepted after all. Back to exactly the original
    // (typically an undo of the accept): the writer turned the rewrite down, which is a rejection, not
    // a preference for unstyled text.
    const [decision, final]: [Decision, string] =
      text === t.accepted
        ? t.mixed
          ? ['edited', text]
          : ['accepted', t.accepted]
        : text === t.original
          ? ['rejected', t.accepted]
          : ['edited', text];
    this.logger.info(`feedback: rewrite ${t.rewriteId} ${decision} after edits (${reason})`);
    void this.sink.recordDecision(t.rewriteId, decision, final, t.candidate);
  }

  private drop(which: (t: TrackedAccept) => boolean): void {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const t = this.entries[i];
      if (!which(t)) continue;
      if (t.timer) clearTimeout(t.timer);
      this.entries.splice(i, 1);
    }
  }

  dispose(): void {
    this.settleAll('shutdown');
    this.drop(() => true);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * `offset` in `written` as an offset in `landed`, the same text with possibly different line breaks
 * (\n vs \r\n): the same number of characters other than \r before it.
 */
function landedOffset(written: string, landed: string, offset: number): number {
  if (written === landed) return offset;
  let wanted = 0;
  for (let i = 0; i < offset && i < written.length; i++) if (written[i] !== '\r') wanted++;
  let seen = 0;
  let i = 0;
  for (; i < landed.length && seen < wanted; i++) if (landed[i] !== '\r') seen++;
  return i;
}
