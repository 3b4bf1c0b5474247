// folio preview: serve the paginated book on 127.0.0.1 and reload it on every save, until Ctrl-C.
import type { Command } from 'commander';
import { checkEditorUrl } from '../preview/editor.js';
import { examples, type FolioCommand, portNumber, usageError } from './shared.js';

export interface PreviewCliOptions {
  manuscript: string;
  port: number;
  dist: string;
  editor?: string;
}

async function runPreview(o: PreviewCliOptions): Promise<number> {
  const editor = o.editor ?? process.env.FOLIO_EDITOR_URL;
  const problem = editor ? checkEditorUrl(editor) : undefined;
  if (problem)
    throw usageError(`${o.editor ? '--editor' : 'FOLIO_EDITOR_URL'}: ${problem.message}\n  hint: ${problem.hint}`);
  const { startPreview } = await import('../preview/server.js');
  const p = await startPreview({
    manuscript: o.manuscript,
    port: o.port,
    dist: o.dist,
    editor,
    log: (l) => process.stderr.write(`folio: ${l}\n`),
  });
  const views = `booklet · ${p.url}index.html?view=press · ${p.url}index.html?view=ebook`;
  process.stdout.write(`preview: ${p.url}  (${views}) — Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => void p.close().then(resolve)));
  return 0;
}

export const preview: FolioCommand<[PreviewCliOptions]> = {
  define: (program: Command) =>
    program
      .command('preview')
      .description('serve the paginated book on 127.0.0.1 and reload it on every save')
      .option('-m, --manuscript <dir>', 'manuscript folder', 'manuscript')
      .option('-p, --port <n>', 'port (0 = any free one)', portNumber, 4173)
      .option('--dist <dir>', 'output folder of `folio build`, whose preflight the panel shows', 'dist')
      .option(
        '--editor <url>',
        'editor link for a clicked line, e.g. vscode://file/{file}:{line} (or FOLIO_EDITOR_URL)',
      )
      .addHelpText(
        'after',
        examples('folio preview', 'folio preview --port 8080 --editor vscode://file/{file}:{line}'),
      ),
  run: runPreview,
};
