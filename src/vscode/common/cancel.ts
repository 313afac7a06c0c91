// Long work in a cancellable progress notification stops on the notification's Cancel, and on a signal
// of the caller's (a test, or a command run with one), whichever comes first.
import type * as vscode from 'vscode';

export interface Cancellation extends vscode.Disposable {
  readonly signal: AbortSignal;
}

/** One AbortSignal for `token` and `also`; dispose() stops listening to both. */
export function cancellation(token: vscode.CancellationToken, also?: AbortSignal): Cancellation {
  const abort = new AbortController();
  const stop = () => abort.abort();
  const sub = token.onCancellationRequested(stop);
  also?.addEventListener('abort', stop, { once: true });
  if (also?.aborted || token.isCancellationRequested) stop();
  return {
    signal: abort.signal,
    dispose: () => {
      sub.dispose();
      also?.removeEventListener('abort', stop);
    },
  };
}
