import type { CliCommand } from '../command';

export const pairsCommand: CliCommand = {
  name: 'pairs',
  summary: '(not implemented yet)',
  usage: 'cpt-writer pairs',
  async run() {
    throw new Error('not implemented');
  },
};
