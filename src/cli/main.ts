// `cpt-writer`: the same core as the extension, for scripts, CI and dataset work.
import { commands } from './commands';
import { errorMessage } from '../core/errors';
import { terminalSafe } from './terminal-text';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`cpt-writer: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}

function usage(): string {
  const lines = commands.map((c) => `  ${c.name.padEnd(16)} ${c.summary}`);
  return (
    `usage: cpt-writer <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'cpt-writer <command> ` +
    `--help' for a command's options.\n`
  );
}

/**
 * Ctrl+C: a command that runs a model listens for SIGINT itself and stops cleanly (partial text kept, exit
 * 130). This listener, registered first, ends the process with 130 when no command listens, and on a
 * second Ctrl+C when the first did not stop it soon enough for the writer. The engine runs in a process
 * group of its own (see engineOptionsFrom), so the terminal's SIGINT never reaches it, and it exits by
 * itself when this process does.
 */
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts > 1 || process.listenerCount('SIGINT') === 1) {
    process.stderr.write('\ncpt-writer: interrupted\n');
    process.exit(130);
  }
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`cpt-writer: ${terminalSafe(errorMessage(err))}\n`);
    process.exitCode = 1;
  },
);
