// Reads the seed's booklet PDF (built once per run by tests/global-setup.ts) back with poppler and qpdf.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from '../scripts/build.js';
import { computeGeometry, MM } from '../scripts/render/geometry.js';
import {
  boxes,
  catalogLang,
  countOccurrences,
  fonts,
  imageCount,
  info,
  outline,
  pageCount,
  pageLines,
  pageText,
  squash,
} from './helpers/pdf.js';
import { formatPosition } from '../scripts/diagnostics/position.js';
import { type Seed, seedBuild } from './helpers/seed.js';

let out: string;
let result: Seed['result'];
let pdf: string;
const g = computeGeometry({ width: 148, height: 210 });

// Areas of a page, in points from the top-left corner.
const textBlock = (side: 'left' | 'right') => ({
  x: (side === 'right' ? g.inner : g.outer) - 2,
  y: g.top - 2,
  w: g.chars * g.em + 4,
  h: g.lines * g.line + 4,
});
const headArea = { x: 0, y: 0, w: g.width, h: g.top - 4 };
const footArea = { x: 0, y: g.top + g.lines * g.line + 4, w: g.width, h: g.bottom - 4 };

beforeAll(async () => {
  const seed = await seedBuild();
  ({ out, result } = seed);
  pdf = seed.file('booklet');
});

