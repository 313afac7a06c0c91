// The one "CPT Writer" output channel, adapted to the core Logger so core code and the engine log to it.
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';

export interface ChannelLogger extends Logger, vscode.Disposable {
  show(): void;
}

export function createChannelLogger(name = 'CPT Writer'): ChannelLogger {
  const channel = vscode.window.createOutputChannel(name, { log: true });
  return {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}

export { errorMessage } from '../../core/errors';
