import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { FolioError, formatDiagnostic } from './diagnostics/diagnostic.js';
import { createProgress, summaryTable } from './output/progress.js';
import { TARGETS, type Target } from './targets.js';
import { FOLIO_VERSION } from './version.js';

async function runFidelity(manuscript: string, out: string, format: 'text' | 'json'): Promise<number> {
  const t0 = performance.now();
  const { checkFidelity } = await import('./check/fidelity.js');
  const r = await checkFidelity(manuscript, out);
  if (format === 'json') process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else {
    for (const d of r.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    for (const c of r.checked) process.stderr.write(`folio: check ${c.target.padEnd(8)} ${c.checks.join('; ')}\n`);
    process.stderr.write(
      `folio: check ${r.passed ? 'passed' : 'FAILED'} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  }
  return r.passed ? 0 : 1;
}

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
    .option(
      '--timeout <seconds>',
      'time limit for pagination',
      (v) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0)
          throw new CommanderError(2, 'folio.usage', `--timeout expects seconds, got "${v}"`);
        return n;
      },
      120,
    )
    .option('--no-check', 'skip the fidelity check of the outputs at the end')
    .action(async (o: { manuscript: string; out: string; target?: Target[]; timeout: number; check: boolean }) => {
      const t0 = performance.now();
      const progress = createProgress();
      const { build } = await import('./build.js');
      const result = await build({
        manuscript: o.manuscript,
        out: o.out,
        targets: o.target,
        timeoutMs: o.timeout * 1000,
        log: (line) => progress.log(line),
        onPage: (n) => progress.page(n),
      }).finally(() => progress.done());
      for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      process.stdout.write(`${summaryTable(result.outputs, result.timings, o.out)}\n`);
      process.stderr.write(`folio: built in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      code =
        o.check && result.outputs.some((e) => e.target === 'booklet' || e.target === 'press' || e.target === 'epub')
          ? await runFidelity(o.manuscript, o.out, 'text')
          : 0;
    });

  program
    .command('preflight')
    .description(
      'check the press files in --out (press, press-pdfx, imposed); writes preflight.json and preflight.html',
    )
    .option('-o, --out <dir>', 'output folder of a build', 'dist')
    .action(async (o: { out: string }) => {
      const { preflightOutputs } = await import('./build.js');
      const report = await preflightOutputs(o.out);
      for (const d of report.findings) process.stderr.write(`${formatDiagnostic(d)}\n`);
      const s = report.summary;
      process.stdout.write(
        `preflight ${s.passed ? 'passed' : 'FAILED'}: ${s.errors} errors, ${s.warnings} warnings, ${s.infos} notes — ${path.join(o.out, 'preflight.html')}\n`,
      );
      code = s.passed ? 0 : 1;
    });

  program
    .command('import')
    .description('turn raw newspaper text into a manuscript folder, with a report of every change')
    .argument('<raw>', 'raw text file (UTF-8)')
    .option('-o, --out <dir>', 'manuscript folder to write (default: ./<name of the raw file>)')
    .option('--no-normalize', 'keep half-width punctuation as it is (lint then lists it)')
    .option('--force', 'overwrite a non-empty output folder')
    .action(async (raw: string, o: { out?: string; normalize: boolean; force?: boolean }) => {
      const out = o.out ?? path.basename(raw, path.extname(raw));
      const { importRaw } = await import('./import/import.js');
      const { report } = await importRaw(raw, out, { normalize: o.normalize, force: o.force });
      const a = report.accounted;
      process.stdout.write(
        `import: ${report.lines} lines — ${a.kept} kept, ${a.joined} joined into paragraphs, ${a.blank} blank, ${a.repeats} repeats removed, ${a.pageNumbers} page numbers removed\n`,
      );
      for (const r of report.removedRepeats)
        process.stdout.write(
          `  removed ×${r.count}: ${r.text.slice(0, 40)} (lines ${r.lines.slice(0, 5).join(', ')}${r.lines.length > 5 ? ', …' : ''})\n`,
        );
      if (report.displayTitle)
        process.stdout.write(
          `  review: display title joined from lines ${report.displayTitle.lines.join(', ')}: ${report.displayTitle.text}\n`,
        );
      process.stdout.write(
        `  ${report.figures.length} figures, ${report.subheads.length} sub-heads, ${report.punctuation.length} punctuation marks made full-width\n`,
      );
      for (const r of report.review)
        process.stdout.write(
          `  review ${r.file}: ${r.note}${r.find && r.replace ? ` ("${r.find}" → "${r.replace}")` : ''}\n`,
        );
      process.stdout.write(`wrote ${out}/ (book.yaml, 01-feature.md, images/PLACEHOLDERS.txt, import-report.json)\n`);
    });

  program
    .command('placeholders')
    .description('render an FPO placeholder image for every figure whose image is missing')
    .argument('[dir]', 'manuscript folder', 'manuscript')
    .option('--all', 'replace existing images too')
    .action(async (dir: string, o: { all?: boolean }) => {
      const { makePlaceholders } = await import('./tools/placeholders.js');
      for (const f of await makePlaceholders(dir, { all: o.all })) process.stdout.write(`wrote ${f}\n`);
    });

  program
    .command('preview')
    .description('serve the paginated book on 127.0.0.1 and reload it on every save')
    .option('-m, --manuscript <dir>', 'manuscript folder', 'manuscript')
    .option('-p, --port <n>', 'port', (v) => Number(v), 4173)
    .action(async (o: { manuscript: string; port: number }) => {
      const { startPreview } = await import('./preview/server.js');
      const p = await startPreview({
        manuscript: o.manuscript,
        port: o.port,
        log: (l) => process.stderr.write(`folio: ${l}\n`),
      });
      process.stdout.write(
        `preview: ${p.url}  (booklet · ${p.url}index.html?view=press · ${p.url}index.html?view=ebook) — Ctrl-C to stop\n`,
      );
      await new Promise<void>((resolve) => process.once('SIGINT', () => void p.close().then(resolve)));
    });

  program
    .command('proof')
    .description('every page as a PNG (150 dpi) and a contact sheet in spreads; --against marks the pages that changed')
    .option('--pdf <file>', 'the PDF to proof (default: the booklet in --dist)')
    .option('--dist <dir>', 'output folder of a build', 'dist')
    .option('-o, --out <dir>', 'where to write the proof (default: <dist>/proof)')
    .option('--against <pdf>', 'an earlier build of the same book to compare with')
    .action(async (o: { pdf?: string; dist: string; out?: string; against?: string }) => {
      let pdf = o.pdf;
      if (!pdf) {
        const manifest = JSON.parse(
          await readFile(path.join(o.dist, 'manifest.json'), 'utf8').catch(() => '{"outputs":[]}'),
        ) as { outputs: { target: string; file: string }[] };
        const booklet = manifest.outputs.find((x) => x.target === 'booklet');
        if (!booklet)
          throw new CommanderError(
            2,
            'folio.usage',
            `folio proof: no booklet in ${o.dist}/manifest.json; build it or pass --pdf`,
          );
        pdf = path.join(o.dist, booklet.file);
      }
      const { makeProof } = await import('./proof/proof.js');
      const r = await makeProof(pdf, o.out ?? path.join(o.dist, 'proof'), { against: o.against });
      process.stdout.write(`proof: ${r.pages} pages → ${r.sheetPng}, ${r.sheetHtml}\n`);
      if (r.changed) process.stdout.write(`changed pages: ${r.changed.length ? r.changed.join(', ') : 'none'}\n`);
    });

  program
    .command('lint')
    .description('check a manuscript: book.yaml, structure, Chinese punctuation and characters')
    .argument('[dir]', 'manuscript folder', 'manuscript')
    .option(
      '--fix',
      'rewrite what can be fixed (punctuation, dashes, quotes, spaces, traditional characters) and report it',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (dir: string, o: { fix?: boolean; format: 'text' | 'json' }) => {
      const { lintManuscript } = await import('./lint/lint.js');
      const r = await lintManuscript(dir, { fix: o.fix });
      if (o.format === 'json')
        process.stdout.write(`${JSON.stringify({ diagnostics: r.diagnostics, fixed: r.fixed }, null, 2)}\n`);
      else {
        for (const d of r.fixed) process.stdout.write(`${formatDiagnostic(d)}\n`);
        for (const d of r.diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
        const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
        const warnings = r.diagnostics.filter((d) => d.severity === 'warning').length;
        process.stdout.write(
          `lint: ${errors} errors, ${warnings} warnings${o.fix ? `, ${r.fixed.length} fixed` : ''}\n`,
        );
      }
      code = r.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
    });

  program
    .command('check')
    .description('check the built outputs against the manuscript (fidelity); --typography measures every laid-out line')
    .option('-m, --manuscript <dir>', 'manuscript folder', 'manuscript')
    .option(
      '--typography',
      'walk the line boxes of every page (避头尾, 孤字, widows, stranded headings, overflow, stretch, quote glyphs)',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--stretch <em>', 'largest inter-character stretch of a justified line, in em', (v) => Number(v), 0.25)
    .option('-o, --out <dir>', 'output folder of a build (fidelity check)', 'dist')
    .action(
      async (o: {
        manuscript: string;
        out: string;
        typography?: boolean;
        format: 'text' | 'json';
        stretch: number;
      }) => {
        if (!o.typography) {
          code = await runFidelity(o.manuscript, o.out, o.format);
          return;
        }
        const { checkTypography } = await import('./typography/check.js');
        const report = await checkTypography(o.manuscript, { stretchEm: o.stretch });
        if (o.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else {
          for (const d of report.findings) process.stdout.write(`${formatDiagnostic(d)}\n`);
          const summary =
            Object.entries(report.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || 'no findings';
          process.stdout.write(
            `typography: ${report.stats.pages} pages, ${report.stats.blocks} blocks, ${report.stats.lines} lines — ${summary}\n`,
          );
        }
        code = report.findings.some((f) => f.severity === 'error') ? 1 : 0;
      },
    );

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return 0;
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
