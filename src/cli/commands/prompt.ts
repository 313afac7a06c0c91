import type { CliCommand } from '../command';

export const promptCommand: CliCommand = {
  name: 'prompt',
  summary: '(not implemented yet)',
  usage: 'cpt-writer prompt',
  async run() {
    throw new Error('not implemented');
  },
};
