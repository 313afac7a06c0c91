// Registers the CPT Writer sidebar (the webview view `cptWriter.sidebar`).
import * as vscode from 'vscode';
import type { SidebarDeps } from './deps';
import { SidebarProvider } from './provider';

export type { SidebarDeps } from './deps';
export { SidebarProvider } from './provider';
export { cleanModelStatus, cleanStats, toRubricView } from './views';

/**
 * Registers the sidebar's webview view provider and returns it (already pushed to
 * context.subscriptions). retainContextWhenHidden stays off: the webview is rebuilt on show from the
 * host's full-state message and its own vscode.setState().
 */
export function registerSidebar(context: vscode.ExtensionContext, deps: SidebarDeps): SidebarProvider {
  const provider = new SidebarProvider(context.extensionUri, deps);
  context.subscriptions.push(
    provider,
    vscode.window.registerWebviewViewProvider(SidebarProvider.viewType, provider, {
      webviewOptions: { retainContextWhenHidden: false },
    }),
  );
  return provider;
}
