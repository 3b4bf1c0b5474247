// The pure parts of the print work: 开本/印张/字数, 版次·印次, the page planner, the neutral-colour
// rewrite, the sheet check and the PDF header. The e2e checks of the real files are in print-ready.e2e.
import { describe, expect, it } from 'vitest';
import { bookSchema } from '../scripts/config/schema.js';
import { epubIdentifier } from '../scripts/epub/package.js';
import { editionLine, imprintFigures, imprintWarnings, kaiben } from '../scripts/model/imprint.js';
import type { BookMeta } from '../scripts/model/book.js';
import { choosePlan, describePlan, measure, simulate } from '../scripts/model/plan.js';
import { rewriteNeutrals } from '../scripts/press/neutrals.js';
import { withHeader } from '../scripts/press/pdfx.js';
import { sheetDiagnostic, sheetFit } from '../scripts/press/sheet.js';

const defaults = bookSchema.parse({ title: 'x', authors: ['a'], language: 'zh-CN' });
const meta = (over: Partial<BookMeta> = {}): BookMeta => ({
  title: '书',
  authors: ['甲'],
  language: 'zh-CN',
  identifier: 'urn:uuid:00000000-0000-5000-8000-000000000000',
  slug: 'shu',
  trim: { width: 148, height: 210 },
  press: defaults.press,
  footnotes: defaults.footnotes,
  captions: defaults.captions,
  pages: 'auto',
  buildDate: new Date('2026-11-29T00:00:00Z'),
  contentHash: 'ab'.repeat(32),
  ...over,
});

describe('开本, 印张, 字数', () => {
  it('finds the 开数 of the trim in the 880 × 1230 mm sheet', () => {
    expect(kaiben({ width: 148, height: 210 }).fraction).toBe(32);
    expect(kaiben({ width: 210, height: 297 }).fraction).toBe(16);
    expect(kaiben({ width: 105, height: 148 }).fraction).toBe(64);
    expect(kaiben({ width: 140, height: 203 }, { width: 850, height: 1168 }).fraction).toBe(32);
  });

  it('counts 印张 as pages ÷ 开数 and 字数 as chars × lines × pages, in 千字 rounded up', () => {
    const f = imprintFigures({ width: 148, height: 210 }, { chars: 30, lines: 26 }, 12);
    expect(f.yinzhang).toBe('0.375');
    expect(f.zishu).toBe('8 千字'); // 30 × 26 × 10 = 7,800
    expect(imprintFigures({ width: 148, height: 210 }, { chars: 30, lines: 26 }, 64).yinzhang).toBe('2');
    expect(f.kaiben).toBe('880 mm × 1230 mm\u30001/32（成品 148 mm × 210 mm）');
  });

  it('writes 版次 and 印次 by month', () => {
    expect(editionLine(meta({ date: '2026-11-29' }))).toBe('2026年11月第1版\u30002026年11月第1次印刷');
    expect(editionLine(meta({ date: '2026-11-29', edition: '第2版' }))).toBe(
      '2026年11月第2版\u30002026年11月第1次印刷',
    );
    const im = bookSchema.shape.imprint.parse({
      edition: 1,
      editionDate: '2025-03',
      impression: 3,
      impressionDate: '2026-01',
    });
    expect(editionLine(meta({ imprint: im }))).toBe('2025年3月第1版\u30002026年1月第3次印刷');
  });

  it('warns, at the imprint line, for what a print shop needs', () => {
    const yaml = 'title: 书\nauthors: [甲]\nlanguage: zh-CN\nimprint:\n  printer: 某厂\n';
    const im = bookSchema.shape.imprint.parse({ printer: '某厂' });
    const w = imprintWarnings(meta({ imprint: im }), 'book.yaml', yaml);
    expect(w.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      '4:1 The 版权页 of a press build has no 出版/编印单位 (book.yaml imprint.publisher)',
      '4:1 The 版权页 of a press build has no 印数 (book.yaml imprint.printRun)',
      '4:1 The 版权页 of a press build has no 书号 (ISBN) or 准印证号 (book.yaml imprint.permit)',
      '4:1 The 版权页 of a press build has no 定价 or 非卖品 (book.yaml imprint.price)',
    ]);
    expect(w.every((d) => d.severity === 'warning' && d.ruleId === 'imprint-missing')).toBe(true);
  });

  it('rejects a month that is not one, and a page count that is not a multiple of 4', () => {
    const base = { title: 'x', authors: ['a'], language: 'zh-CN' };
    expect(bookSchema.safeParse({ ...base, imprint: { editionDate: '2026-13' } }).success).toBe(false);
    expect(bookSchema.safeParse({ ...base, pages: 14 }).success).toBe(false);
    expect(bookSchema.safeParse({ ...base, pages: 16 }).success).toBe(true);
  });

  it('gives an ISBN to the EPUB as urn:isbn', () => {
    expect(epubIdentifier('978-7-300-00001-5')).toBe('urn:isbn:9787300000015');
    expect(epubIdentifier('urn:uuid:x')).toBe('urn:uuid:x');
  });
});

