// Images with alpha in the PDF/X (issue 15): an RGBA figure made Ghostscript flatten its whole page into
// one 720-ppi raster (text no longer text) and the build's check then blamed lost content. Now each image's
// alpha is composited onto what lies under it (paper; the cover colour under the cover picture) before
// Ghostscript: the PDF/X keeps live text and fonts, and looks like the press PDF.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { alphaGradientPng, palettedTrnsPng } from './helpers/alpha-png.js';
import { folio, manuscript } from './helpers/fixture.js';
import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFNumber, PDFRawStream, type PDFDict } from 'pdf-lib';
import { FolioError } from '../scripts/diagnostics/diagnostic.js';
import { loadManuscript } from '../scripts/manuscript/load.js';
import { buildBook } from '../scripts/model/book.js';
import type { Pagination } from '../scripts/paginate/paginate.js';
import { pdfxAlpha } from '../scripts/output/make.js';
import { makePdfx } from '../scripts/press/pdfx.js';

const out = mkdtempSync(path.join(tmpdir(), 'folio-alpha-'));
const file = (name: string) => path.join(out, name);
let stderr = '';
let status: number | null = null;
let dir = '';

const FIGURES: [string, Buffer, string][] = [
  ['rgba.png', alphaGradientPng(2000, 1500, 'rgba'), '彩色透明图。'],
  ['grey.png', alphaGradientPng(800, 600, 'grey'), '灰度透明图。'],
  ['pal.png', palettedTrnsPng(640, 480), '调色板透明图。'],
];

beforeAll(() => {
  const figures = FIGURES.map(([name, , caption], i) => `![图${i}](images/${name} "${caption}")\n\n正文${i}段。\n`);
  dir = manuscript({
    'book.yaml': 'title: 透明\nauthors: [甲]\nlanguage: zh-CN\ndate: 2026-01-02\nslug: t\ncover: images/cover.png\n',
    '01.md': `# 第一章\n\n透明图片之前的一段。\n\n${figures.join('\n')}\n透明图片之后的一段。\n`,
    'images/cover.png': alphaGradientPng(1000, 1414, 'rgba'),
    ...Object.fromEntries(FIGURES.map(([name, png]) => [`images/${name}`, png])),
  });
  const r = folio(['build', '--manuscript', dir, '--out', out], { SOURCE_DATE_EPOCH: '1767312000' });
  ({ stderr, status } = r);
});

/** `pdfimages -list` rows: page, type, width, height, colour, object number. */
function images(pdf: string) {
  return execFileSync('pdfimages', ['-list', pdf], { encoding: 'utf8' })
    .split('\n')
    .slice(2)
    .filter(Boolean)
    .map((l) => l.trim().split(/\s+/))
    .map((f) => ({
      page: Number(f[0]),
      type: f[2]!,
      width: Number(f[3]),
      height: Number(f[4]),
      color: f[5]!,
      id: f[10]!,
    }));
}

const pageText = (pdf: string, page: number) =>
  execFileSync('pdftotext', ['-f', String(page), '-l', String(page), '-layout', pdf, '-'], { encoding: 'utf8' })
    .replace(/\s+/g, '')
    .trim();

/** A page rendered at 20 ppi, as RGB bytes. */
function render(pdf: string, page: number): PNG {
  const prefix = path.join(out, `r-${path.basename(pdf)}-${page}`);
  execFileSync('pdftoppm', ['-r', '20', '-png', '-singlefile', '-f', String(page), '-l', String(page), pdf, prefix]);
  return PNG.sync.read(readFileSync(`${prefix}.png`));
}

