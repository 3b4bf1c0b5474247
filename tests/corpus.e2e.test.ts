// The corpus: manuscripts unlike the seed (tests/fixtures/corpus/*, each a different mix of content), each
// built once with every target through the CLI, as a user would, and held to what a book must be: exit 0,
// folio check passed, every font of every PDF embedded and none Type 3 (pdffonts), epubcheck 0 / 0, and the
// typography check with no prohibited line start or end.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listWords } from '../scripts/preflight/poppler.js';
import { computeGeometry } from '../scripts/render/geometry.js';
import { epubcheck, openEpub } from './helpers/epub.js';
import { glyphs, lines, placedImages } from './helpers/stext.js';
import { folio } from './helpers/fixture.js';
import { darkness, fonts, pageCount, pageText, squash } from './helpers/pdf.js';

const CORPUS = 'tests/fixtures/corpus';
const books = readdirSync(CORPUS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

interface Manifest {
  outputs: { target: string; file: string; pages?: number }[];
}

interface Built {
  out: string;
  build: ReturnType<typeof folio>;
  manifest: Manifest;
  /** The output of `target`, as a path. */
  file: (target: string) => string;
}

const cache = new Map<string, Built>();
/** Builds a corpus manuscript once (every target) and keeps the outputs for every test that reads them. */
function built(name: string): Built {
  const had = cache.get(name);
  if (had) return had;
  const out = mkdtempSync(path.join(tmpdir(), `folio-corpus-${name}-`));
  const build = folio(['build', '-m', path.join(CORPUS, name), '-o', out]);
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
  const file = (target: string) => path.join(out, manifest.outputs.find((o) => o.target === target)!.file);
  const b = { out, build, manifest, file };
  cache.set(name, b);
  return b;
}

/**
 * The manuscript's headings printed as the last thing on a page, read from the PDF (mutool stext): the lowest
 * line of the text block that is not a note (notes are set at 8.5 pt; folio and running head lie outside),
 * joined with the lines right above it in the same face and size (a heading over two lines), equal to the
 * text of a heading; an image below that line is what follows it. Cover and back cover left out.
 */
function strandedHeadings(pdf: string, dir: string): string[] {
  const heads = new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .flatMap((f) => [
        ...readFileSync(path.join(dir, f), 'utf8').matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*(?:\{[^}]*\})?$/gm),
      ])
      .map((m) => squash(m[1]!.replace(/[*`]|\[([^\]]*)\]\([^)]*\)/g, '$1'))),
  );
  const g = computeGeometry({ width: 148, height: 210 });
  const [top, bottom] = [g.top - 2, g.top + g.lines * g.line + 2];
  const body = lines(glyphs(pdf)).filter(
    (l) => l[0]!.y > top && l[0]!.y <= bottom && Math.max(...l.map((c) => c.size)) > 8.6,
  );
  const images = placedImages(pdf);
  const face = (l: (typeof body)[number]) => `${l[0]!.font} ${l[0]!.size}`;
  const found: string[] = [];
  for (let p = 2; p < pageCount(pdf); p++) {
    const on = body.filter((l) => l[0]!.page === p).sort((a, b) => a[0]!.y - b[0]!.y);
    const last = on.at(-1);
    if (!last || images.some((i) => i.page === p && i.y0 > last[0]!.y)) continue;
    let k = on.length - 1;
    while (k > 0 && face(on[k - 1]!) === face(last) && on[k]![0]!.y - on[k - 1]![0]!.y < 2 * last[0]!.size) k--;
    const text = squash(
      on
        .slice(k)
        .flatMap((l) => l.map((c) => c.c))
        .join(''),
    );
    if (heads.has(text)) found.push(`p. ${p}: ${text}`);
  }
  return found;
}

/**
 * The footnote numbers on each page of a PDF, read from its glyphs inside the text block: the calls (sans
 * digits set small and raised, under 7.5 pt) and the notes' own numbers (sans digits opening a note line).
 */
function noteNumbers(pdf: string): { page: number; calls: number[]; notes: number[] }[] {
  const g = computeGeometry({ width: 148, height: 210 });
  const pages = new Map<number, { page: number; calls: number[]; notes: number[] }>();
  for (const l of lines(glyphs(pdf))) {
    let k = 0;
    while (k < l.length && /\d/.test(l[k]!.c) && /Sans/.test(l[k]!.font)) k++;
    const { page, y, size } = l[0]!;
    if (!k || y < g.top - 2 || y > g.top + g.lines * g.line + 2) continue;
    const n = Number(
      l
        .slice(0, k)
        .map((c) => c.c)
        .join(''),
    );
    if (!pages.has(page)) pages.set(page, { page, calls: [], notes: [] });
    if (size < 7.5) pages.get(page)!.calls.push(n);
    else if (size < 9 && l.length > k) pages.get(page)!.notes.push(n);
  }
  return [...pages.values()].sort((a, b) => a.page - b.page);
}

/** Text of every page of a PDF, squashed (no spaces), page 1 first. */
const pagesOf = (pdf: string) => Array.from({ length: pageCount(pdf) }, (_, i) => squash(pageText(pdf, i + 1)));

it('the corpus holds at least six manuscripts, each with its book.yaml', () => {
  expect(books.length).toBeGreaterThanOrEqual(6);
  for (const b of books) expect(readdirSync(path.join(CORPUS, b))).toContain('book.yaml');
});

describe.each(books)('corpus: %s', (name) => {
  const dir = path.join(CORPUS, name);
  let build: ReturnType<typeof folio>;
  let manifest: Manifest;
  let out: string;
  beforeAll(() => ({ build, manifest, out } = built(name)));

  it('builds every target with exit 0 and folio check passed', () => {
    expect(build.status, build.stderr).toBe(0);
    expect(build.stderr).toMatch(/check passed/);
    expect(build.stderr).not.toMatch(/internal error/i);
    const targets = manifest.outputs.map((o) => o.target).sort();
    expect(targets).toEqual(['booklet', 'epub', 'imposed', 'press', 'press-pdfx']);
    const pages = manifest.outputs.filter((o) => o.pages).map((o) => `${o.target} ${o.pages}`);
    console.log(`corpus ${name}: ${pages.join(', ')}`);
  });

  it('every font of every PDF is embedded, and none is Type 3', () => {
    const pdfs = manifest.outputs.filter((o) => o.file.endsWith('.pdf'));
    expect(pdfs).toHaveLength(4);
    for (const o of pdfs) {
      const rows = fonts(path.join(out, path.basename(o.file)));
      expect(rows.length, o.file).toBeGreaterThan(0);
      expect(rows.filter((f) => /Type 3/.test(f.type)).map((f) => `${o.target}: ${f.name}`)).toEqual([]);
      expect(rows.filter((f) => !f.embedded).map((f) => `${o.target}: ${f.name}`)).toEqual([]);
    }
  });

  it('epubcheck: 0 errors, 0 warnings', () => {
    const epub = manifest.outputs.find((o) => o.target === 'epub')!;
    const r = epubcheck(path.join(out, path.basename(epub.file)));
    expect(r.fatals + r.errors + r.warnings, r.output).toBe(0);
  });

  it('folio check --typography: no prohibited line start or end', () => {
    const r = folio(['check', '--typography', '-m', dir, '-o', out, '--format', 'json']);
    expect(r.stderr).not.toMatch(/internal error/i);
    const report = JSON.parse(r.stdout) as { stats: { lines: number }; counts: Record<string, number> };
    expect(report.stats.lines).toBeGreaterThan(0);
    expect(report.counts['line-start-prohibited'] ?? 0, r.stdout).toBe(0);
    expect(report.counts['line-end-prohibited'] ?? 0, r.stdout).toBe(0);
    expect(report.counts['line-overflow'] ?? 0, r.stdout).toBe(0);
    expect(report.counts['heading-stranded'] ?? 0, r.stdout).toBe(0);
  });

  it('no heading is the last line of a page (read from the booklet PDF; the press PDF is the same layout)', () => {
    expect(strandedHeadings(built(name).file('booklet'), dir)).toEqual([]);
  });

  it('repeated lint warnings come summarised: at most three lines of one rule per file', () => {
    const perFileRule = new Map<string, number>();
    for (const m of build.stderr.matchAll(/^(\S+):\d+:\d+ warning .* ([a-z-]+)$/gm))
      perFileRule.set(`${m[1]} ${m[2]}`, (perFileRule.get(`${m[1]} ${m[2]}`) ?? 0) + 1);
    for (const [key, n] of perFileRule) expect(n, key).toBeLessThanOrEqual(3);
  });

  it('the EPUB says nothing written for the seed (no placeholder or memorial-booklet sentence)', async () => {
    const epub = await openEpub(path.join(out, manifest.outputs.find((o) => o.target === 'epub')!.file));
    for (const n of epub.names.filter((x) => /\.(opf|xhtml)$/.test(x))) {
      const text = await epub.text(n);
      expect(text, n).not.toMatch(/当前图片为占位图|纸质纪念册/);
    }
  });
});

describe('corpus constructs: field-notes', () => {
  it('field-notes: each footnote is printed on the page of its call (paragraph, list item, table cell); no ↩', () => {
    const pages = pagesOf(built('field-notes').file('booklet'));
    const pageOf = (text: string) => pages.findIndex((p) => p.includes(text));
    for (const [call, note] of <[string, string][]>[
      ['在三楼的尽头', '原为阅览室的储藏间'],
      ['按页码编号', '编号用铅笔写在书脑处'],
      ['福建连城', '连城所产的竹纸又称'],
      ['修书如修人', '李岚的师傅已于'],
    ]) {
      expect(pageOf(call), call).toBeGreaterThan(0);
      expect(pageOf(note), `${note} on the page of ${call}`).toBe(pageOf(call));
    }
    for (const t of ['booklet', 'press']) expect(pagesOf(built('field-notes').file(t)).join('')).not.toMatch(/↩/);
  });

  it('field-notes (footnotes.numbering: page): the numbers start again at 1 on every page, calls and notes', () => {
    const pages = noteNumbers(built('field-notes').file('booklet')).filter((p) => p.notes.length);
    expect(pages.length, 'notes on several pages').toBeGreaterThanOrEqual(3);
    for (const p of pages) {
      const one = Array.from({ length: p.notes.length }, (_, i) => i + 1);
      expect(p.notes, `p. ${p.page} notes`).toEqual(one);
      expect(
        [...new Set(p.calls)].sort((a, b) => a - b),
        `p. ${p.page} calls`,
      ).toEqual(one);
    }
  });

  it('field-notes with numbering: chapter runs its numbers through each chapter instead', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'folio-notes-chapter-')), 'field-notes');
    cpSync(path.join(CORPUS, 'field-notes'), dir, { recursive: true });
    const yaml = path.join(dir, 'book.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('numbering: page', 'numbering: chapter'));
    const out = path.join(dir, '..', 'out');
    const r = folio(['build', '-m', dir, '-o', out, '-t', 'booklet']);
    expect(r.status, r.stderr).toBe(0);
    const notes = noteNumbers(path.join(out, 'field-notes.pdf')).flatMap((p) => p.notes);
    // chapter 1 has 8 notes, chapter 2 has 5 (the same manuscript: the EPUB test counts chapter 1's)
    expect(notes).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5]);
  });

  it('field-notes: EPUB 3 notes are noteref / footnote pairs with a visible number', async () => {
    const epub = await openEpub(built('field-notes').file('epub'));
    const x = await epub.text('OEBPS/ch1.xhtml');
    const refs = [...x.matchAll(/epub:type="noteref"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(refs.length).toBe(8);
    expect(refs.every((r) => /\d/.test(r!))).toBe(true);
    expect([...x.matchAll(/epub:type="footnote"/g)].length).toBe(8);
  });
});

describe('corpus constructs: photo-essay', () => {
  it('photo-essay: the author’s ▲ / ▶ kept, the configured ■ for the others, never two marks', () => {
    const text = pagesOf(built('photo-essay').file('booklet')).join('');
    expect(text).toContain('▲县城图书馆新馆外景');
    expect(text).toContain('▶读者在二楼书架前挑书');
    expect(text).toContain('■阅览室一角');
    expect(text).not.toMatch(/[▲▶■][▲▶■]/);
  });

  it('photo-essay: figures with {.class} / {#id} are counted by the EPUB check and carry them', async () => {
    const { build, file } = built('photo-essay');
    expect(build.stderr).toMatch(/check epub .*5 figures/);
    const epub = await openEpub(file('epub'));
    const all = (await Promise.all(epub.names.filter((n) => n.endsWith('.xhtml')).map((n) => epub.text(n)))).join('');
    expect(all).toContain('<figure class="wide" id="fig-outside">');
    expect(all).toContain('<figure class="small">');
    expect(all).toContain('<figure id="fig-stairs">');
  });
});

describe('corpus constructs: data-report', () => {
  it('data-report: 表题 as caption, numbers right-aligned, header repeated, wide table inside the measure', async () => {
    const pdf = built('data-report').file('booklet');
    const pages = pagesOf(pdf);
    const words = await listWords(pdf);
    // 表1: the numbers of a column end at one x (right-aligned), starting at different ones
    const p1 = words[pages.findIndex((p) => p.includes('表1'))]!;
    const growth = ['3%', '10%', '12%'].map((t) => p1.find((w) => w.text === t)!);
    expect(Math.max(...growth.map((w) => w.x1)) - Math.min(...growth.map((w) => w.x1))).toBeLessThan(0.5);
    expect(Math.abs(growth[0]!.x0 - growth[1]!.x0)).toBeGreaterThan(1);
    // 表2 runs over pages: every page it is on starts its part with the header row (a 表2 row is a town and
    // three figures, 1,200 / 300 / 25%; 表3's rows carry no thousands comma)
    // (登记读者人数 is six characters: a cell folio check looks for, printed once per page, not a duplicate)
    const header = '乡镇借阅册数登记读者人数占比';
    const row = /[\u4e00-\u9fff]{2}[乡镇]\d,\d{3}\d{3}\d{2}%/;
    const withRows = pages.filter((p) => row.test(p));
    expect(withRows.length, 'the fixture’s 表2 must break across pages').toBeGreaterThanOrEqual(2);
    // the first page: the cells under the 表题 (poppler may read the caption between them)
    for (const cell of ['乡镇', '借阅册数', '登记读者人数', '占比']) expect(withRows[0]).toContain(cell);
    for (const p of withRows.slice(1)) {
      expect(p, 'header row on every continued page of 表2').toContain(header);
      expect(p.indexOf(header), 'header above the rows').toBeLessThan(p.search(row));
    }
    // 表3 is wider than the measure: wrapped inside the text block, on every page it is on (the page after
    // its first is a right-hand page: its text block starts at the inner margin); nothing is lost
    const g = computeGeometry({ width: 148, height: 210 });
    const n3 = pages.findIndex((p) => p.includes('表3'));
    const block = { y: g.top, h: g.lines * g.line, w: g.chars * g.em };
    for (let n = n3; n < n3 + 2 && n < words.length; n++) {
      const left = (n + 1) % 2 ? g.inner : g.outer;
      // words of the text block (the running head and folio stand outside it on purpose)
      for (const w of words[n]!.filter((x) => x.y0 >= block.y - 1 && x.y1 <= block.y + block.h + 1)) {
        expect(w.x0, `p. ${n + 1} ${w.text}`).toBeGreaterThanOrEqual(left - 0.5);
        expect(w.x1, `p. ${n + 1} ${w.text}`).toBeLessThanOrEqual(left + block.w + 0.5);
      }
      // and no ink at all (cell rules, glyphs) in the margins beside the text block, at 4 px a point
      for (const x of [0, left + block.w + 0.5])
        expect(darkness(pdf, n + 1, { x, y: block.y, w: x ? g.width - x : left - 0.5, h: block.h }, 288)).toBe(0);
    }
    expect(pages.slice(n3).join('')).toContain('全年合计');
    // columns from their content: the short header 全年合计 is not broken (equal columns broke it 全年合 / 计),
    // the long 备注 cells take the room and wrap
    expect(words[n3]!.map((w) => w.text)).toContain('全年合计');
    const epub = await openEpub(built('data-report').file('epub'));
    const all = (await Promise.all(epub.names.filter((n) => n.endsWith('.xhtml')).map((n) => epub.text(n)))).join('');
    expect(all).toMatch(/<caption[^>]*>\s*表1/);
  });
});

describe('corpus constructs: tech-guide', () => {
  it('tech-guide: internal links print as （见第 N 页） with the target’s page; addresses are printed', () => {
    const pages = pagesOf(built('tech-guide').file('booklet'));
    const text = pages.join('');
    for (const [link, target] of <[string, string][]>[
      ['第二章', '取回书稿用下面的命令'],
      // #clone is the empty anchor <a id="clone"></a> opening the paragraph before the command
      ['上文的取回步骤', '用下面的命令取回书稿'],
    ]) {
      const m = new RegExp(`${link}（见第(\\d+)页）`).exec(text);
      expect(m, link).not.toBeNull();
      expect(pages[Number(m![1]) - 1], `${link} → p. ${m![1]}`).toContain(target);
    }
    expect(text).toContain('https://git-scm.com/docs/git-log');
  });
});

describe('corpus constructs: zh-tw-memoir', () => {
  it('zh-tw-memoir: no zh-CN rule fires, nothing is converted, typed spaces summarised per file', async () => {
    const { build, file } = built('zh-tw-memoir');
    expect(build.stderr).not.toMatch(/traditional-character|punctuation-halfwidth/);
    expect(build.stderr.match(/space-han-latin/g)?.length).toBe(1);
    expect(build.stderr).toMatch(/\d+ × Unexpected space between Han and Latin/);
    expect(pagesOf(file('booklet')).join('')).toContain('港邊的書店');
    const epub = await openEpub(file('epub'));
    const all = (await Promise.all(epub.names.filter((n) => n.endsWith('.xhtml')).map((n) => epub.text(n)))).join('');
    expect(all).toContain('老闆說');
    expect(await epub.text(epub.names.find((n) => n.endsWith('.opf'))!)).toMatch(/<dc:language>zh-TW</);
  });
});
