// The print-shop files of the seed, read back with poppler and qpdf.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Seed, seedBuild } from './helpers/seed.js';
import { saddleSides } from '../scripts/press/impose.js';
import { MM } from '../scripts/render/geometry.js';
import { boxes, darkness, fonts, info, pageCount, pageText, squash, type Box } from './helpers/pdf.js';
import { formatPosition } from '../scripts/diagnostics/position.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
let out: string;
let result: Seed['result'];
const file = (t: string) => path.join(out, result.outputs.find((o) => o.target === t)!.file);
const W = (b: Box) => b.x1 - b.x0;
const H = (b: Box) => b.y1 - b.y0;
/** A box as a rectangle from the top-left of the page's CropBox (what pdftotext and pdftoppm crop by). */
const topLeft = (b: Box, crop: Box) => ({ x: b.x0 - crop.x0, y: crop.y1 - b.y1, w: W(b), h: H(b) });

beforeAll(async () => {
  ({ out, result } = await seedBuild());
});

describe('press PDF', () => {
  it('has TrimBox = A5 exactly, BleedBox = trim + 3 mm, MediaBox = bleed + mark area, on every page', () => {
    const all = boxes(file('press'));
    expect(all.length).toBe(pageCount(file('booklet')));
    for (const b of all) {
      expect(W(b.trim)).toBeCloseTo(148 * MM, 1);
      expect(H(b.trim)).toBeCloseTo(210 * MM, 1);
      for (const d of [b.trim.x0 - b.bleed.x0, b.trim.y0 - b.bleed.y0, b.bleed.x1 - b.trim.x1, b.bleed.y1 - b.trim.y1])
        expect(d).toBeCloseTo(3 * MM, 0);
      for (const d of [
        b.bleed.x0 - b.media.x0,
        b.bleed.y0 - b.media.y0,
        b.media.x1 - b.bleed.x1,
        b.media.y1 - b.bleed.y1,
      ])
        expect(d).toBeGreaterThanOrEqual(8 * MM);
    }
  });

  it('has the same pages as the booklet: same text on every page, inside the trim', () => {
    const booklet = file('booklet');
    const press = file('press');
    const all = boxes(press);
    for (let n = 1; n <= all.length; n++) {
      const inTrim = squash(pageText(press, n, topLeft(all[n - 1]!.trim, all[n - 1]!.crop)));
      expect(inTrim, `page ${n}`).toBe(squash(pageText(booklet, n)));
    }
  });

  it('prints a slug line outside the trim and crop marks outside the bleed', () => {
    const press = file('press');
    const b = boxes(press)[6]!;
    const below = { x: 0, y: b.crop.y1 - b.trim.y0, w: W(b.crop), h: b.trim.y0 - b.crop.y0 };
    // every value from its source: book.yaml (date, trim, bleed) and package.json (the version)
    const { date, trim, press: shop } = result.book.meta;
    const size = `${trim.width} x ${trim.height} mm, bleed ${shop.bleed} mm`;
    expect(squash(pageText(press, 7, below))).toBe(
      squash(`${path.basename(press)} ${date} page 7 of ${pageCount(press)} ${size} Folio ${PACKAGE_VERSION}`),
    );
    // a crop mark: the horizontal line at the trim's bottom edge, 3–8 mm left of the trim
    const t = topLeft(b.trim, b.crop);
    const mark = { x: t.x - 8 * MM, y: t.y + t.h - 1, w: 5 * MM, h: 2 };
    expect(darkness(press, 7, mark)).toBeGreaterThan(0.2);
    // and nothing between the mark and the trim (the bleed zone of a white page stays white)
    expect(darkness(press, 7, { x: t.x - 2.5 * MM, y: t.y + 10, w: 2 * MM, h: 50 })).toBeLessThan(0.01);
  });

  it('runs the cover artwork into the bleed', () => {
    const press = file('press');
    const b = boxes(press)[0]!;
    const t = topLeft(b.trim, b.crop);
    const bleedStrip = { x: t.x - 2.5 * MM, y: t.y + 20, w: 2 * MM, h: t.h - 40 };
    expect(darkness(press, 1, bleedStrip)).toBeGreaterThan(0.3);
  });

  it('embeds every font and none is Type 3', () => {
    for (const t of ['press', 'press-pdfx', 'imposed']) {
      for (const f of fonts(file(t))) {
        expect(f.embedded, `${t} ${f.name}`).toBe(true);
        expect(f.type, `${t} ${f.name}`).not.toMatch(/Type 3/);
      }
    }
  });
});