describe('images with alpha in the PDF/X (RGBA, grey + alpha, paletted with tRNS, the cover)', () => {
  it('build and check pass; the log says how many images were flattened', () => {
    expect(stderr).not.toMatch(/fidelity-missing|internal error|\n\s+at /);
    expect(status, stderr).toBe(0);
    expect(stderr).toMatch(/folio: check passed/);
    expect(stderr).toMatch(/4 images with alpha flattened onto their backdrop/);
  });

  it('the PDF/X holds the four images at their own pixel size, CMYK, no soft mask, no page-size raster', () => {
    const press = images(file('t-press.pdf'));
    expect(press.filter((i) => i.type === 'smask')).toHaveLength(4); // the press PDF keeps its alpha
    const pdfx = images(file('t-press-pdfx.pdf'));
    expect(pdfx.map((i) => `${i.width}x${i.height} ${i.type} ${i.color}`).sort()).toEqual(
      ['1000x1414', '2000x1500', '800x600', '640x480'].map((s) => `${s} image cmyk`).sort(),
    );
  });

  it('every page of the PDF/X has the press PDF page text, in fonts (no Type 3)', () => {
    const pages = Number(
      /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file('t-press.pdf')], { encoding: 'utf8' }))![1],
    );
    for (let p = 1; p <= pages; p++) {
      const text = pageText(file('t-press.pdf'), p);
      expect(pageText(file('t-press-pdfx.pdf'), p), `page ${p}`).toBe(text);
    }
    expect(pageText(file('t-press-pdfx.pdf'), 1)).toMatch(/透明/);
    const fonts = execFileSync('pdffonts', [file('t-press-pdfx.pdf')], { encoding: 'utf8' });
    expect(fonts).toMatch(/CID TrueType/);
    expect(fonts).not.toMatch(/Type 3/);
  });

  it('the PDF/X looks like the press PDF (alpha over paper, and over the cover colour on the cover)', () => {
    const figurePages = [...new Set(images(file('t-press.pdf')).map((i) => i.page))];
    expect(figurePages).toContain(1);
    for (const p of figurePages) {
      const [a, b] = [render(file('t-press.pdf'), p), render(file('t-press-pdfx.pdf'), p)];
      let sum = 0;
      for (let i = 0; i < a.data.length; i += 4) {
        for (let k = 0; k < 3; k++) sum += Math.abs(a.data[i + k]! - b.data[i + k]!);
      }
      // the RGB → FOGRA39 conversion alone moves a saturated gradient by a few levels; alpha over the
      // wrong backdrop (white under the cover, black under a figure) would move half the picture by ~100
      expect(sum / ((a.data.length / 4) * 3), `page ${p}`).toBeLessThan(8);
    }
  });

  it('a transparent pixel of a figure is paper in the PDF/X, an opaque one is ink', () => {
    const rgba = images(file('t-press-pdfx.pdf')).find((i) => i.width === 2000)!;
    const data = execFileSync(
      'qpdf',
      [`--show-object=${rgba.id}`, '--filtered-stream-data', file('t-press-pdfx.pdf')],
      {
        maxBuffer: 64 * 2 ** 20,
      },
    );
    const left = [...data.subarray(0, 4)];
    const right = [...data.subarray(1999 * 4, 2000 * 4)];
    expect(Math.max(...left)).toBeLessThanOrEqual(2);
    expect(right.reduce((s, v) => s + v, 0)).toBeGreaterThan(200);
  });
});

describe('an image with alpha the PDF/X cannot flatten', () => {
  it('an image whose alpha cannot be flattened faithfully: image-transparency at its figure, no PDF/X', async () => {
    // Chromium always writes a mask of the image's own size; one of another size is made here, in the
    // press PDF the build wrote, on the grey figure
    const doc = await PDFDocument.load(readFileSync(file('t-press.pdf')), { updateMetadata: false });
    const grey = doc.context
      .enumerateIndirectObjects()
      .map(([, o]) => o)
      .find((o): o is PDFRawStream => o instanceof PDFRawStream && String(o.dict.get(PDFName.of('Width'))) === '800')!;
    const mask = doc.context.obj({ Type: 'XObject', Subtype: 'Image', Width: 10, Height: 10 }) as PDFDict;
    mask.set(PDFName.of('BitsPerComponent'), PDFNumber.of(8));
    mask.set(PDFName.of('ColorSpace'), PDFName.of('DeviceGray'));
    mask.set(PDFName.of('Filter'), PDFName.of('FlateDecode'));
    grey.dict.set(
      PDFName.of('SMask'),
      doc.context.register(PDFRawStream.of(mask, deflateSync(Buffer.alloc(100, 128)))),
    );
    const press = await doc.save({ useObjectStreams: false });
    const book = buildBook(await loadManuscript(dir));
    const pagination = { pages: [{ number: 1, side: 'right', name: 'cover', blank: false }], figurePages: {} };
    const alpha = pdfxAlpha({ book, pagination: pagination as unknown as Pagination });
    const e = await makePdfx(press, book.meta, { root: dir, ...alpha }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FolioError);
    const figure = book.figures.find((f) => f.href.endsWith('grey.png'))!;
    expect((e as FolioError).diagnostics).toEqual([
      expect.objectContaining({
        ...figure.source,
        severity: 'error',
        ruleId: 'image-transparency',
        message: expect.stringMatching(/800 × 600 px, page \d+\): its soft mask has another pixel size/),
        hint: expect.stringMatching(/save the image without alpha/),
      }),
    ]);
  });
});
