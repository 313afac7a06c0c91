export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. Errors go to stderr. */
  run(argv: string[]): Promise<number>;
}
