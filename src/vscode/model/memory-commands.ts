// Unload Model and Clear Prompt Cache: giving back the memory a loaded model holds, and the disk space
// its saved prompt states take.
import * as vscode from 'vscode';
import { clearPromptCache, type PromptCacheUsage } from '../../core/engine';
import type { Logger } from '../../core/log';
import type { Notifier } from '../common/notify';
import { formatBytes, type ModelService, type UnloadResult } from './model-service';

/** CPT Writer: Unload Model. Frees the model's memory now; the next rewrite loads it again. */
export async function unloadModel(models: ModelService, notifier: Notifier): Promise<UnloadResult> {
  const name = models.status.state === 'none' ? undefined : models.status.name;
  const result = await models.unload('command');
  switch (result) {
    case 'unloaded':
      notifier.info(
        name === undefined
          ? vscode.l10n.t('CPT Writer: unloaded the model to free its memory. The next rewrite loads it again.')
          : vscode.l10n.t('CPT Writer: unloaded {0} to free its memory. The next rewrite loads it again.', name),
      );
      break;
    case 'busy':
      notifier.info(
        vscode.l10n.t(
          'CPT Writer: the model is in use (a rewrite or a load is running), so it stays loaded. Try again when ' +
            'it has finished.',
        ),
      );
      break;
    case 'not-loaded':
      notifier.info(vscode.l10n.t('CPT Writer: no model is loaded, so there is nothing to unload.'));
      break;
  }
  return result;
}

/**
 * CPT Writer: Clear Prompt Cache. Removes the saved prompt states from `directory` and says what that
 * freed; a running engine only evaluates its next prompt again.
 */
export async function clearPromptCacheCommand(
  directory: string,
  notifier: Notifier,
  logger: Logger,
): Promise<PromptCacheUsage> {
  const freed = await clearPromptCache(directory);
  logger.info(`prompt cache cleared: ${freed.entries} saved prompt state(s), ${freed.bytes} bytes, in ${directory}`);
  notifier.info(
    freed.entries || freed.bytes
      ? freed.entries === 1
        ? vscode.l10n.t(
            'CPT Writer: cleared the prompt cache: 1 saved prompt, {0} freed. The next rewrite in each style ' +
              'evaluates its prompt again.',
            formatBytes(freed.bytes),
          )
        : vscode.l10n.t(
            'CPT Writer: cleared the prompt cache: {0} saved prompts, {1} freed. The next rewrite in each style ' +
              'evaluates its prompt again.',
            freed.entries,
            formatBytes(freed.bytes),
          )
      : vscode.l10n.t('CPT Writer: the prompt cache is already empty.'),
  );
  return freed;
}
