// API keys of OpenAI-compatible servers live in VS Code's SecretStorage (the OS keychain), one per server
// origin, never in settings (which sync and sit in plain files) nor in the environment.
import * as vscode from 'vscode';
import { displayUrl, isEndpointSpec, parseEndpointUrl } from '../../core/endpoint';
import { readConfig } from '../common/config';

const PREFIX = 'cptWriter.apiKey:';

/** The SecretStorage key of a server: its origin (scheme, host, port), so every path on it shares one key. */
export function apiKeySecretName(serverUrl: string): string {
  return PREFIX + new URL(parseEndpointUrl(serverUrl).root).origin;
}

export class ApiKeys {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the origin whose key was set or removed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(serverUrl: string): Promise<string | undefined> {
    return (await this.secrets.get(apiKeySecretName(serverUrl)))?.trim() || undefined;
  }

  /** Stores `key` for the server's origin; an empty key removes it. */
  async set(serverUrl: string, key: string): Promise<void> {
    const name = apiKeySecretName(serverUrl);
    if (key.trim()) await this.secrets.store(name, key.trim());
    else await this.secrets.delete(name);
    this.changed.fire(name.slice(PREFIX.length));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Arguments that skip the prompts (tests, tasks): `{ server, key }`; an empty key removes the stored one. */
export function parseSetApiKeyArgs(args: unknown[]): { server?: string; key?: string } {
  const a = args[0];
  if (!a || typeof a !== 'object') return {};
  const { server, key } = a as { server?: unknown; key?: unknown };
  return {
    ...(typeof server === 'string' ? { server } : {}),
    ...(typeof key === 'string' ? { key } : {}),
  };
}

/**
 * CPT Writer: Set API Key…: asks for the server (the configured one first) and its key, and keeps the key
 * in SecretStorage. Resolves true when a key was stored or removed.
 */
export async function setApiKey(
  keys: ApiKeys,
  configuredServer: string | undefined,
  args: { server?: string; key?: string } = {},
): Promise<boolean> {
  let server = args.server;
  if (server === undefined) {
    // The configured server is offered first; another one (a Generate teacher) can be typed instead.
    server = await vscode.window.showInputBox({
      title: vscode.l10n.t('CPT Writer: Set API Key'),
      prompt: vscode.l10n.t("The server's API root, e.g. https://api.example.com/v1"),
      value: configuredServer ?? '',
      ignoreFocusOut: true,
      validateInput: (v) => (validServer(v) ? undefined : vscode.l10n.t('An http:// or https:// address')),
    });
    if (server === undefined) return false;
  }
  if (!validServer(server)) throw new Error(vscode.l10n.t('{0} is not an http(s) server address', displayUrl(server)));
  let key = args.key;
  if (key === undefined) {
    key = await vscode.window.showInputBox({
      title: vscode.l10n.t('CPT Writer: API key for {0}', displayUrl(server)),
      prompt: vscode.l10n.t("Kept in VS Code's secret storage for this server. Leave empty to remove the key."),
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return false;
  }
  await keys.set(server, key);
  void vscode.window.showInformationMessage(
    key.trim()
      ? vscode.l10n.t('CPT Writer: the API key for {0} is stored.', new URL(parseEndpointUrl(server).root).origin)
      : vscode.l10n.t('CPT Writer: the API key for {0} is removed.', new URL(parseEndpointUrl(server).root).origin),
  );
  return true;
}

/** cptWriter.model when it is a server, else undefined. */
export function configuredServer(): string | undefined {
  const spec = readConfig().model;
  return spec && isEndpointSpec(spec) ? spec : undefined;
}

function validServer(v: string): boolean {
  try {
    parseEndpointUrl(v);
    return true;
  } catch {
    return false;
  }
}
