import type { CliCommand } from '../command';

export const rubricsCommand: CliCommand = {
  name: 'rubrics',
  summary: '(not implemented yet)',
  usage: 'cpt-writer rubrics',
  async run() {
    throw new Error('not implemented');
  },
};
