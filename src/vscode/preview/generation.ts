// One generation of the open rewrite (the first, or a Regenerate): core/rewrite's rewrite() with the
// writer's settings, its events turned into session events (and stream events for the sidebar), its
// result into the preview's proposals. Best-of-N (cptWriter.bestOf above 1) follows the core's policy: a
// text too long for one part is rewritten once, in parts, and the log says so.
import * as vscode from 'vscode';
import { rewrite, type RewriteProgress, type RewriteResult } from '../../core/rewrite';
import { readConfig } from '../common/config';
import { errorMessage } from '../common/log';
import { readJudgeConfig } from '../judge/config';
import { engineErrorCode } from '../model/engine-factory';
import { toProposals } from './proposals';
import { doneEvent } from './stream-events';
import type { RewriteRunResult } from './session';
import type { RewriteController } from './rewrite-controller';
import type { OpenSession } from './session';

export async function generate(c: RewriteController, s: OpenSession, regenerate: boolean): Promise<RewriteRunResult> {
  const { deps } = c;
  const ready = await deps.models.ensureReady();
  if (s.state.ended) return c.endedResult(s);
  if (!ready) {
    // The model service has told the writer why (missing file, download failed, cancelled).
    const status = deps.models.status;
    const message = status.state === 'error' ? status.message : vscode.l10n.t('The model is not loaded.');
    c.dispatch(s, { type: 'failed', message });
    return { outcome: 'error', message };
  }
  const cfg = readConfig();
  const { rubric, level } = s.style;
  const generation = s.state.generation + 1;
  const id = deps.feedback.newId();
  const startedAt = new Date().toISOString();
  const abort = new AbortController();
  s.abort = abort;
  const original = s.state.original;
  const note = s.note;
  const started = () =>
    c.stream({ type: 'started', id, rubricId: rubric.id, level, original, ...(note ? { note } : {}) });
  started();
  c.dispatch(s, { type: 'started', generation, rewriteId: id });
  deps.logger.info(
    `rewrite: ${rubric.id} level ${level}, ${original.length} chars from ${s.doc.uri.toString()}` +
      (note ? ' (with a note)' : ''),
  );
  const contextSize = await ready.engine.info().then(
    (i) => i.contextSize,
    () => undefined,
  );
  const live = () => s.state.generation === generation && !s.state.ended && s.state.phase === 'streaming';
  if (!live()) return c.endedResult(s);
  const bestOf = readJudgeConfig().bestOf;
  const ctx = { id, bestOf, written: new Set<number>() };
  const onEvent = (e: RewriteProgress) => {
    if (!live()) return;
    progressed(c, s, generation, e, ctx);
  };
  let outcome: RewriteResult;
  try {
    outcome = await rewrite(
      ready.engine,
      {
        text: original,
        style: s.style,
        source: { languageId: s.doc.languageId, path: documentPath(s.doc) },
        promptMode: cfg.promptMode,
        model: ready.model,
        sampling: { temperature: cfg.temperature, maxTokens: cfg.maxTokens },
        fresh: regenerate,
        ...(note ? { note } : {}),
        surrounding: s.surrounding,
        contextTokens: cfg.contextMaxTokens,
        ...(contextSize ? { contextSize } : {}),
      },
      {
        ...(bestOf > 1
          ? {
              bestOf,
              judge: {
                generator: async () => {
                  const judge = await deps.judge.generator(ready.engine);
                  if (!judge) throw new Error('no model to judge the candidates with');
                  return judge;
                },
              },
            }
          : {}),
        // Every candidate streams live: the zone shows the one in focus and the writer steps between them.
        streamAll: true,
        signal: abort.signal,
        onEvent,
      },
    );
  } catch (err) {
    if (s.state.ended || s.state.generation !== generation) return c.endedResult(s);
    return failed(c, s, err);
  }
  if (s.state.ended || s.state.generation !== generation) return c.endedResult(s);
  if (outcome.status === 'cancelled') {
    c.dispatch(s, { type: 'cancelled' });
    return { outcome: 'cancelled' };
  }
  logDone(c, outcome, bestOf);
  if (outcome.status === 'empty') {
    const message =
      outcome.kind === 'best-of'
        ? vscode.l10n.t(
            'CPT Writer: the model returned no text for any candidate, so there is nothing to preview. Your text ' +
              'is unchanged.',
          )
        : vscode.l10n.t(
            'CPT Writer: the model returned no text, so there is nothing to preview. Your text is unchanged.',
          );
    c.dispatch(s, { type: 'failed', message, outcome: 'empty' });
    deps.notifier.warn(message);
    return { outcome: 'empty', message };
  }
  const proposals = toProposals(outcome, id, () => deps.feedback.newId(), original, cfg.maxTokens);
  const first = proposals[0];
  if (outcome.kind !== 'best-of' && first.markupLost.length)
    deps.logger.warn(`rewrite: the proposal lost markup: ${first.markupLost.join('; ')}`);
  c.decisions.previewed(proposals, startedAt, { rubricId: rubric.id, level }, original);
  c.dispatch(s, {
    type: 'finished',
    generation,
    proposals,
    ...(outcome.target !== undefined ? { target: outcome.target } : {}),
  });
  c.stream(doneEvent(first, outcome.result));
  if (outcome.kind === 'best-of') c.fireCandidate(s);
  return {
    outcome: 'preview',
    proposal: first.text,
    rewriteId: first.id,
    rewriteIds: first.parts.flatMap((p) => (p.rewriteId ? [p.rewriteId] : [])),
    markupLost: [...first.markupLost],
  };
}

