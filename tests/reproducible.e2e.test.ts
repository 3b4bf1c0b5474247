// SOURCE_DATE_EPOCH: two builds, same bytes; the dates inside follow it.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePDFRawStream, PDFDocument, PDFName, type PDFRawStream } from 'pdf-lib';
import { openEpub } from './helpers/epub.js';
import { folio, manuscript } from './helpers/fixture.js';
import { info } from './helpers/pdf.js';

describe('reproducible builds', () => {
  it('with SOURCE_DATE_EPOCH, booklet, press, PDF/X and EPUB are byte-identical and dated by it', async () => {
    const outs = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), 'folio-repro-')));
    for (const out of outs) {
      const r = folio(
        [
          'build',
          '--out',
          out,
          '--no-check',
          '--target',
          'booklet',
          '--target',
          'press',
          '--target',
          'press-pdfx',
          '--target',
          'epub',
        ],
        { SOURCE_DATE_EPOCH: '1700000000' },
      );
      expect(r.status, r.stderr).toBe(0);
    }
    const [a, b] = outs.map(
      (o) =>
        JSON.parse(readFileSync(path.join(o!, 'manifest.json'), 'utf8')).outputs as {
          target: string;
          sha256: string;
        }[],
    );
    expect(a!.map((o) => o.target)).toEqual(['booklet', 'epub', 'press', 'press-pdfx']);
    expect(b).toEqual(a);
    const booklet = path.join(outs[0]!, 'yuancang-30zai.pdf');
    expect(info(booklet).CreationDate).toBe('Tue Nov 14 22:13:20 2023 UTC');
    expect(info(booklet).ModDate).toBe('Tue Nov 14 22:13:20 2023 UTC');
    const pdfx = path.join(outs[0]!, 'yuancang-30zai-press-pdfx.pdf');
    expect(info(pdfx).CreationDate).toBe('Tue Nov 14 22:13:20 2023 UTC');
    const doc = await PDFDocument.load(readFileSync(pdfx), { updateMetadata: false });
    const xmp = doc.context.lookup(doc.catalog.get(PDFName.of('Metadata'))) as PDFRawStream;
    const xml = Buffer.from(
      xmp.dict.has(PDFName.of('Filter')) ? decodePDFRawStream(xmp).decode() : xmp.getContents(),
    ).toString('utf8');
    expect(xml).toMatch(/<xmp:CreateDate>2023-11-14T22:13:20(Z|\+00:00)?<\/xmp:CreateDate>/);
    const opf = await (await openEpub(path.join(outs[0]!, 'yuancang-30zai.epub'))).text('OEBPS/content.opf');
    expect(opf).toContain('<meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>');
  });
});

describe('reproducible builds with footnotes', () => {
  it('a book with footnotes: every output of two builds byte-identical (Paged.js gave each note a random id)', () => {
    const notes = (n: number) =>
      Array.from({ length: n }, (_, i) => `第${i + 1}段正文。[^n${i}]\n\n[^n${i}]: 脚注${i + 1}。\n`);
    const dir = manuscript({
      '01.md': `# 第一章\n\n${notes(3).join('\n')}\n![照片](images/photo.png "图注。")\n`,
      '02.md': `# 第二章\n\n${notes(2).join('\n')}`,
    });
    const outs = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), 'folio-repro-notes-')));
    for (const out of outs) {
      const r = folio(['build', '--manuscript', dir, '--out', out], { SOURCE_DATE_EPOCH: '1700000000' });
      expect(r.status, r.stderr).toBe(0);
    }
    const files = readdirSync(outs[0]!).sort();
    expect(files).toEqual(readdirSync(outs[1]!).sort());
    expect(files).toEqual(
      expect.arrayContaining(['t.pdf', 't-press.pdf', 't-press-pdfx.pdf', 't-imposed.pdf', 't.epub']),
    );
    for (const f of files) {
      expect(readFileSync(path.join(outs[1]!, f)).equals(readFileSync(path.join(outs[0]!, f))), f).toBe(true);
    }
    // the notes are linked from their calls, under names of their own
    const booklet = readFileSync(path.join(outs[0]!, 't.pdf'), 'latin1');
    expect(booklet).toMatch(/\/note-1\b/);
    expect(booklet).not.toMatch(/note-[0-9a-f]{8}-/);
  });
});
