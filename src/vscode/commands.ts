// The command registry: every contributed `cptWriter.*` command is registered here, and only here, as
// a typed function from its feature folder. Code that needs what a command does calls that function
// (the sidebar through its deps); nothing inside the extension runs a cptWriter command by its id.
// Rewrite and style commands take optional arguments (a rubric id and a level, as `(rubricId, level)`
// or `({ rubricId, level })`) so keybindings, tests and tasks can skip the Quick Picks.
import * as vscode from 'vscode';
import { l10nKey } from '../core/translate';
import { errorMessage } from './common/log';
import { evaluateDeps, evaluateModel, parseEvaluateArgs } from './eval/evaluate-model';
import type { FeedbackUi } from './feedback';
import { generatePreferenceData } from './generate/generate-command';
import { parseGenerateArgs } from './generate/choices';
import { installCudaBackendCommand, parseInstallCudaArgs, removeCudaBackendCommand } from './model/cuda-backend';
import { clearPromptCacheCommand, unloadModel } from './model/memory-commands';
import { selectModel } from './model/select-model';
import { configuredServer, parseSetApiKeyArgs, setApiKey } from './model/api-keys';
import { PROPOSAL_SCHEME, ProposalDocuments } from './preview/compare';
import { parseRewriteArgs } from './preview/rewrite-actions';
import type { RewriteActions } from './preview/rewrite-actions';
import { scoreSelection } from './judge/score-selection';
import { parseCheckArgs } from './check/choices';
import { REWRITE_PARAGRAPH_COMMAND } from './check/code-actions';
import { rewriteAsCommands } from './quick-access/rubric-menu';
import { newRubric } from './rubrics/new-rubric';
import type { Services } from './services';
import { parseStyleArgs, selectStyle } from './style/select-style';

