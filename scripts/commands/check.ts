// folio check: the built outputs against the manuscript (fidelity), or --typography: every laid-out line.
import path from 'node:path';
import type { Command } from 'commander';
import type { FidelityReport } from '../check/fidelity.js';
import {
  examples,
  type FolioCommand,
  formatOption,
  type OutputFormat,
  requirePath,
  writeDiagnostics,
} from './shared.js';

export interface CheckOptions {
  manuscript: string;
  out: string;
  typography?: boolean;
  format: OutputFormat;
  stretch: number;
}

/** The fidelity check of the outputs in `out`. Returns the exit code. */
export async function runFidelity(manuscript: string, out: string, format: OutputFormat): Promise<number> {
  const t0 = performance.now();
  const { checkFidelity } = await import('../check/fidelity.js');
  const { recoverOutputs } = await import('../output/transaction.js');
  const hint = 'Point --out at the output folder of a build (folio build --out DIR), or build first.';
  await requirePath('--out', out, 'folder', hint);
  await requirePath('--out', path.join(out, 'manifest.json'), 'file', hint);
  // a swap a killed build left half done is settled first: the check reads one whole set
  await recoverOutputs(out, (note) => process.stderr.write(`folio: note: ${note}\n`));
  const r = await checkFidelity(manuscript, out);
  if (format === 'json') process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else printCheck(r, performance.now() - t0);
  return r.passed ? 0 : 1;
}

/** The check's findings and one line per output checked (also after the check inside `folio build`). */
export function printCheck(r: FidelityReport, ms: number): void {
  writeDiagnostics(process.stderr, r.diagnostics);
  for (const c of r.checked) process.stderr.write(`folio: check ${c.target.padEnd(8)} ${c.checks.join('; ')}\n`);
  process.stderr.write(`folio: check ${r.passed ? 'passed' : 'FAILED'} in ${(ms / 1000).toFixed(1)} s\n`);
}

async function runTypography(o: CheckOptions): Promise<number> {
  const { checkTypography } = await import('../typography/check.js');
  const report = await checkTypography(o.manuscript, { stretchEm: o.stretch });
  if (o.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    writeDiagnostics(process.stdout, report.findings);
    const summary =
      Object.entries(report.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'no findings';
    const st = report.stats;
    const pct = (a: number, b: number) => (b ? `${((a / b) * 100).toFixed(1)} %` : '—');
    process.stdout.write(`typography: ${st.pages} pages, ${st.blocks} blocks, ${st.lines} lines — ${summary}\n`);
    process.stdout.write(
      `typography: adjacent marks compressed ${st.pairsCompressed}/${st.pairs} ` +
        `(${pct(st.pairsCompressed, st.pairs)}); ` +
        `body lines on the grid ${st.bodyLinesOnGrid}/${st.bodyLines} (${pct(st.bodyLinesOnGrid, st.bodyLines)}); ` +
        `captions aligned ${st.captionsAligned}/${st.figures}\n`,
    );
  }
  return report.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

export const check: FolioCommand<[CheckOptions]> = {
  define: (program: Command) =>
    program
      .command('check')
      .description(
        'check the built outputs against the manuscript (fidelity); --typography measures every laid-out line',
      )
      .option('-m, --manuscript <dir>', 'manuscript folder', 'manuscript')
      .option(
        '--typography',
        'walk the line boxes of every page (避头尾, 孤字, widows, stranded headings, overflow, stretch, quote glyphs)',
      )
      .addOption(formatOption())
      .option('--stretch <em>', 'largest inter-character stretch of a justified line, in em', (v) => Number(v), 0.25)
      .option('-o, --out <dir>', 'output folder of a build (fidelity check)', 'dist')
      .addHelpText('after', examples('folio check', 'folio check --typography --format json')),
  run: (o) => (o.typography ? runTypography(o) : runFidelity(o.manuscript, o.out, o.format)),
};