describe('the seed booklet PDF', () => {
  it('is listed in the manifest with its real size, hash and page count', () => {
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    const entry = manifest.outputs.find((o: { target: string }) => o.target === 'booklet');
    const bytes = readFileSync(pdf);
    expect(entry.file).toBe('yuancang-30zai.pdf');
    expect(entry.bytes).toBe(bytes.byteLength);
    expect(entry.pages).toBe(pageCount(pdf));
  });

  it('has A5 trim on every page, exactly', () => {
    const all = boxes(pdf);
    expect(all.length).toBe(pageCount(pdf));
    for (const b of all) {
      for (const box of [b.media, b.trim, b.crop]) {
        expect(box.x1 - box.x0).toBeCloseTo(148 * MM, 1);
        expect(box.y1 - box.y0).toBeCloseTo(210 * MM, 1);
      }
    }
  });

  it('has a page count a booklet can have, recto openings and a back cover on the last verso', () => {
    const n = pageCount(pdf);
    expect(n % 2).toBe(0);
    expect(n).toBeGreaterThanOrEqual(12);
    const pages = result.pagination!.pages;
    expect(pages[0]!.name).toBe('cover');
    expect(pages.at(-1)!.name).toBe('back');
    const opening = result.pagination!.headingPages['ch1-title']!;
    expect(opening % 2).toBe(1); // odd = recto
  });

  it('carries document metadata and the language', async () => {
    const i = info(pdf);
    expect(i.Title).toBe('缘藏30载 真情暖高原——吉林对口支援日喀则');
    expect(i.Author).toBe('旦增嘎瓦、韩丽苹');
    expect(i.Subject).toContain('日喀则');
    expect(i.Creator).toMatch(/^Folio \d+\.\d+\.\d+$/);
    expect(i.Tagged).toBe('yes');
    expect(await catalogLang(pdf)).toBe('zh-CN');
  });

  it('embeds every font, none of them Type 3', () => {
    const rows = fonts(pdf);
    expect(rows.length).toBeGreaterThan(0);
    for (const f of rows) {
      expect(f.type).not.toMatch(/Type 3/);
      expect(f.embedded).toBe(true);
    }
    expect(rows.some((f) => /NotoSerifSC/.test(f.name))).toBe(true);
    expect(rows.some((f) => /NotoSansSC/.test(f.name))).toBe(true);
  });

  it('has an outline that mirrors the headings, with their real pages', () => {
    const tree = outline(pdf);
    const flat = (items: ReturnType<typeof outline>, depth = 1): { title: string; page: number; depth: number }[] =>
      items.flatMap((o) => [{ title: o.title, page: o.page, depth }, ...flat(o.kids, depth + 1)]);
    const got = flat(tree);
    expect(got.map((o) => o.title)).toEqual(result.book.headings.map((h) => h.text));
    expect(got.map((o) => o.depth)).toEqual(result.book.headings.map((h) => h.level));
    for (const [i, h] of result.book.headings.entries()) {
      expect(got[i]!.page).toBe(result.pagination!.headingPages[h.id]);
      // and the heading text is really printed on that page
      expect(squash(pageText(pdf, got[i]!.page))).toContain(squash(h.text));
    }
  });

  it('prints every paragraph, heading and caption of the manuscript exactly once, in order', () => {
    const pages = result.pagination!.pages;
    const first = result.pagination!.headingPages['ch1-title']!;
    const body = pages
      .filter((p) => p.number >= first)
      .map((p) => squash(pageText(pdf, p.number, textBlock(p.side))))
      .join('');
    const blocks = result.book.chapters.flatMap((c) => c.blocks);
    expect(blocks.filter((b) => b.kind === 'paragraph').length).toBeGreaterThanOrEqual(17);
    let last = -1;
    for (const b of blocks) {
      const needle = squash(b.text);
      expect(countOccurrences(body, needle), `${formatPosition(b.source)} ${b.text.slice(0, 20)}`).toBe(1);
      const at = body.indexOf(needle);
      expect(at, `${formatPosition(b.source)} out of order`).toBeGreaterThan(last);
      last = at;
    }
  });

  it('keeps prohibited punctuation off line starts and opening marks off line ends (避头尾)', () => {
    const { pages, headingPages } = result.pagination!;
    const lines = pages
      .filter((p) => p.number >= headingPages['ch1-title']!)
      .flatMap((p) => pageLines(pdf, p.number, textBlock(p.side)).map((l) => ({ page: p.number, l: l.trim() })))
      .filter((x) => x.l);
    expect(lines.length).toBeGreaterThan(60);
    for (const { page, l } of lines) {
      expect(l, `page ${page}: line starts with a closing mark`).not.toMatch(/^[、，。．：；！？”’）】》」』〕·～]/);
      expect(l, `page ${page}: line ends with an opening mark`).not.toMatch(/[“‘（【《「『〔]$/);
    }
  });

  it('places each figure of the manuscript once', () => {
    // the images the chapters' Markdown names (the seed has five)
    const written = result.book.chapters.flatMap((c) => c.file.text.match(/!\[[^\]]*\]\([^)]+\)/g) ?? []);
    expect(written.length).toBeGreaterThan(0);
    expect(result.book.figures).toHaveLength(written.length);
    expect(imageCount(pdf)).toBe(written.length);
  });

  it('has running heads and folios on body pages, none on cover, front matter, blanks and the chapter opening', () => {
    const { pages, headingPages } = result.pagination!;
    const opening = headingPages['ch1-title']!;
    const bodyPages = pages.filter((p) => p.number > opening && p.name === 'chapter' && !p.blank);
    expect(bodyPages.length).toBeGreaterThanOrEqual(3);
    for (const p of bodyPages) {
      const head = squash(pageText(pdf, p.number, headArea));
      // exactly once: Chromium 156 must not draw the margin box a second time
      expect(head, `page ${p.number}`).toBe(
        squash(p.side === 'left' ? '缘藏30载 真情暖高原' : '共筑幸福路 阔步向未来'),
      );
      expect(squash(pageText(pdf, p.number, footArea)), `folio of page ${p.number}`).toBe(String(p.number));
    }
    const bare = pages.filter(
      (p) => p.blank || p.name === 'cover' || p.name === 'front' || p.name === 'back' || p.number === opening,
    );
    expect(bare.length).toBeGreaterThanOrEqual(5);
    for (const p of bare) {
      expect(squash(pageText(pdf, p.number, headArea)), `head of page ${p.number}`).toBe('');
      const foot = squash(pageText(pdf, p.number, footArea));
      // the covers may carry text low on the page, but never a folio
      if (p.name === 'cover' || p.name === 'back') expect(foot, `foot of page ${p.number}`).not.toMatch(/\d+$/);
      else expect(foot, `foot of page ${p.number}`).toBe('');
    }
    for (const p of pages.filter((q) => q.blank))
      expect(squash(pageText(pdf, p.number)), `blank page ${p.number}`).toBe('');
  });

  it('has no contents page: one chapter needs none (the page plan; two chapters get one, tests/print-ready)', () => {
    const pages = result.pagination!.pages;
    expect(result.book.chapters).toHaveLength(1);
    expect(pages.filter((p) => p.name === 'toc')).toEqual([]);
    expect(pages.length % 4).toBe(0);
    for (const p of pages) expect(squash(pageText(pdf, p.number))).not.toMatch(/^目\s*录/);
  });

  it('has a cover, a title page and an imprint with the book data', () => {
    const pages = result.pagination!.pages;
    const cover = squash(pageText(pdf, 1));
    expect(cover).toContain('缘藏30载');
    expect(cover).toContain('吉林对口支援日喀则');
    const front = pages
      .filter((p) => p.name === 'front')
      .map((p) => squash(pageText(pdf, p.number)))
      .join('');
    for (const s of ['旦增嘎瓦', '韩丽苹', '2026年11月第1版', '第1次印刷', '印张', '字数'])
      expect(front).toContain(squash(s));
    // the build's identifier and stamp are on the press PDF's slug, not on the 版权页
    for (const s of [result.book.meta.identifier, 'Folio', '2026年11月29日']) expect(front).not.toContain(squash(s));
  });

  it('is byte-for-byte reproducible', async () => {
    const again = mkdtempSync(path.join(tmpdir(), 'folio-booklet-again-'));
    const second = await build({ manuscript: 'manuscript', out: again, targets: ['booklet'] });
    expect(second.outputs[0]!.sha256).toBe(result.outputs.find((o) => o.target === 'booklet')!.sha256);
  });
});
