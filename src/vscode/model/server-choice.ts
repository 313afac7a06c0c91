// Select Model…'s servers: the well-known local servers that answer (probed in parallel, briefly), and
// "Use a server…" for any other address; either way the writer picks from what the server lists.
import * as vscode from 'vscode';
import { SERVER_PRESETS, displayUrl, listServedModels, probeServers } from '../../core/endpoint';
import { SECTION } from '../common/config';
import type { ApiKeys } from './api-keys';
import { failure } from './endpoint-model';
import type { ModelService } from './model-service';

/** A server and the model it serves, as Select Model… returns it. */
export interface ServerPick {
  server: string;
  model: string;
}

export type ServerItem = vscode.QuickPickItem & { run: () => Promise<ServerPick | undefined> };

/** How long a preset may take to list its models: it is on this machine, or not running. */
export const PRESET_PROBE_MS = 1500;

/** The presets that answer, as picker entries, then "Use a server…". */
export async function serverItems(ctx: {
  apiKeys?: ApiKeys;
  setApiKey?(): unknown;
}): Promise<(ServerItem | vscode.QuickPickItem)[]> {
  const found = await probeServers(SERVER_PRESETS, PRESET_PROBE_MS).catch(() => []);
  return [
    { label: vscode.l10n.t('Servers (OpenAI-compatible)'), kind: vscode.QuickPickItemKind.Separator },
    ...found.map(({ preset, models }): ServerItem => ({
      label: `$(cloud) ${preset.name}`,
      description: vscode.l10n.t('{0} models', models.length),
      detail: preset.url,
      run: () => pickServedModel(preset.url, models),
    })),
    {
      label: `$(cloud) ${vscode.l10n.t('Use a server…')}`,
      detail: vscode.l10n.t('Ollama, LM Studio, llama-server, vLLM or any OpenAI-compatible API'),
      run: async () => {
        const server = await vscode.window.showInputBox({
          title: vscode.l10n.t('CPT Writer: Use a server'),
          prompt: vscode.l10n.t("The server's API root, e.g. http://localhost:11434/v1"),
          ignoreFocusOut: true,
          validateInput: (v) =>
            /^https?:\/\/\S+$/i.test(v.trim()) ? undefined : vscode.l10n.t('An http:// or https:// address'),
        });
        if (!server?.trim()) return undefined;
        return pickServedModel(server.trim(), undefined, ctx);
      },
    } satisfies ServerItem,
  ];
}

/** The writer picks one of the server's models (listed now unless given); undefined when cancelled or failed. */
export async function pickServedModel(
  server: string,
  listed?: string[],
  ctx: { apiKeys?: ApiKeys; setApiKey?(): unknown } = {},
): Promise<ServerPick | undefined> {
  let models = listed;
  if (!models) {
    const apiKey = await ctx.apiKeys?.get(server).catch(() => undefined);
    try {
      models = await listServedModels(server, { apiKey, timeoutMs: 10_000 });
    } catch (err) {
      const f = failure(displayUrl(server), err, apiKey !== undefined);
      const setKey = vscode.l10n.t('Set API Key…');
      const action = f.next === 'setApiKey' && ctx.setApiKey ? [setKey] : [];
      void vscode.window.showErrorMessage(f.message, ...action).then((a) => {
        if (a === setKey) void ctx.setApiKey?.();
      });
      return undefined;
    }
  }
  if (!models.length) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('CPT Writer: {0} serves no model yet. Load or pull one there, then try again.', displayUrl(server)),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m })),
    { title: vscode.l10n.t('Models served by {0}', displayUrl(server)), ignoreFocusOut: true },
  );
  return picked ? { server, model: picked.label } : undefined;
}

/** Saves the server and its model (the name first, so no load starts with the old name), then connects. */
export async function useServer(models: ModelService, pick: ServerPick, where: string): Promise<boolean> {
  const config = vscode.workspace.getConfiguration(SECTION);
  await config.update('endpointModel', pick.model, vscode.ConfigurationTarget.Global);
  await config.update('model', pick.server, vscode.ConfigurationTarget.Global);
  const shown = `${pick.model} @ ${displayUrl(pick.server)}`;
  models.context.logger.info(`cptWriter.model and cptWriter.endpointModel saved in ${where}: ${shown}`);
  models.context.notifier.info(
    vscode.l10n.t('Model saved as cptWriter.model and cptWriter.endpointModel in {0}: {1}', where, shown),
  );
  models.settingsChanged();
  return (await models.ensureReady()) !== undefined;
}
