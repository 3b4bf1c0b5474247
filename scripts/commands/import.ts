// folio import: raw newspaper text → a manuscript folder, with a report of every change.
import path from 'node:path';
import type { Command } from 'commander';
import type { ImportReport } from '../import/import.js';
import { examples, type FolioCommand } from './shared.js';

export interface ImportOptions {
  out?: string;
  normalize: boolean;
  force?: boolean;
}

function reportLines(report: ImportReport): string[] {
  const a = report.accounted;
  const lines = [
    `import: ${report.lines} lines — ${a.kept} kept, ${a.joined} joined into paragraphs, ${a.blank} blank, ` +
      `${a.repeats} repeats removed, ${a.pageNumbers} page numbers removed`,
  ];
  if (report.encoding && report.encoding !== 'UTF-8') lines.push(`  read as ${report.encoding}, written as UTF-8`);
  for (const r of report.removedRepeats) {
    const at = `${r.lines.slice(0, 5).join(', ')}${r.lines.length > 5 ? ', …' : ''}`;
    lines.push(`  removed ×${r.count}: ${r.text.slice(0, 40)} (lines ${at})`);
  }
  const title = report.displayTitle;
  if (title) lines.push(`  review: display title joined from lines ${title.lines.join(', ')}: ${title.text}`);
  lines.push(
    `  ${report.figures.length} figures, ${report.subheads.length} sub-heads, ` +
      `${report.punctuation.length} punctuation marks made full-width`,
  );
  for (const r of report.review)
    lines.push(`  review ${r.file}: ${r.note}${r.find && r.replace ? ` ("${r.find}" → "${r.replace}")` : ''}`);
  return lines;
}

async function runImport(raw: string, o: ImportOptions): Promise<number> {
  const out = o.out ?? path.basename(raw, path.extname(raw));
  const { importRaw } = await import('../import/import.js');
  const { report } = await importRaw(raw, out, { normalize: o.normalize, force: o.force });
  for (const line of reportLines(report)) process.stdout.write(`${line}\n`);
  process.stdout.write(`wrote ${out}/ (book.yaml, 01-feature.md, images/PLACEHOLDERS.txt, import-report.json)\n`);
  return 0;
}

export const importCommand: FolioCommand<[string, ImportOptions]> = {
  define: (program: Command) =>
    program
      .command('import')
      .description('turn raw newspaper text into a manuscript folder, with a report of every change')
      .argument('<raw>', 'raw text file (UTF-8)')
      .option('-o, --out <dir>', 'manuscript folder to write (default: ./<name of the raw file>)')
      .option('--no-normalize', 'keep half-width punctuation as it is (lint then lists it)')
      .option('--force', 'overwrite a non-empty output folder')
      .addHelpText(
        'after',
        examples('folio import raw.txt --out manuscript', 'folio import raw.txt --out manuscript --no-normalize'),
      ),
  run: runImport,
};
