export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. Errors go to stderr. */
  run(argv: string[]): Promise<number>;
}

/** A mistake in the command line: reported with the usage text and exit code 2. */
export class UsageError extends Error {}

/** Writes "cpt-writer NAME: message" to stderr and returns `code`, for `return fail(...)` in run(). */
export function failWith(name: string): (message: string, code: number) => number {
  return (message, code) => {
    process.stderr.write(`cpt-writer ${name}: ${message}\n`);
    return code;
  };
}
