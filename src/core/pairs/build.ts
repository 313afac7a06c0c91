// Turns rewrite + decision events into DPO pairs (the rules are in buildPairs below) and KTO examples for
// what formed no pair.
import { createHash } from 'node:crypto';
import type { DecisionEvent, FeedbackEvent, RewriteEvent } from '../feedback/types';
import { joinLineBreaks } from '../layout';
import { markupLost } from '../markup';
import { DEFAULT_CONTRAST_CAP, contrastPairs } from './contrast';
import type { ContrastCap, ChatMessage, KtoExample, PairSource, PairsResult, PreferencePair } from './types';

/**
 * Whether `text`, as the answer to `rewrite`, lost markup of its original. The model's own output uses
 * the guard's verdict logged with it; any other text (the writer's edit), and output logged before the
 * guard existed, is checked now. Such a text is never a chosen side: a model trained on it would learn
 * to drop citations and links.
 */
export function losesMarkup(rewrite: RewriteEvent, text: string): boolean {
  if (text === rewrite.output && rewrite.markupLost !== undefined) return rewrite.markupLost.length > 0;
  const candidate = rewrite.candidates?.find((c) => c.output === text);
  if (candidate) return candidate.markupLost.length > 0;
  return markupLost(rewrite.original, text, rewrite.document.languageId).length > 0;
}

/** A rewrite with the decision that counts for it and the text the writer kept. */
export interface Judged {
  rewrite: RewriteEvent;
  decision: DecisionEvent;
  /** accepted → the model output (the candidate taken, for best-of-N); edited → the writer's final text. */
  kept: string;
  /** For a best-of-N rewrite: the index of the candidate the writer took (accepted or edited from). */
  taken?: number;
  /** Position in the event stream, the tie-breaker when clocks agree. */
  order: number;
  /** The rewrite's time in ms, parsed once (sorting 100k rewrites would otherwise parse ~3M dates). */
  at: number;
  /** accepted, or edited (including edits that changed nothing). */
  positive: boolean;
  /** The kept text lost markup of the original, so it is never chosen (see losesMarkup). */
  lostMarkup: boolean;
}

/**
 * The candidate a positive decision on a best-of-N rewrite took: the index the decision names, else the
 * one shown first (0). Undefined for a single rewrite, a rejection, or an index the rewrite does not have.
 */
function takenCandidate(rewrite: RewriteEvent, decision: DecisionEvent): number | undefined {
  const n = rewrite.candidates?.length ?? 0;
  if (n === 0 || decision.decision === 'rejected') return undefined;
  const k = decision.candidate ?? 0;
  return k < n ? k : undefined;
}

function when(e: FeedbackEvent): number {
  const t = Date.parse(e.time);
  return Number.isNaN(t) ? 0 : t;
}

function promptOf(r: RewriteEvent): ChatMessage[] {
  return [
    { role: 'system', content: r.system },
    { role: 'user', content: r.user },
  ];
}

function assistant(content: string): ChatMessage[] {
  return [{ role: 'assistant', content }];
}