describe('page plan', () => {
  it('needs no contents for one chapter: the seed (6 chapter pages) is 12 pages, blanks only at 封二 and 封三', () => {
    const plan = choosePlan(1, { toc: 1, chapters: [6] }, 'auto')!;
    expect(plan).toMatchObject({ toc: false, pages: 12 });
    const seq = simulate(plan, { toc: 1, chapters: [6] });
    expect(seq.filter((p) => p.blank).map((p) => `${p.number} ${p.what}`)).toEqual([
      '2 封二 inside front cover',
      '11 封三 inside back cover',
    ]);
    expect(seq.at(-1)).toMatchObject({ number: 12, what: '封底 back cover' });
  });

  it('keeps contents for two chapters, opens them on the right, lets them run on to save a sheet', () => {
    const right = choosePlan(2, { toc: 1, chapters: [2, 3] }, 'auto')!;
    expect(right).toMatchObject({ toc: true, chapterStart: 'right', pages: 12 });
    // 4 + 1 + blank + 3 + blank + 3 + 1 = 14 with right-hand openings: running on saves the sheet
    const runOn = choosePlan(2, { toc: 1, chapters: [3, 3] }, 'auto')!;
    expect(runOn).toMatchObject({ toc: true, pages: 12 });
    expect(describePlan(runOn, { toc: 1, chapters: [3, 3] })).toMatch(/^12 pages = 3 sheets, contents/);
  });

  it('holds a count asked for, and has no plan for one the content cannot fit', () => {
    expect(choosePlan(1, { toc: 1, chapters: [6] }, 16)).toMatchObject({ pages: 16 });
    expect(choosePlan(1, { toc: 1, chapters: [6] }, 8)).toBeUndefined();
  });
});

describe('neutral colours as black ink', () => {
  it('rewrites r = g = b as K only, leaves other colours, keeps strokes strokes', () => {
    expect(rewriteNeutrals('.1059 .1059 .1059 rg')).toEqual({ text: '0 0 0 0.8941 k', count: 1 });
    expect(rewriteNeutrals('q 0 0 0 RG 1 1 1 rg\n.6078 .1725 .1216 rg').text).toBe(
      'q 0 0 0 1 K 0 0 0 0 k\n.6078 .1725 .1216 rg',
    );
    expect(rewriteNeutrals('/F1 10.5 Tf <0012> Tj').count).toBe(0);
  });
});

describe('imposition sheet and PDF header', () => {
  it('refuses a trim that does not fit twice, naming the sheet that holds it', () => {
    expect(sheetFit({ width: 148, height: 210 }, 'A4')).toBeUndefined();
    expect(sheetFit({ width: 210, height: 297 }, 'A3')).toBeUndefined();
    expect(sheetFit({ width: 210, height: 297 }, 'A4')).toMatch(/press\.sheet: A3 holds them$/);
    expect(sheetFit({ width: 297, height: 420 }, 'A3')).toMatch(/no sheet Folio imposes on holds them$/);
    const yaml = 'title: x\ntrim: A4\npress:\n  sheet: A4\n';
    const d = sheetDiagnostic({ trim: { width: 210, height: 297 }, press: { sheet: 'A4' } }, 'book.yaml', yaml)!;
    expect([d.line, d.column, d.severity, d.ruleId]).toEqual([4, 3, 'error', 'press-sheet']);
  });

  it('rewrites the header in place', () => {
    const pdf = new Uint8Array(Buffer.from('%PDF-1.7\n%âãÏÓ\n', 'latin1'));
    expect(Buffer.from(withHeader(pdf, '1.3')).toString('latin1')).toBe('%PDF-1.3\n%âãÏÓ\n');
    expect(() => withHeader(new Uint8Array(Buffer.from('hello world')), '1.3')).toThrow();
  });
});

describe('measure', () => {
  it('counts a chapter without the planned blanks after it, so any plan can be the first layout', () => {
    const page = (number: number, name: string, blank = false) => ({ number, name, blank });
    // 封面 · 封二 · 扉页 · 版权页 · chapter (3 pages) · planned blanks (2) · 封三 · 封底
    const pages = [
      page(1, 'cover'),
      page(2, '', true),
      page(3, 'front'),
      page(4, 'front'),
      page(5, 'chapter'),
      page(6, 'chapter'),
      page(7, 'chapter'),
      page(8, 'planblank'),
      page(9, 'planblank'),
      page(10, '', true),
      page(11, 'back'),
    ];
    expect(measure(pages, [5])).toEqual({ toc: 0, chapters: [3] });
    // the same chapter laid out without the blanks measures the same
    expect(measure([...pages.slice(0, 7), page(8, 'back')], [5])).toEqual({ toc: 0, chapters: [3] });
  });
});
