// folio placeholders: an FPO placeholder image for every figure whose image is missing.
import type { Command } from 'commander';
import { examples, type FolioCommand } from './shared.js';

async function runPlaceholders(dir: string, o: { all?: boolean }): Promise<number> {
  const { makePlaceholders } = await import('../tools/placeholders.js');
  for (const f of await makePlaceholders(dir, { all: o.all })) process.stdout.write(`wrote ${f}\n`);
  return 0;
}

export const placeholders: FolioCommand<[string, { all?: boolean }]> = {
  define: (program: Command) =>
    program
      .command('placeholders')
      .description('render an FPO placeholder image for every figure whose image is missing')
      .argument('[dir]', 'manuscript folder', 'manuscript')
      .option('--all', 'replace existing images too')
      .addHelpText('after', examples('folio placeholders', 'folio placeholders manuscript --all')),
  run: runPlaceholders,
};
