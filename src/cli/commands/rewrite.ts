import type { CliCommand } from '../command';

export const rewriteCommand: CliCommand = {
  name: 'rewrite',
  summary: '(not implemented yet)',
  usage: 'cpt-writer rewrite',
  async run() {
    throw new Error('not implemented');
  },
};