function byTime<T extends { at: number; order: number }>(a: T, b: T): number {
  return a.at - b.at || a.order - b.order;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The same text selected twice may differ only in surrounding whitespace. */
function textKey(r: RewriteEvent): string {
  return r.original.trim();
}

export interface BuildPairsOptions {
  /** Limits on contrast pairs per (text, rubric); DEFAULT_CONTRAST_CAP when absent. */
  contrastCap?: ContrastCap;
}

export function buildPairs(events: readonly FeedbackEvent[], options: BuildPairsOptions = {}): PairsResult {
  const cap = options.contrastCap ?? DEFAULT_CONTRAST_CAP;
  const rewrites = new Map<string, { rewrite: RewriteEvent; order: number }>();
  const decisions: { decision: DecisionEvent; order: number }[] = [];
  events.forEach((e, order) => {
    if (e.type === 'rewrite') {
      if (!rewrites.has(e.id)) rewrites.set(e.id, { rewrite: e, order });
    } else {
      decisions.push({ decision: e, order });
    }
  });

  // The latest decision on a rewrite wins (accepted, then edited a moment later → edited).
  const latest = new Map<string, { decision: DecisionEvent; order: number }>();
  const decisionsWithoutRewrite: DecisionEvent[] = [];
  for (const d of decisions) {
    if (!rewrites.has(d.decision.rewriteId)) {
      decisionsWithoutRewrite.push(d.decision);
      continue;
    }
    const prev = latest.get(d.decision.rewriteId);
    if (
      !prev ||
      when(d.decision) > when(prev.decision) ||
      (when(d.decision) === when(prev.decision) && d.order > prev.order)
    ) {
      latest.set(d.decision.rewriteId, d);
    }
  }

  let editsUnchanged = 0;
  const judged: Judged[] = [];
  for (const [id, { rewrite, order }] of rewrites) {
    const d = latest.get(id);
    if (!d) continue;
    const decision = d.decision;
    const taken = takenCandidate(rewrite, decision);
    const output = taken === undefined ? rewrite.output : rewrite.candidates![taken].output;
    const kept = decision.decision === 'edited' ? decision.final : output;
    if (decision.decision === 'edited' && kept.trim() === output.trim()) editsUnchanged++;
    const positive = decision.decision !== 'rejected';
    judged.push({
      rewrite,
      decision,
      kept,
      order,
      at: when(rewrite),
      positive,
      lostMarkup: positive && losesMarkup(rewrite, kept),
      ...(taken !== undefined ? { taken } : {}),
    });
  }
  judged.sort(byTime);

  // Both sides of a pair, and KTO completions, have the line breaks inside their paragraphs joined: the
  // log keeps a proposal as inserted (laid out like its original), the writer may re-wrap an edit, and a
  // pair that differs by layout would teach layout, not style. Two sides equal once joined form no pair.
  const flat = (on: RewriteEvent, text: string) => joinLineBreaks(text, on.document.languageId);
  const raw: PreferencePair[] = [];
  const pairOn = (on: RewriteEvent, chosen: string, rejected: string) => ({
    prompt: promptOf(on),
    chosen: assistant(flat(on, chosen)),
    rejected: assistant(flat(on, rejected)),
    rubric: on.rubric.id,
    level: on.level,
  });
  const differ = (on: RewriteEvent, a: string, b: string) => flat(on, a).trim() !== flat(on, b).trim();
  const pair = (source: PairSource, on: RewriteEvent, chosen: string, rejected: string, ids: string[]): void => {
    if (differ(on, chosen, rejected)) raw.push({ ...pairOn(on, chosen, rejected), source, ids });
  };

  // Edit: the writer's final text beats the model's output (the candidate it was edited from). An edit
  // that only re-wrapped the output counts as unchanged.
  for (const j of judged) {
    const output = j.taken === undefined ? j.rewrite.output : j.rewrite.candidates![j.taken].output;
    if (j.decision.decision !== 'edited' || j.kept.trim() === output.trim()) continue;
    if (!differ(j.rewrite, j.kept, output)) editsUnchanged++;
    else if (!j.lostMarkup) pair('edit', j.rewrite, j.kept, output, [j.rewrite.id, j.decision.id]);
  }

  // Candidates (best-of-N): the candidate the writer took beats each other candidate, under the prompt
  // they all shared. Never when the one taken lost markup; a text twice among the candidates is no preference.
  for (const j of judged) {
    if (!j.positive || j.taken === undefined) continue;
    const all = j.rewrite.candidates!;
    const chosen = all[j.taken];
    if (chosen.markupLost.length > 0 || losesMarkup(j.rewrite, chosen.output)) continue;
    const seen = new Set([flat(j.rewrite, chosen.output).trim()]);
    all.forEach((other, i) => {
      const key = flat(j.rewrite, other.output).trim();
      if (i === j.taken || seen.has(key)) return;
      seen.add(key);
      raw.push({
        ...pairOn(j.rewrite, chosen.output, other.output),
        source: 'candidates',
        ids: [j.rewrite.id, j.decision.id],
        candidates: [j.taken!, i],
      });
    });
  }

  // Regenerate: each rejected rewrite loses to the next kept rewrite of the same text and style
  // (walked backwards, remembering the next kept one, so a long run of retries stays linear).
  const sameStyle = groupBy(judged, (j) => JSON.stringify([textKey(j.rewrite), j.rewrite.rubric.id, j.rewrite.level]));
  for (const group of sameStyle.values()) {
    const next: (Judged | undefined)[] = new Array<Judged | undefined>(group.length);
    let winner: Judged | undefined;
    for (let i = group.length - 1; i >= 0; i--) {
      next[i] = winner;
      if (group[i].positive) winner = group[i];
    }
    group.forEach((r, i) => {
      const w = next[i];
      if (r.positive || !w || w.lostMarkup || w.kept.trim() === r.rewrite.output.trim()) return;
      pair('regenerate', w.rewrite, w.kept, r.rewrite.output, [
        w.rewrite.id,
        r.rewrite.id,
        w.decision.id,
        r.decision.id,
      ]);
    });
  }

  // Contrast (swap trick): kept rewrites of one text at two levels of one rubric; each is preferred
  // under its own system prompt, so both directions are emitted. Capped per group (see contrast.ts).
  const contrastPaired = new Set<string>();
  let contrastCapped = 0;
  const sameRubric = groupBy(
    judged.filter((j) => j.positive),
    (j) => JSON.stringify([textKey(j.rewrite), j.rewrite.rubric.id]),
  );
  for (const group of sameRubric.values()) {
    const made = contrastPairs(group, cap, (chosen, rejected) =>
      pair('contrast', chosen.rewrite, chosen.kept, rejected.kept, [
        chosen.rewrite.id,
        rejected.rewrite.id,
        chosen.decision.id,
        rejected.decision.id,
      ]),
    );
    contrastCapped += made.capped;
    for (const id of made.paired) contrastPaired.add(id);
  }

  // Dedupe on a hash of the content, not the content itself, so the set stays small however long the texts.
  const seen = new Set<string>();
  const pairs: PreferencePair[] = [];
  let duplicatesDropped = 0;
  for (const p of raw) {
    const key = createHash('sha256')
      .update(JSON.stringify([p.prompt, p.chosen, p.rejected]))
      .digest('base64');
    if (seen.has(key)) {
      duplicatesDropped++;
      continue;
    }
    seen.add(key);
    pairs.push(p);
  }

  // KTO: accepted or rejected rewrites that ended up in no pair still say "good" or "bad" on their own.
  // A rewrite whose contrast pairs were all capped away still had pairs to give: it is not a KTO example.
  const paired = contrastPaired;
  for (const p of raw) for (const id of p.ids) paired.add(id);
  const unpaired: KtoExample[] = judged
    .filter((j) => !paired.has(j.rewrite.id) && !j.lostMarkup)
    .map((j) => ({
      prompt: promptOf(j.rewrite),
      completion: assistant(flat(j.rewrite, j.positive ? j.kept : j.rewrite.output)),
      label: j.positive,
      rubric: j.rewrite.rubric.id,
      level: j.rewrite.level,
      id: j.rewrite.id,
    }));

  const originals = new Map<string, string>();
  for (const [id, { rewrite }] of rewrites) originals.set(id, textKey(rewrite));

  return {
    pairs,
    unpaired,
    duplicatesDropped,
    decisionsWithoutRewrite,
    editsUnchanged,
    rewritesWithoutDecision: rewrites.size - judged.length,
    keptOutForMarkup: judged.filter((j) => j.lostMarkup).length,
    contrastCapped,
    contrastCap: cap,
    originals,
  };
}