/** A core progress event as session events, stream events for the sidebar and log lines. */
function progressed(
  c: RewriteController,
  s: OpenSession,
  generation: number,
  e: RewriteProgress,
  ctx: { id: string; bestOf: number; written: Set<number> },
): void {
  const log = c.deps.logger;
  switch (e.type) {
    case 'planned':
      if (e.bestOfDropped !== undefined)
        log.info(`best-of-${e.bestOfDropped}: the text needs ${e.parts} parts, so it is rewritten once, in parts`);
      return;
    case 'text':
      // The sidebar shows one stream: best-of-N's first candidate (its final text comes with 'done').
      if (!e.candidate) c.stream({ type: 'token', id: ctx.id, text: e.text });
      c.dispatch(s, {
        type: 'token',
        generation,
        text: e.text,
        ...(e.candidate !== undefined ? { candidate: e.candidate } : {}),
      });
      return;
    case 'part':
      if (e.phase !== 'start' || e.count < 2) return;
      log.info(`rewrite: part ${e.index + 1} of ${e.count} (${e.range.end - e.range.start} chars)`);
      c.dispatch(s, { type: 'progress', generation, progress: { index: e.index, count: e.count } });
      return;
    case 'candidate':
      if (e.phase === 'writing') {
        // Each candidate has its own stream in the session; the zone follows the one being written until
        // the writer steps (written together, they all start at once and candidate 0 stays in focus).
        if (s.state.activity?.kind === 'candidate' && s.state.activity.count === e.count && e.index > 0) {
          if (!s.state.stepped && ctx.written.has(s.state.focus))
            c.dispatch(s, {
              type: 'progress',
              generation,
              activity: { kind: 'candidate', index: e.index, count: e.count },
            });
          return;
        }
        c.dispatch(s, {
          type: 'progress',
          generation,
          activity: { kind: 'candidate', index: e.index, count: e.count },
        });
      } else if (e.phase === 'written') {
        ctx.written.add(e.index);
        if (ctx.written.size === e.count)
          c.dispatch(s, { type: 'progress', generation, activity: { kind: 'judging', count: e.count } });
      } else {
        log.info(`best-of-${ctx.bestOf}: candidate ${e.index + 1} judged ${e.score}`);
      }
  }
}

function logDone(c: RewriteController, outcome: RewriteResult, bestOf: number): void {
  const r = outcome.result;
  if (outcome.kind === 'best-of') {
    c.deps.logger.info(
      `rewrite done (best of ${bestOf}): ${r.outputTokens} tokens, ${r.promptTokens} prompt tokens ` +
        `(${r.reusedPromptTokens} reused), ${Math.round(r.totalMs)} ms writing`,
    );
    if (outcome.status === 'done')
      c.deps.logger.info(
        `best-of-${bestOf}: scores ${outcome.proposals.map((p) => p.candidate?.score).join(', ')} ` +
          `against target ${outcome.target}`,
      );
    return;
  }
  const parts = outcome.status === 'done' ? outcome.proposals[0].parts.length : 1;
  c.deps.logger.info(
    `rewrite done (${parts} part${parts === 1 ? '' : 's'}): ${r.outputTokens} tokens, ` +
      `${r.promptTokens} prompt tokens (${r.reusedPromptTokens} reused` +
      `${r.restoredPromptTokens ? `, ${r.restoredPromptTokens} restored from the prompt cache` : ''}), ` +
      `first token ${Math.round(r.timeToFirstTokenMs)} ms, ${r.tokensPerSecond.toFixed(1)} tok/s, ${r.stopReason}`,
  );
}

function failed(c: RewriteController, s: OpenSession, err: unknown): RewriteRunResult {
  const crashed = engineErrorCode(err) === 'ENGINE_CRASHED';
  const message = vscode.l10n.t(
    'CPT Writer could not rewrite the text: {0}. Your text is unchanged.',
    errorMessage(err),
  );
  c.deps.logger.error(message);
  c.dispatch(s, { type: 'failed', message });
  if (!crashed) c.deps.notifier.error(message); // a crash is already reported by the model service
  return { outcome: 'error', message };
}

function documentPath(doc: vscode.TextDocument): string {
  return doc.uri.scheme === 'file' ? vscode.workspace.asRelativePath(doc.uri, true) : doc.uri.toString();
}