describe('press-pdfx', () => {
  it('is PDF/X-3 with an OutputIntent carrying an ICC profile', () => {
    const i = info(file('press-pdfx'));
    expect(i['PDF subtype']).toBe('PDF/X-3:2002');
    expect(result.pdfxVersion).toBe('PDF/X-3:2002');
    const json = JSON.parse(
      execFileSync('qpdf', ['--json', '--json-key=qpdf', file('press-pdfx')], {
        encoding: 'utf8',
        maxBuffer: 256 * 2 ** 20,
      }),
    );
    const objects = Object.values(
      json.qpdf[1] as Record<string, { value?: Record<string, unknown>; stream?: { dict: Record<string, unknown> } }>,
    ).map((o) => o.value ?? o.stream?.dict ?? {});
    const intent = objects.find((o) => (o as Record<string, unknown>)['/S'] === '/GTS_PDFX') as Record<string, unknown>;
    // a registered characterisation (FOGRA39, profiles/FOGRA39L-folio.icc), named as the ICC registry names it
    expect(intent['/OutputConditionIdentifier']).toBe('u:FOGRA39');
    expect(intent['/RegistryName']).toBe('u:http://www.color.org');
    expect(intent['/DestOutputProfile']).toMatch(/^\d+ 0 R$/);
  });

  it('has no RGB: every image and every colour operator is CMYK or grey', () => {
    const pdfx = file('press-pdfx');
    const images = execFileSync('pdfimages', ['-list', pdfx], { encoding: 'utf8' })
      .split('\n')
      .slice(2)
      .filter((l) => /\bimage\b/.test(l));
    expect(images.length).toBeGreaterThanOrEqual(5);
    for (const l of images) expect(l.trim().split(/\s+/)[5]).toMatch(/^(cmyk|gray|icc)$/);
    const qdf = path.join(out, 'pdfx-qdf.pdf');
    execFileSync('qpdf', ['--qdf', '--object-streams=disable', pdfx, qdf]);
    const text = readFileSync(qdf).toString('latin1');
    expect(text).not.toMatch(/\/DeviceRGB|\/CalRGB/);
    expect(text).not.toMatch(/\s[\d.]+\s+[\d.]+\s+[\d.]+\s+(rg|RG)\s/);
    expect(text).toMatch(/\s[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+(k|K)\s/);
  });

  it(
    'reads as the press PDF reads: the same characters on ' + "every page (Ghostscript's ToUnicode faults repaired)",
    () => {
      const chars = (f: string, n: number) => [...pageText(f, n).replace(/\s+/g, '')].sort().join('');
      const n = pageCount(file('press'));
      for (let i = 1; i <= n; i++) expect(chars(file('press-pdfx'), i), `page ${i}`).toBe(chars(file('press'), i));
      // the pair that went wrong: a range (三上下) and a two-character glyph (——), on the page the press PDF has them
      for (const phrase of ['真情暖高原——吉林对口支援日喀则', '把有限的资源用在刀刃上']) {
        const page = Array.from({ length: n }, (_, i) => i + 1).find((i) =>
          squash(pageText(file('press'), i)).includes(phrase),
        );
        expect(page, phrase).toBeDefined();
        expect(squash(pageText(file('press-pdfx'), page!))).toContain(phrase);
      }
    },
  );

  it("keeps the press PDF's boxes", () => {
    const a = boxes(file('press'));
    const b = boxes(file('press-pdfx'));
    expect(b.length).toBe(a.length);
    for (const [i, p] of b.entries()) {
      expect(W(p.trim)).toBeCloseTo(W(a[i]!.trim), 1);
      expect(H(p.trim)).toBeCloseTo(H(a[i]!.trim), 1);
      expect(p.trim.x0 - p.bleed.x0).toBeCloseTo(a[i]!.trim.x0 - a[i]!.bleed.x0, 1);
      expect(W(p.media)).toBeCloseTo(W(a[i]!.media), 1);
    }
  });
});

describe('imposed (saddle stitch)', () => {
  it('carries each font of the PDF/X once, not once per page (the size of its PDF/X, not a multiple)', () => {
    const pdfx = fonts(file('press-pdfx'));
    const imposed = fonts(file('imposed'));
    // the slug line's font is the only addition
    expect(imposed.length).toBeLessThanOrEqual(pdfx.length + 1);
    expect(new Set(imposed.map((f) => f.name)).size).toBe(imposed.length);
    expect(statSync(file('imposed')).size).toBeLessThan(statSync(file('press-pdfx')).size * 1.2);
  });

  it('orders 8 pages as 8|1, 2|7, 6|3, 4|5', () => {
    expect(saddleSides([1, 2, 3, 4, 5, 6, 7, 8])).toEqual([
      [8, 1],
      [2, 7],
      [6, 3],
      [4, 5],
    ]);
  });

  it("puts A5 pages 2-up on A4 landscape sheets with the printer's order, read from the printed sheets", () => {
    const imposed = file('imposed');
    const booklet = file('booklet');
    const n = pageCount(booklet); // planned as a multiple of 4: the imposition adds no blank
    expect(n % 4).toBe(0);
    expect(result.imposition!.blanksAdded).toBe(0);
    const expected = saddleSides(Array.from({ length: n }, (_, i) => i + 1));
    const sheets = boxes(imposed);
    const pdfxBoxes = boxes(file('press-pdfx'));
    expect(sheets.length).toBe(n / 2);
    const footOf = (n: number) => squash(pageText(booklet, n, { x: 0, y: 595.28 - 60, w: 419.53, h: 60 }));
    for (const [i, s] of sheets.entries()) {
      expect(W(s.trim)).toBeCloseTo(297 * MM, 1);
      expect(H(s.trim)).toBeCloseTo(210 * MM, 1);
      const t = topLeft(s.trim, s.crop);
      const half = (side: 0 | 1) => ({ x: t.x + side * (t.w / 2) + 1, y: t.y, w: t.w / 2 - 2, h: t.h });
      const foot = (side: 0 | 1) => ({ x: t.x + side * (t.w / 2) + 1, y: t.y + t.h - 60, w: t.w / 2 - 2, h: 60 });
      for (const side of [0, 1] as const) {
        const want = expected[i]![side];
        const text = squash(pageText(imposed, i + 1, half(side)));
        if (want === 0) {
          expect(text, `sheet side ${i + 1} ${side ? 'right' : 'left'}: blank`).toBe('');
          continue;
        }
        // the sheets are made from the PDF/X (CMYK): its page, inside the trim, is what the half-sheet shows
        const src = pdfxBoxes[want - 1]!;
        expect(text, `sheet side ${i + 1} ${side ? 'right' : 'left'} = booklet page ${want}`).toBe(
          squash(pageText(file('press-pdfx'), want, topLeft(src.trim, src.crop))),
        );
        // the folio printed on the half-sheet is the booklet's own page number
        const folio = footOf(want);
        if (/^\d+$/.test(folio)) expect(squash(pageText(imposed, i + 1, foot(side)))).toBe(String(want));
      }
    }
    // at least the body pages carried folios that were read back
    const body = result.pagination!.pages.filter((p) => p.name === 'chapter' && !p.blank).map((p) => p.number);
    expect(body.length).toBeGreaterThanOrEqual(4);
    expect(body.filter((p) => p > body[0]!).every((p) => footOf(p) === String(p))).toBe(true);
  });
});

describe('preflight', () => {
  it("passes the seed's press files, naming the FPO placeholders by page and manuscript line", () => {
    const report = JSON.parse(readFileSync(path.join(out, 'preflight.json'), 'utf8'));
    expect(report.summary.errors).toBe(0);
    expect(report.summary.passed).toBe(true);
    expect(report.files.map((f: { target: string }) => f.target)).toEqual(['press', 'press-pdfx', 'imposed']);
    const fpo = report.findings.filter(
      (f: { ruleId: string; target: string }) => f.ruleId === 'preflight-fpo' && f.target === 'press',
    );
    expect(
      fpo.map(
        (f: { file: string; line: number; column: number; page: number }) =>
          `${f.file}:${f.line}:${f.column} p${f.page}`,
      ),
    ).toEqual(result.book.figures.map((f) => `${formatPosition(f.source)} p${result.pagination!.figurePages[f.id]}`));
    // the page plan made the count a multiple of 4: no page-count warning any more
    expect(report.findings.some((f: { ruleId: string }) => f.ruleId === 'preflight-page-count')).toBe(false);
    const html = readFileSync(path.join(out, 'preflight.html'), 'utf8');
    expect(html).toContain('通过 Passed');
    expect(html).toContain('PDF/X-3:2002');
    // but placeholders are not photos: the verdict is a proof, and says why
    expect(report.summary.verdict).toBe('proof only');
    expect(html).toContain('proof only');
  });
});
