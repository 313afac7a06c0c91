import { terminalSafe } from './terminal-safe';

/** The logging surface core code writes to; the extension backs it with a LogOutputChannel, the CLI with stderr. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** A logger that writes to stderr, for the CLI and scripts. `verbose` adds debug and trace lines. */
export function stderrLogger(verbose = false): Logger {
  const write = (level: string) => (message: string) => process.stderr.write(`[${level}] ${terminalSafe(message)}\n`);
  const quiet = () => {};
  return {
    trace: verbose ? write('trace') : quiet,
    debug: verbose ? write('debug') : quiet,
    info: verbose ? write('info') : quiet,
    warn: write('warn'),
    error: write('error'),
  };
}