export function registerCommands(
  services: Services,
  actions: RewriteActions,
  feedbackUi: FeedbackUi,
): vscode.Disposable[] {
  const { rubrics, style, rewrite, models, notifier, logger, judge } = services;

  /** A failing command is logged with its stack and shown to the writer; it never throws into VS Code. */
  const register = (id: string, fn: (...args: unknown[]) => unknown, name = id, textUnchanged = true) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        logger.error(`${name} failed: ${err instanceof Error && err.stack ? err.stack : errorMessage(err)}`);
        // The log keeps the English name; the writer reads it in their language (a bare id stays as it is).
        const shown = vscode.l10n.t(name);
        notifier.error(
          textUnchanged
            ? vscode.l10n.t('CPT Writer: {0} failed: {1}. Your text is unchanged.', shown, errorMessage(err))
            : vscode.l10n.t('CPT Writer: {0} failed: {1}', shown, errorMessage(err)),
        );
        return undefined;
      }
    });

  const proposals = new ProposalDocuments();
  const compare = async (previewId?: unknown) => {
    const target = rewrite.previewTarget(previewId);
    if (!target) {
      notifier.info(vscode.l10n.t('CPT Writer: there is no finished rewrite to compare.'));
      return undefined;
    }
    return proposals.open(target.doc, target.range, target.proposal);
  };
  const styleDeps = { rubrics, style, notifier };
  const cudaDeps = { backend: services.cuda, models, notifier, logger };
  // Install / Remove CUDA Backend are offered only where node-llama-cpp has a CUDA build (Linux, Windows x64).
  void vscode.commands.executeCommand('setContext', 'cptWriter.cudaBackendSupported', services.cuda.supported);

  return [
    proposals,
    vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, proposals),
    register('cptWriter.compareRewrite', (target) => compare(target)),
    register('cptWriter.rewriteSelection', (...args) => actions.rewriteSelection(parseRewriteArgs(args))),
    register('cptWriter.rewriteSelectionWithCurrentStyle', (...args) =>
      actions.rewriteWithCurrentStyle(parseRewriteArgs(args)),
    ),
    // The editor context submenu's one entry per built-in rubric (quick-access/rubric-menu.ts).
    ...rewriteAsCommands(actions).map(([id, run]) => register(id, run)),
    // The preview actions take the preview they act on (an id, or the preview's comment thread), so a
    // stale CodeLens or link does nothing; keybindings pass none and are scoped to the previewed document.
    register('cptWriter.acceptRewrite', (target) => rewrite.accept(target)),
    register('cptWriter.rejectRewrite', (target) => rewrite.reject(target)),
    register('cptWriter.regenerateRewrite', (target) => rewrite.regenerate(target)),
    register('cptWriter.cancelRewrite', (target) => rewrite.cancel(target)),
    register('cptWriter.nextCandidate', (target) => rewrite.stepCandidate(1, target)),
    register('cptWriter.previousCandidate', (target) => rewrite.stepCandidate(-1, target)),
    register('cptWriter.nextChange', (target) => rewrite.changeEvent({ type: 'change-step', by: 1 }, target)),
    register('cptWriter.previousChange', (target) => rewrite.changeEvent({ type: 'change-step', by: -1 }, target)),
    register('cptWriter.toggleChange', (target) => rewrite.changeEvent({ type: 'change-toggle' }, target)),
    register('cptWriter.takeAllChanges', (target) => rewrite.changeEvent({ type: 'change-all', take: true }, target)),
    register('cptWriter.leaveAllChanges', (target) => rewrite.changeEvent({ type: 'change-all', take: false }, target)),
    register(
      'cptWriter.scoreSelection',
      () => scoreSelection({ judge, rubrics, style, notifier, logger }),
      l10nKey('Score Selection'),
      false,
    ),
    register(
      'cptWriter.checkStyle',
      (...args) => services.styleCheck.checkDocumentCommand(parseCheckArgs(args)),
      l10nKey('Check Style of Document'),
    ),
    register(
      'cptWriter.checkStyleOfSelection',
      (...args) => services.styleCheck.checkSelectionCommand(parseCheckArgs(args)),
      l10nKey('Check Style of Selection'),
    ),
    register(
      'cptWriter.toggleStyleLevels',
      () => services.styleCheck.toggleLevels(),
      l10nKey('Toggle Style Level Hints'),
    ),
    register(REWRITE_PARAGRAPH_COMMAND, (...args) => services.styleCheck.rewriteParagraph(actions, args)),
    register('cptWriter.selectStyle', (...args) => selectStyle(styleDeps, parseStyleArgs(args))),
    register('cptWriter.selectModel', (spec) => selectModel(models, spec)),
    register('cptWriter.setApiKey', (...args) =>
      setApiKey(services.apiKeys, configuredServer(), parseSetApiKeyArgs(args)),
    ),
    register('cptWriter.showLog', () => logger.show()),
    register('cptWriter.newRubric', () => newRubric(rubrics, notifier)),
    register('cptWriter.openFeedbackLog', () => feedbackUi.openLog(), 'Open Feedback Log', false),
    register('cptWriter.clearFeedbackLog', (args) => feedbackUi.clearLog(args), 'Clear Feedback Log', false),
    register('cptWriter.buildPreferencePairs', (args) => feedbackUi.buildPairs(args), 'Build Preference Pairs', false),
    register(
      'cptWriter.evaluateModel',
      (...args) => evaluateModel(evaluateDeps(services), parseEvaluateArgs(args)),
      l10nKey('Evaluate Model'),
      false,
    ),
    register('cptWriter.unloadModel', () => unloadModel(models, notifier), 'Unload Model', false),
    register(
      'cptWriter.clearPromptCache',
      () => clearPromptCacheCommand(services.promptCacheDir, notifier, logger),
      l10nKey('Clear Prompt Cache'),
      false,
    ),
    register(
      'cptWriter.installCudaBackend',
      (args) => installCudaBackendCommand(cudaDeps, parseInstallCudaArgs(args)),
      l10nKey('Install CUDA Backend'),
      false,
    ),
    register('cptWriter.removeCudaBackend', () => removeCudaBackendCommand(cudaDeps), 'Remove CUDA Backend', false),
    register(
      'cptWriter.generatePreferenceData',
      (args) =>
        generatePreferenceData({ models, rubrics, notifier, logger, memory: services.memory }, parseGenerateArgs(args)),
      l10nKey('Generate Preference Data'),
      false,
    ),
  ];
}
