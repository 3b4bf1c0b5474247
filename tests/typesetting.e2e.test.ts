// Issue 17's measures on the real booklet PDFs (mutool stext glyph positions, mutool trace image boxes,
// pdftotext -bbox words) and through `folio check --typography` as a user runs it: pairs of full-width marks
// compressed, body lines on the grid, captions as wide as their images, no prohibited line starts or ends,
// one opener design, display titles whose digits are not letter-spaced.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { folio } from './helpers/fixture.js';
import { type Glyph, glyphs, lines, placedImages } from './helpers/stext.js';

const MANUSCRIPTS = { seed: 'manuscript', features: 'tests/fixtures/manuscripts/features' } as const;
type Name = keyof typeof MANUSCRIPTS;
const MARKS = '“‘（【《「『〔、，。．：；！？”’）】》」』〕';
const BODY = (g: Glyph) => g.font === 'NotoSerifSC-Regular' && Math.abs(g.size - 10.5) < 0.05;

const pdfs = {} as Record<Name, string>;
beforeAll(() => {
  for (const name of Object.keys(MANUSCRIPTS) as Name[]) {
    const out = mkdtempSync(path.join(tmpdir(), `folio-typeset-${name}-`));
    const r = folio(['build', '--manuscript', MANUSCRIPTS[name], '--out', out, '-t', 'booklet', '--no-check']);
    expect(r.status, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      outputs: { file: string }[];
    };
    pdfs[name] = path.join(out, manifest.outputs[0]!.file);
  }
}, 240_000);

/** Pages from the first chapter title (sans bold 22 pt) on. */
function chapterGlyphs(all: Glyph[]): Glyph[] {
  const first = all.find((g) => g.font === 'NotoSansSC-Bold' && Math.abs(g.size - 22) < 0.05)!.page;
  return all.filter((g) => g.page >= first);
}

describe.each(Object.keys(MANUSCRIPTS) as Name[])('the %s booklet, measured on the PDF', (name) => {
  it('compresses every pair of adjacent full-width marks to at most 1.5 em', () => {
    const pairs: { pair: string; advance: number }[] = [];
    for (const line of lines(glyphs(pdfs[name])))
      for (let k = 0; k + 1 < line.length; k++) {
        const [a, b] = [line[k]!, line[k + 1]!];
        if (MARKS.includes(a.c) && MARKS.includes(b.c)) pairs.push({ pair: a.c + b.c, advance: (b.x - a.x) / a.size });
      }
    expect(pairs.length).toBeGreaterThan(5);
    expect(pairs.filter((p) => p.advance > 0.75)).toEqual([]);
  });

  it('sets at least 98 % of body lines on one grid, the same on every page (facing pages align)', () => {
    const body = lines(chapterGlyphs(glyphs(pdfs[name])).filter(BODY)).filter((l) => l.length > 3);
    expect(body.length).toBeGreaterThan(40);
    const residue = (l: Glyph[]) => ((l[0]!.y % 18) + 18) % 18;
    const counts = new Map<number, number>();
    for (const l of body) counts.set(Math.round(residue(l)), (counts.get(Math.round(residue(l))) ?? 0) + 1);
    const mode = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    const off = body.filter((l) => {
      const d = Math.abs(residue(l) - mode);
      return Math.min(d, 18 - d) > 0.6;
    });
    expect(off.length / body.length).toBeLessThanOrEqual(0.02);
  });

  it('sets each caption exactly as wide as its image, starting at its left edge', () => {
    const all = glyphs(pdfs[name]);
    const images = placedImages(pdfs[name]).filter((i) => i.x1 - i.x0 > 100);
    expect(images.length).toBeGreaterThanOrEqual(3);
    for (const img of images) {
      const cap = lines(
        all.filter((g) => g.page === img.page && g.font === 'NotoSansSC-Regular' && g.y > img.y1 && g.y < img.y1 + 50),
      );
      expect(cap.length, `caption under the image on p. ${img.page}`).toBeGreaterThan(0);
      expect(Math.abs(cap[0]![0]!.x - img.x0)).toBeLessThan(1);
      for (const l of cap) expect(l.at(-1)!.right).toBeLessThanOrEqual(img.x1 + 1);
      if (cap.length > 1) expect(cap[0]!.at(-1)!.right).toBeGreaterThan(img.x1 - 11);
    }
  });

  it('never letter-spaces the digits of "30" in the display titles of cover, title page and back cover', () => {
    const all = glyphs(pdfs[name]);
    const last = Math.max(...all.map((g) => g.page));
    // cover, title page (after the cover's blank verso), back cover
    for (const page of [1, 3, last]) {
      const on = all.filter((g) => g.page === page && g.font.startsWith('NotoSansSC') && g.size >= 12);
      const three = on.findIndex((g, k) => g.c === '3' && on[k + 1]?.c === '0');
      expect(three, `"30" on p. ${page}`).toBeGreaterThanOrEqual(0);
      // the number stays on the line of the character after it ("30载", "30年"), never a line of its own
      const ink = on.filter((g) => g.c.trim() !== '');
      const next = ink[ink.indexOf(on[three]!) + 2];
      expect(next?.c, `a Han character after "30" on p. ${page}`).toMatch(/\p{Script=Han}/u);
      expect(Math.abs(next!.y - on[three]!.y), `"30" on a line of its own on p. ${page}`).toBeLessThan(1);
      // the 0 starts where the 3 ends: no letter-spacing between them (0.08 em would be 2.7 pt on the cover)
      expect(on[three + 1]!.x - on[three]!.right).toBeLessThan(0.3);
    }
  });
});

describe.each(Object.keys(MANUSCRIPTS) as Name[])('folio check --typography on %s', (name) => {
  it('reports 100 % of pairs compressed, ≥ 98 % of body lines on the grid, aligned captions, no 避头尾 fault', () => {
    const r = folio(['check', '--typography', '--manuscript', MANUSCRIPTS[name], '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      stats: Record<string, number>;
      counts: Record<string, number>;
    };
    const s = report.stats;
    expect(s.pairs).toBeGreaterThan(5);
    expect(s.pairsCompressed).toBe(s.pairs);
    expect(s.bodyLinesOnGrid! / s.bodyLines!).toBeGreaterThanOrEqual(0.98);
    expect(s.captionsAligned).toBe(s.figures);
    expect(report.counts['line-start-prohibited'] ?? 0).toBe(0);
    expect(report.counts['line-end-prohibited'] ?? 0).toBe(0);
  });
});

describe('chapter openers', () => {
  it('open every chapter alike: kicker above the title on one line of the page, also when written after it', () => {
    const all = glyphs(pdfs.features);
    const titles = lines(all.filter((g) => g.font === 'NotoSansSC-Bold' && Math.abs(g.size - 22) < 0.05));
    const pages = new Set(titles.map((t) => t[0]!.page));
    const kickers = lines(
      all.filter((g) => pages.has(g.page) && g.font === 'NotoSansSC-Regular' && Math.abs(g.size - 12) < 0.05),
    );
    expect(titles.length).toBe(2);
    expect(kickers.length).toBe(2);
    for (const [i, t] of titles.entries()) {
      expect(kickers[i]![0]!.page).toBe(t[0]!.page);
      // the kicker sits right above its title, 1.5 grid lines from baseline to baseline
      expect(t[0]!.y - kickers[i]![0]!.y).toBeGreaterThan(18);
      expect(t[0]!.y - kickers[i]![0]!.y).toBeLessThan(36);
    }
    expect(Math.abs(titles[0]![0]!.y - titles[1]![0]!.y)).toBeLessThan(0.5);
  });
});
