import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { build, preflightOutputs, TARGETS, type Target } from './build.js';
import { FolioError, formatDiagnostic } from './diagnostics/diagnostic.js';
import { FOLIO_VERSION } from './render/html.js';
import { checkTypography } from './typography/check.js';

/** Runs the CLI; returns the exit code (0 ok, 1 content/build error, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('folio')
    .description('Markdown manuscript → print booklet (and, later, press PDFs and EPUB)')
    .version(FOLIO_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  let code = 0;
  program
    .command('build')
    .description('build the outputs of a manuscript into --out')
    .option('-m, --manuscript <dir>', 'manuscript folder (book.yaml + chapters)', 'manuscript')
    .option('-o, --out <dir>', 'output folder', 'dist')
    .addOption(new Option('-t, --target <name...>', 'target(s) to build (default: all)').choices([...TARGETS]))
    .option('--timeout <seconds>', 'time limit for pagination', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new CommanderError(2, 'folio.usage', `--timeout expects seconds, got "${v}"`);
      return n;
    }, 120)
    .action(async (o: { manuscript: string; out: string; target?: Target[]; timeout: number }) => {
      const t0 = performance.now();
      const result = await build({
        manuscript: o.manuscript,
        out: o.out,
        targets: o.target,
        timeoutMs: o.timeout * 1000,
        log: (line) => process.stderr.write(`folio: ${line}\n`),
      });
      for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      for (const e of result.outputs) {
        process.stdout.write(`${e.target.padEnd(8)} ${path.join(o.out, e.file)}  ${e.pages ?? '-'} pages  ${(e.bytes / 1024).toFixed(0)} KiB\n`);
      }
      process.stderr.write(`folio: built in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      code = 0;
    });

  program
    .command('preflight')
    .description('check the press files in --out (press, press-pdfx, imposed); writes preflight.json and preflight.html')
    .option('-o, --out <dir>', 'output folder of a build', 'dist')
    .action(async (o: { out: string }) => {
      const report = await preflightOutputs(o.out);
      for (const d of report.findings) process.stderr.write(`${formatDiagnostic(d)}\n`);
      const s = report.summary;
      process.stdout.write(`preflight ${s.passed ? 'passed' : 'FAILED'}: ${s.errors} errors, ${s.warnings} warnings, ${s.infos} notes — ${path.join(o.out, 'preflight.html')}\n`);
      code = s.passed ? 0 : 1;
    });

  program
    .command('check')
    .description('check a laid-out book; --typography measures every line against the Chinese layout rules')
    .option('-m, --manuscript <dir>', 'manuscript folder', 'manuscript')
    .option('--typography', 'walk the line boxes of every page (避头尾, 孤字, widows, stranded headings, overflow, stretch, quote glyphs)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--stretch <em>', 'largest inter-character stretch of a justified line, in em', (v) => Number(v), 0.25)
    .action(async (o: { manuscript: string; typography?: boolean; format: 'text' | 'json'; stretch: number }) => {
      if (!o.typography) throw new CommanderError(2, 'folio.usage', 'folio check: say what to check (--typography)');
      const report = await checkTypography(o.manuscript, { stretchEm: o.stretch });
      if (o.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        for (const d of report.findings) process.stdout.write(`${formatDiagnostic(d)}\n`);
        const summary = Object.entries(report.counts).map(([k, v]) => `${k} ${v}`).join(', ') || 'no findings';
        process.stdout.write(`typography: ${report.stats.pages} pages, ${report.stats.blocks} blocks, ${report.stats.lines} lines — ${summary}\n`);
      }
      code = report.findings.some((f) => f.severity === 'error') ? 1 : 0;
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (e.code === 'folio.usage') process.stderr.write(`folio: ${e.message}\n`);
      return 2;
    }
    if (e instanceof FolioError) {
      for (const d of e.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      process.stderr.write(`folio: failed; earlier outputs are untouched\n`);
      return e.exitCode;
    }
    process.stderr.write(`folio: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
