// folio preflight: check the press files already in --out again; writes preflight.json and preflight.html.
import path from 'node:path';
import type { Command } from 'commander';
import { type FolioCommand, writeDiagnostics, examples } from './shared.js';

async function runPreflight(o: { out: string }): Promise<number> {
  const { preflightOutputs } = await import('../build.js');
  const report = await preflightOutputs(o.out);
  writeDiagnostics(process.stderr, report.findings);
  const s = report.summary;
  const counts = `${s.errors} errors, ${s.warnings} warnings, ${s.infos} notes`;
  process.stdout.write(
    `preflight ${s.passed ? 'passed' : 'FAILED'}: ${counts} — ${path.join(o.out, 'preflight.html')}\n`,
  );
  return s.passed ? 0 : 1;
}

export const preflight: FolioCommand<[{ out: string }]> = {
  define: (program: Command) =>
    program
      .command('preflight')
      .description(
        'check the press files in --out (press, press-pdfx, imposed); writes preflight.json and preflight.html',
      )
      .option('-o, --out <dir>', 'output folder of a build', 'dist')
      .addHelpText('after', examples('folio preflight', 'folio preflight --out dist')),
  run: runPreflight,
};
