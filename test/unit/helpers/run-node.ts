// Runs a Node script (usually the CLI from the tsc output) as a real process, for the CLI tests.
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface NodeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** out/src/cli/main.js, beside this helper's own out/test/unit/helpers folder. */
export const CLI_MAIN = path.resolve(__dirname, '../../../src/cli/main.js');

export interface NodeRunOptions {
  cwd?: string;
  stdin?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export function runNode(file: string, args: string[], options: NodeRunOptions = {}): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], {
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 60_000,
      ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

export function runCli(args: string[], options: NodeRunOptions = {}): Promise<NodeRun> {
  return runNode(CLI_MAIN, args, options);
}
