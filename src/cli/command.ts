// What every `cpt-writer` command is, and the one place command-line failures become messages and exit codes.
import { EngineError } from '../core/engine/types';
import { CptError, TooLongError, errorMessage, isCancelled } from '../core/errors';
import { terminalSafe } from './terminal-text';

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. Errors go to stderr. */
  run(argv: string[]): Promise<number>;
}

/** A mistake in the command line: reported with the usage text and exit code 2. */
export class UsageError extends CptError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/** A failure the user can act on (unreadable file, unknown rubric): reported without a stack, with `exitCode`. */
export class CliError extends CptError<'CLI'> {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super('CLI', message);
    this.name = 'CliError';
  }
}

/** Writes "cpt-writer NAME: message" to stderr (made terminal-safe: messages echo file contents) and returns `code`. */
export function failWith(name: string): (message: string, code: number) => number {
  return (message, code) => {
    process.stderr.write(`cpt-writer ${name}: ${terminalSafe(message)}\n`);
    return code;
  };
}

/**
 * A command whose `run` may throw UsageError (or a node:util parseArgs error), CliError, EngineError or
 * TooLongError: each becomes "cpt-writer NAME: message" on stderr with its exit code (2, the error's, 1).
 */
export function defineCommand(spec: CliCommand): CliCommand {
  const fail = failWith(spec.name);
  return {
    ...spec,
    async run(argv) {
      try {
        return await spec.run(argv);
      } catch (err) {
        if (err instanceof UsageError || (err as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS')) {
          return fail(`${errorMessage(err)}\n\n${spec.usage}`, 2);
        }
        if (err instanceof CliError) return fail(err.message, err.exitCode);
        // A cancelled load or call is Ctrl+C's doing: the same exit code as a cancelled generation.
        // The engine's refusal of a prompt longer than the context is a TooLongError, reported the same way.
        if (err instanceof EngineError || err instanceof TooLongError)
          return fail(`${err.message} [${err.code}]`, isCancelled(err) ? 130 : 1);
        throw err;
      }
    },
  };
}
