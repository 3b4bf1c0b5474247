// Wide tables of numbers on A5 (tests/fixtures/manuscripts/wide-tables: a 7-column and a 9-column table of
// eight-digit figures, neither of which fits the text block at the tables' 9 pt), built through the CLI.
// What a typesetter does: a number is never broken, nor a short cell (up to six characters); the table is
// set smaller, in half-point steps down to 7 pt, until they fit; a table whose numbers cannot fit even
// there is reported at its line instead of being printed with broken numbers.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listWords, type Word } from '../scripts/preflight/poppler.js';
import { computeGeometry } from '../scripts/render/geometry.js';
import { folio, manuscript } from './helpers/fixture.js';
import { glyphs, lines } from './helpers/stext.js';

const MS = 'tests/fixtures/manuscripts/wide-tables';
const NUMBER = /^[+\-−]?\d(?:[\d,.]*\d)?%?$/;

/** The cells of every table in the Markdown, table by table, header row first. */
function tableCells(md: string): string[][] {
  return md
    .split(/\n(?!\|)/)
    .map((block) =>
      block
        .split('\n')
        .filter((l) => l.startsWith('|') && !/^\|[-:| ]+\|$/.test(l))
        .flatMap((l) =>
          l
            .slice(1, -1)
            .split('|')
            .map((c) => c.trim()),
        ),
    )
    .filter((cells) => cells.length);
}

/** pdftotext -bbox words grouped into printed lines (same page, same baseline band), each line's text. */
function printedLines(words: Word[][]): string[] {
  return words.flatMap((page) => {
    const out: Word[][] = [];
    for (const w of [...page].sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0)) {
      const line = out.find((l) => Math.abs(l[0]!.y0 - w.y0) < 1.5);
      if (line) line.push(w);
      else out.push([w]);
    }
    return out.map((l) =>
      l
        .sort((a, b) => a.x0 - b.x0)
        .map((w) => w.text)
        .join(''),
    );
  });
}

describe('wide tables of numbers (A5)', () => {
  let run: ReturnType<typeof folio>;
  let pdf: string;
  let words: Word[][];
  beforeAll(async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'folio-wide-'));
    run = folio(['build', '-m', MS, '-o', out, '--target', 'booklet']);
    pdf = path.join(out, 'wide-tables.pdf');
    words = await listWords(pdf);
  }, 180_000);

  it('builds, check passes, no table warning', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('check passed');
    expect(run.stderr).not.toMatch(/table-(too-wide|crowded)/);
  });

  it('every number and every short cell is printed on one line', () => {
    const tables = tableCells(readFileSync(path.join(MS, '01-data.md'), 'utf8'));
    expect(tables.length).toBe(2);
    const printed = printedLines(words);
    const whole = tables.flat().filter((c) => NUMBER.test(c) || [...c].length <= 6);
    expect(whole.length).toBeGreaterThan(80);
    for (const cell of whole)
      expect(
        printed.some((l) => l.includes(cell)),
        `${cell} broken over lines`,
      ).toBe(true);
    // the long 备注 cells do wrap: the first is not on one line (a test that could not fail otherwise)
    expect(printed.some((l) => l.includes('数据来自统计年鉴NUMROW1'))).toBe(false);
  });

  it('nothing runs past the text block', () => {
    const g = computeGeometry({ width: 148, height: 210 });
    const block = { y: g.top, h: g.lines * g.line, w: g.chars * g.em };
    const pages = words
      .map((p, n) => ({ p, n }))
      .filter(({ p }) => p.some((w) => /^\d{1,2},\d{3},\d{3}$/.test(w.text)));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const { p, n } of pages) {
      const left = (n + 1) % 2 ? g.inner : g.outer;
      for (const w of p.filter((x) => x.y0 >= block.y - 1 && x.y1 <= block.y + block.h + 1)) {
        expect(w.x0, `p. ${n + 1} ${w.text}`).toBeGreaterThanOrEqual(left - 0.5);
        expect(w.x1, `p. ${n + 1} ${w.text}`).toBeLessThanOrEqual(left + block.w + 0.5);
      }
    }
  });

  it('the tables are set smaller, in half points down to 7 pt; the body stays 10.5 pt', () => {
    const printed = lines(glyphs(pdf));
    const sizeOf = (text: string) => {
      const line = printed.find((l) =>
        l
          .map((c) => c.c)
          .join('')
          .includes(text),
      );
      expect(line, text).toBeDefined();
      return line!.find((c) => /\d/.test(c.c))?.size ?? line![0]!.size;
    };
    const [t1, t2] = [sizeOf('44,464,097'), sizeOf('30,962,626')];
    expect(t1).toBeLessThan(9);
    expect(t1).toBeGreaterThanOrEqual(7);
    expect((t1 * 2) % 1).toBeCloseTo(0, 2);
    expect(t2).toBeCloseTo(7, 2);
    expect(t1).toBeGreaterThan(t2);
    expect(sizeOf('正文在两张表之间')).toBeCloseTo(10.5, 2);
  });

  it('a table whose numbers cannot fit even at 7 pt is an error at its line, not broken numbers', () => {
    const n = 12;
    const row = (f: (i: number) => string) => `| ${Array.from({ length: n }, (_, i) => f(i)).join(' | ')} |`;
    const table = [
      row((i) => `${2012 + i}年`),
      row(() => '---'),
      row((i) => `${10 + i},345,678`),
      row((i) => `${20 + i},456,789`),
    ].join('\n');
    const dir = manuscript({ '01.md': `# 第一章\n\n正文。\n\n${table}\n\n正文末段。\n` });
    const r = folio(['build', '-m', dir, '-o', mkdtempSync(path.join(tmpdir(), 'folio-wide-')), '--target', 'booklet']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/01\.md:5:1 error Table is too wide for the text block even at 7\.0 pt.* table-too-wide/);
    expect(r.stderr).toMatch(/hint: Split the table/);
    expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
  }, 180_000);
});
