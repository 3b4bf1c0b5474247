// Images outside figures and long unbroken Latin words stay inside the page's text block: a manuscript
// unlike the seed (1400 × 840 px PNGs in a footnote, a table cell and a paragraph; a heading and a body
// line with 60-90 character words), built through the CLI and read back from the booklet PDF and the EPUB.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeGeometry } from '../scripts/render/geometry.js';
import { openEpub } from './helpers/epub.js';
import { folio, manuscript } from './helpers/fixture.js';
import { pageCount, pageLines, pageText, squash } from './helpers/pdf.js';
import { placedImages } from './helpers/stext.js';

const g = computeGeometry({ width: 148, height: 210 });
const HEADING = 'Supercalifragilisticexpialidocious_Supercalifragilisticexpialidocious_Supercalifragilistic';
const WORD = 'Pneumonoultramicroscopicsilicovolcanoconiosisxxxxxxxxxxxxxxxxxxx';

/** A 1400 × 840 px picture: at 96 ppi it is 1050 pt wide, three times the measure. */
function bigPng(): Buffer {
  const png = new PNG({ width: 1400, height: 840 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([200, (i / 4) % 251, 60, 255], i);
  return PNG.sync.write(png);
}

const CHAPTER = [
  '# 第一章',
  '',
  '正文一段，文字较多，用来占据版面的一部分，让脚注出现在页面底部。脚注中有图[^img]，另一个脚注[^two]。',
  '',
  `## ${HEADING}`,
  '',
  `超长单词${WORD}结束。`,
  '',
  '行内图片 ![小图](images/pic.png) 在段落中间INLINEIMG。',
  '',
  '图片紧跟文字一行TEXTLINE',
  '![小图](images/pic.png)',
  '',
  '| 图 | 说明 |',
  '|---|---|',
  '| ![小图](images/pic.png) | 表中图片CELLIMG |',
  '',
  '[^img]: 脚注图片 ![小图](images/pic.png) 结束NOTEIMG。',
  '',
  '[^two]: 第二个脚注NOTETWO。',
  '',
].join('\n');

/** The text block of a page, pt from the top-left, 2 pt of tolerance: odd pages are rectos. */
const block = (page: number) => {
  const x = page % 2 === 1 ? g.inner : g.outer;
  return { x: x - 2, y: g.top - 2, w: g.chars * g.em + 4, h: g.lines * g.line + 4 };
};

let dir: string;
let out: string;
let pdf: string;
let pages: number[];
let stderr: string;

beforeAll(() => {
  dir = manuscript({ '01.md': CHAPTER });
  writeFileSync(path.join(dir, 'images', 'pic.png'), bigPng());
  out = mkdtempSync(path.join(tmpdir(), 'folio-contain-'));
  const r = folio(['build', '-m', dir, '--out', out, '--target', 'booklet', 'epub']);
  stderr = r.stderr;
  expect(r.status, r.stderr).toBe(0);
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
    outputs: { target: string; file: string }[];
  };
  pdf = path.join(out, manifest.outputs.find((o) => o.target === 'booklet')!.file);
  pages = Array.from({ length: pageCount(pdf) }, (_, i) => i + 1);
}, 240_000);

describe('images outside figures (a footnote, a table cell, a paragraph)', () => {
  it('build without a render overflow or lost content, and every footnote is printed', () => {
    expect(stderr).not.toMatch(/render-overflow|render-lost-content|fidelity-/);
    // lines by baseline: a note line holding a 3-line image is read in order only so
    const text = squash(pages.flatMap((p) => pageLines(pdf, p)).join(''));
    for (const s of [
      '脚注图片结束NOTEIMG。',
      '第二个脚注NOTETWO。',
      '表中图片CELLIMG',
      '在段落中间INLINEIMG。',
      'TEXTLINE',
    ])
      expect(text).toContain(s);
  });

  it('are drawn inside the text block of their page, a note image at most three note lines high', () => {
    const placed = placedImages(pdf);
    expect(placed.length).toBe(4); // footnote, paragraph, after a text line, table cell
    for (const im of placed) {
      const b = block(im.page);
      expect(im.x0, `page ${im.page}`).toBeGreaterThanOrEqual(b.x);
      expect(im.x1, `page ${im.page}`).toBeLessThanOrEqual(b.x + b.w);
      expect(im.y0, `page ${im.page}`).toBeGreaterThanOrEqual(b.y);
      expect(im.y1, `page ${im.page}`).toBeLessThanOrEqual(b.y + b.h);
    }
    // the smallest two are the note's (3 × 13 pt) and the cell's (4 × 15 pt); both keep the 5 : 3 shape
    const heights = placed.map((im) => im.y1 - im.y0).sort((a, b) => a - b);
    expect(heights[0]).toBeLessThanOrEqual(39.5);
    expect(heights[1]).toBeLessThanOrEqual(60.5);
    for (const im of placed) expect((im.x1 - im.x0) / (im.y1 - im.y0)).toBeCloseTo(1400 / 840, 1);
  });
});

describe('long unbroken Latin words', () => {
  it('print the heading and the body word in full, every line inside the text block', () => {
    const words = (p: number) => pageText(pdf, p, block(p));
    const inside = squash(pages.map(words).join(''));
    expect(inside).toContain(HEADING);
    expect(inside).toContain(`超长单词${WORD}结束。`);
    // nothing of either is left outside the text block (pdftotext -x/-y/-W/-H keeps whole words inside)
    const all = squash(pages.map((p) => pageText(pdf, p)).join(''));
    expect(all.split(HEADING.slice(0, 20)).length).toBe(inside.split(HEADING.slice(0, 20)).length);
  });

  it('break at the line end: the word starts on the line of the Chinese before it', () => {
    const lines = pages.flatMap((p) => pageLines(pdf, p, block(p)).map(squash));
    const first = lines.find((l) => l.includes('超长单词'))!;
    expect(first).toMatch(/超长单词Pneumono/);
    // and the line is full: the word goes on to the next line
    expect(lines[lines.indexOf(first) + 1]).toMatch(/x结束。$/);
    const head = lines.find((l) => l.startsWith('Supercalifragilistic'))!;
    expect(HEADING.startsWith(head) && head.length < HEADING.length).toBe(true);
  });

  it('pass folio check --typography (no line over the text block)', () => {
    const r = folio(['check', '-m', dir, '-o', out, '--typography']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/line-overflow/);
  });

  it('are marked to break in the EPUB too, whose stylesheet keeps every image inside its box', async () => {
    const epub = await openEpub(path.join(out, readEpubName()));
    const texts = await Promise.all(epub.names.filter((n) => /\.(xhtml|css)$/.test(n)).map((n) => epub.text(n)));
    expect(texts.find((t) => t.includes(WORD))).toContain(`<span class="longword">${WORD}</span>`);
    const css = texts.find((t) => t.includes('.longword'));
    expect(css).toMatch(/\.longword\s*\{\s*word-break: break-all;/);
    expect(css).toMatch(/img\s*\{\s*max-width: 100%;\s*height: auto;/);
  });
});

function readEpubName(): string {
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
    outputs: { target: string; file: string }[];
  };
  return manifest.outputs.find((o) => o.target === 'epub')!.file;
}
