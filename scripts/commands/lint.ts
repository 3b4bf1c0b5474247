// folio lint: book.yaml, structure, Chinese punctuation and characters; --fix rewrites what it can.
import type { Command } from 'commander';
import { type FolioCommand, formatOption, type OutputFormat, writeDiagnostics, examples } from './shared.js';

export interface LintOptions {
  fix?: boolean;
  format: OutputFormat;
}

async function runLint(dir: string, o: LintOptions): Promise<number> {
  const { lintManuscript } = await import('../lint/lint.js');
  const r = await lintManuscript(dir, { fix: o.fix });
  if (o.format === 'json')
    process.stdout.write(`${JSON.stringify({ diagnostics: r.diagnostics, fixed: r.fixed }, null, 2)}\n`);
  else {
    writeDiagnostics(process.stdout, r.fixed);
    writeDiagnostics(process.stdout, r.diagnostics);
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = r.diagnostics.filter((d) => d.severity === 'warning').length;
    process.stdout.write(`lint: ${errors} errors, ${warnings} warnings${o.fix ? `, ${r.fixed.length} fixed` : ''}\n`);
  }
  return r.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

export const lint: FolioCommand<[string, LintOptions]> = {
  define: (program: Command) =>
    program
      .command('lint')
      .description('check a manuscript: book.yaml, structure, Chinese punctuation and characters')
      .argument('[dir]', 'manuscript folder', 'manuscript')
      .option(
        '--fix',
        'rewrite what can be fixed (punctuation, dashes, quotes, spaces, traditional characters) and report it',
      )
      .addOption(formatOption())
      .addHelpText(
        'after',
        examples('folio lint', 'folio lint books/新的一本书/manuscript --fix', 'folio lint --format json > lint.json'),
      ),
  run: runLint,
};
