// folio proof: every page as a PNG and a contact sheet in spreads; --against marks the pages that changed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { examples, type FolioCommand, requirePath, usageError } from './shared.js';

export interface ProofOptions {
  pdf?: string;
  dist: string;
  out?: string;
  against?: string;
}

/** The booklet named in `<dist>/manifest.json`; a usage error when there is none. */
async function bookletOf(dist: string): Promise<string> {
  const manifest = JSON.parse(
    await readFile(path.join(dist, 'manifest.json'), 'utf8').catch(() => '{"outputs":[]}'),
  ) as { outputs: { target: string; file: string }[] };
  const booklet = manifest.outputs.find((x) => x.target === 'booklet');
  if (!booklet) throw usageError(`folio proof: no booklet in ${dist}/manifest.json; build it or pass --pdf`);
  return path.join(dist, booklet.file);
}

async function runProof(o: ProofOptions): Promise<number> {
  const pdf = o.pdf ?? (await bookletOf(o.dist));
  await requirePath(
    o.pdf ? '--pdf' : 'the booklet',
    pdf,
    'file',
    'Give the path of a PDF, or build the booklet first.',
  );
  if (o.against) await requirePath('--against', o.against, 'file', 'Give the path of an earlier build of this PDF.');
  const { makeProof } = await import('../proof/proof.js');
  const r = await makeProof(pdf, o.out ?? path.join(o.dist, 'proof'), { against: o.against });
  process.stdout.write(`proof: ${r.pages} pages → ${r.sheetPng}, ${r.sheetHtml}\n`);
  if (r.changed) process.stdout.write(`changed pages: ${r.changed.length ? r.changed.join(', ') : 'none'}\n`);
  return 0;
}

export const proof: FolioCommand<[ProofOptions]> = {
  define: (program: Command) =>
    program
      .command('proof')
      .description(
        'every page as a PNG (150 dpi) and a contact sheet in spreads; --against marks the pages that changed',
      )
      .option('--pdf <file>', 'the PDF to proof (default: the booklet in --dist)')
      .option('--dist <dir>', 'output folder of a build', 'dist')
      .option('-o, --out <dir>', 'where to write the proof (default: <dist>/proof)')
      .option('--against <pdf>', 'an earlier build of the same book to compare with')
      .addHelpText('after', examples('folio proof', 'folio proof --against old/yuancang-30zai.pdf')),
  run: runProof,
};
