// The contributed commands. Rewrite and style commands take optional arguments (a rubric id and a
// level, as `(rubricId, level)` or `({ rubricId, level })`) so keybindings, the sidebar and tests can
// skip the Quick Picks; without them the writer is asked. The feedback commands (open / clear the log,
// build preference pairs) are registered by ./feedback.
import * as vscode from 'vscode';
import type { Level, Rubric } from '../core/rubrics';
import { isLevel } from './style/current-style';
import type { Style } from './style/current-style';
import { errorMessage } from './common/log';
import { pickLevel, pickRubric, pickStyle } from './style/pickers';
import type { RewriteRunResult } from './preview/rewrite-controller';
import { pickModelSpec, useModel } from './model/select-model';
import type { Services } from './services';
import { createRubricTemplate } from './rubrics/new-rubric';
import { PROPOSAL_SCHEME, ProposalDocuments } from './preview/compare';

export interface StyleArgs { rubricId?: string; level?: Level }

/** Reads `(rubricId, level)` or `({ rubricId, level })`; menu invocations pass a Uri, which is ignored. */
export function parseStyleArgs(args: unknown[]): StyleArgs {
  const [first, second] = args;
  if (typeof first === 'string') return { rubricId: first, level: isLevel(second) ? second : undefined };
  if (first && typeof first === 'object' && !(first instanceof vscode.Uri)) {
    const o = first as { rubricId?: unknown; level?: unknown };
    return { rubricId: typeof o.rubricId === 'string' ? o.rubricId : undefined, level: isLevel(o.level) ? o.level : undefined };
  }
  return {};
}

export function registerCommands(services: Services): vscode.Disposable[] {
  const { rubrics, style, rewrite, models, notifier, logger } = services;

  /** The rubric named in args (an unknown id is an error), or one the writer picks. */
  const resolveRubric = async (args: StyleArgs, current?: string): Promise<Rubric | undefined> => {
    if (!args.rubricId) return pickRubric(rubrics, current);
    const rubric = await rubrics.get(args.rubricId);
    if (!rubric) {
      const { rubrics: list, problems } = await rubrics.list();
      rubrics.reportProblems(problems);
      notifier.error(`CPT Writer: no rubric with id "${args.rubricId}". Available: ${list.map((r) => r.id).join(', ') || 'none'}.`);
    }
    return rubric;
  };

  const rewriteWith = async (rubric: Rubric, level: Level): Promise<RewriteRunResult> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      const message = 'CPT Writer: open a document and select the text to rewrite first.';
      notifier.info(message);
      return { outcome: 'no-selection', message };
    }
    return rewrite.run(editor, { rubric, level });
  };

  const rewriteSelection = async (...raw: unknown[]): Promise<RewriteRunResult | undefined> => {
    const args = parseStyleArgs(raw);
    const current = style.get();
    const rubric = await resolveRubric(args, current.rubricId);
    if (!rubric) return undefined;
    const level = args.level ?? await pickLevel(rubric, rubric.id === current.rubricId ? current.level : undefined);
    if (!level) return undefined;
    await style.set({ rubricId: rubric.id, level });
    return rewriteWith(rubric, level);
  };

  const rewriteWithCurrentStyle = async (...raw: unknown[]): Promise<RewriteRunResult | undefined> => {
    const args = parseStyleArgs(raw);
    const current = style.get();
    const wanted: Style = { rubricId: args.rubricId ?? current.rubricId, level: args.level ?? current.level };
    const rubric = await rubrics.get(wanted.rubricId);
    if (!rubric) {
      notifier.warn(`CPT Writer: the current style's rubric "${wanted.rubricId}" is not available; pick a style.`);
      return rewriteSelection();
    }
    return rewriteWith(rubric, wanted.level);
  };

  const selectStyle = async (...raw: unknown[]): Promise<Style | undefined> => {
    const args = parseStyleArgs(raw);
    let chosen: Style | undefined;
    if (args.rubricId) {
      const rubric = await resolveRubric(args);
      if (!rubric) return undefined;
      const level = args.level ?? await pickLevel(rubric, style.get().level);
      if (level) chosen = { rubricId: rubric.id, level };
    } else {
      const picked = await pickStyle(rubrics, style.get());
      if (picked) chosen = { rubricId: picked.rubric.id, level: picked.level };
    }
    if (chosen) await style.set(chosen);
    return chosen;
  };

  const selectModel = async (spec?: unknown): Promise<boolean> => {
    const current = models.status.state === 'none' ? '' : models.status.spec;
    const chosen = typeof spec === 'string' && spec.trim() ? spec.trim() : await pickModelSpec(current);
    if (!chosen) return false;
    return useModel(models, chosen);
  };

  const newRubric = async () => {
    try {
      const uri = await createRubricTemplate({ takenIds: (await rubrics.list()).rubrics.map((r) => r.id) });
      // The folder may not have existed when the watcher was set up; reload now rather than wait for it.
      if (uri) rubrics.invalidate();
      return uri;
    } catch (err) {
      notifier.error(`CPT Writer: ${errorMessage(err)}`);
      return undefined;
    }
  };

  const guarded = <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R> | R) => async (...args: A): Promise<R | undefined> => {
    try {
      return await fn(...args);
    } catch (err) {
      logger.error(`${name} failed: ${err instanceof Error && err.stack ? err.stack : errorMessage(err)}`);
      notifier.error(`CPT Writer: ${name} failed: ${errorMessage(err)}. Your text is unchanged.`);
      return undefined;
    }
  };

  const register = (id: string, fn: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, guarded(id, fn as (...args: unknown[]) => unknown));

  const proposals = new ProposalDocuments();
  const compare = async () => {
    const target = rewrite.previewTarget();
    if (!target) {
      notifier.info('CPT Writer: there is no finished rewrite to compare.');
      return undefined;
    }
    return proposals.open(target.doc, target.range, target.proposal);
  };

  return [
    proposals,
    vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, proposals),
    register('cptWriter.compareRewrite', compare),
    register('cptWriter.rewriteSelection', rewriteSelection),
    register('cptWriter.rewriteSelectionWithCurrentStyle', rewriteWithCurrentStyle),
    register('cptWriter.acceptRewrite', () => rewrite.accept()),
    register('cptWriter.rejectRewrite', () => rewrite.reject()),
    register('cptWriter.regenerateRewrite', () => rewrite.regenerate()),
    register('cptWriter.cancelRewrite', () => rewrite.cancel()),
    register('cptWriter.selectStyle', selectStyle),
    register('cptWriter.selectModel', selectModel),
    register('cptWriter.showLog', () => logger.show()),
    register('cptWriter.newRubric', newRubric),
  ];
}
