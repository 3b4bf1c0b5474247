// folio preview: serve the paginated book on 127.0.0.1 and reload it on every save, until Ctrl-C.
import type { Command } from 'commander';
import type { FolioCommand } from './shared.js';

async function runPreview(o: { manuscript: string; port: number }): Promise<number> {
  const { startPreview } = await import('../preview/server.js');
  const p = await startPreview({
    manuscript: o.manuscript,
    port: o.port,
    log: (l) => process.stderr.write(`folio: ${l}\n`),
  });
  const views = `booklet · ${p.url}index.html?view=press · ${p.url}index.html?view=ebook`;
  process.stdout.write(`preview: ${p.url}  (${views}) — Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => void p.close().then(resolve)));
  return 0;
}

export const preview: FolioCommand<[{ manuscript: string; port: number }]> = {
  define: (program: Command) =>
    program
      .command('preview')
      .description('serve the paginated book on 127.0.0.1 and reload it on every save')
      .option('-m, --manuscript <dir>', 'manuscript folder', 'manuscript')
      .option('-p, --port <n>', 'port', (v) => Number(v), 4173),
  run: runPreview,
};
