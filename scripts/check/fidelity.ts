import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DomUtils, parseDocument } from 'htmlparser2';
import JSZip from 'jszip';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, type PDFPage, PDFRef, PDFString } from 'pdf-lib';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { loadManuscript } from '../manuscript/load.js';
import { type Block, buildBook, type Book } from '../model/book.js';
import type { ManifestEntry } from '../output/write.js';
import { poppler } from '../preflight/poppler.js';
import { fastEpubcheck, javaEpubcheck, EPUBCHECK_JAR } from './epubcheck.js';
import { computeGeometry } from '../render/geometry.js';
import { bookTexts, type BookTexts } from '../render/texts.js';

export interface FidelityReport {
  passed: boolean;
  checked: { target: string; file: string; blocks: number; checks: string[] }[];
  diagnostics: Diagnostic[];
}

/**
 * Which EPUB validator runs: `java` the real epubcheck (`folio check`, `npm test`), `fast`
 * @likecoin/epubcheck-ts (the build's own gate: no JVM start; docs/performance.md says why it is
 * trusted), `false` none.
 */
export type EpubcheckMode = 'java' | 'fast' | false;

export interface FidelityOptions {
  epubcheck?: EpubcheckMode | boolean;
  book?: Book;
}

const squash = (s: string) => s.replace(/\s+/g, '');
/** Table cells shorter than this (numbers, a word) are not looked for on their own. */
const MIN_CELL = 6;
const epubcheckMode = (o: FidelityOptions): EpubcheckMode =>
  o.epubcheck === true || o.epubcheck === undefined ? 'java' : o.epubcheck;

/**
 * `folio check`: reads the built outputs and proves nothing was lost, repeated or reordered:
 * every paragraph, heading and caption exactly once and in order; figures; outline and contents
 * against the headings; epubcheck for the EPUB.
 * @example const r = await checkFidelity('manuscript', 'dist'); r.passed
 */
export async function checkFidelity(
  manuscriptDir: string,
  outDir: string,
  opts: FidelityOptions = {},
): Promise<FidelityReport> {
  // the build passes the book it built from: no second load of the manuscript
  const book = opts.book ?? buildBook(await loadManuscript(manuscriptDir));
  const manifest = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')) as {
    outputs: ManifestEntry[];
  };
  const run = new FidelityRun(book, epubcheckMode(opts));
  for (const entry of manifest.outputs) run.add(entry, path.join(outDir, entry.file));
  return run.finish();
}

type Checked = FidelityReport['checked'][number];

/**
 * The check of one build, file by file as each output exists (the build starts the booklet's check
 * while Ghostscript makes the PDF/X). The PDF/X has no bookmarks: it is read from the first chapter
 * page of the booklet's or press PDF's outline, once one of them has been read.
 */
export class FidelityRun {
  private readonly jobs: { target: string; job: Promise<Checked | undefined> }[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private firstPage?: Promise<number | undefined>;
  private pdfx?: { entry: ManifestEntry; file: Promise<string> };

  constructor(
    private readonly book: Book,
    private readonly epubcheck: EpubcheckMode,
  ) {}

  /** Starts the check of one output file (on disk at `file`, or once the promise resolves). */
  add(entry: ManifestEntry, file: string | Promise<string>): void {
    const out = this.diagnostics;
    const at = Promise.resolve(file);
    if (entry.target === 'booklet' || entry.target === 'press') {
      const pdf = at.then((f) => checkPdf(this.book, f, entry, out));
      this.firstPage ??= pdf.then((r) => r.first).catch(() => undefined);
      this.push(
        entry,
        pdf.then((r) => r.result),
      );
    }
    if (entry.target === 'epub')
      this.push(
        entry,
        at.then((f) => checkEpub(this.book, f, entry, out, this.epubcheck)),
      );
    if (entry.target === 'press-pdfx') this.pdfx = { entry, file: at };
  }

  /** An output the check cannot even open (damaged, cut off) is a finding of its own, not a crash. */
  private push(entry: ManifestEntry, job: Promise<Checked>): void {
    this.jobs.push({ target: entry.target, job: job.catch(unreadableAs(entry, this.diagnostics)) });
  }

  /** Waits for every started check (and the PDF/X's, which needs a first page) and reports in manifest order. */
  async finish(): Promise<FidelityReport> {
    const first = await this.firstPage;
    const { pdfx } = this;
    if (pdfx && first !== undefined)
      this.push(
        pdfx.entry,
        pdfx.file.then(async (f) => (await checkPdf(this.book, f, pdfx.entry, this.diagnostics, first)).result),
      );
    const order = ['booklet', 'press', 'epub', 'press-pdfx'];
    const checked = (
      await Promise.all(
        [...this.jobs].sort((a, b) => order.indexOf(a.target) - order.indexOf(b.target)).map((j) => j.job),
      )
    ).filter((c): c is Checked => c !== undefined);
    const passed = !this.diagnostics.some((d) => d.severity === 'error');
    return { passed, checked, diagnostics: this.diagnostics };
  }
}

/** How an output shows what Folio adds to a block: calls, page references, addresses. */
export interface Rendering {
  kind: 'print' | 'epub';
  /** Footnote numbers per chapter (known) or per page (any number). */
  numbering: 'chapter' | 'page';
  texts: BookTexts;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The 着重号 of emphasis (`text-emphasis: filled dot`) are glyphs in print: pdftotext returns a • under
 * each emphasised character, after the line's run of them. They are generated marks, like list numbers:
 * taken out of the PDF's text, and out of the author's text on the print side too (so a • the author
 * typed is not compared in print; the EPUB compares it).
 */
const EMPHASIS_DOT = /\u2022/g;
const plain = (s: string, r: Rendering) => (r.kind === 'print' ? squash(s).replace(EMPHASIS_DOT, '') : squash(s));

/**
 * The regular expression (on squashed text) a block must match in an output. `loose`: what Folio adds to
 * links (page references, addresses) may be absent — to tell a block printed without them from a lost one.
 */
export function blockPattern(b: Block, r: Rendering, loose = false): string {
  const added = (re: string) => (loose ? `(?:${re})?` : re);
  const number = (n: number) => (r.kind === 'print' && r.numbering === 'page' ? '\\d{1,3}' : String(n));
  const head = b.kind === 'footnote' ? number(b.n ?? 0) : '';
  return (
    head +
    b.segments
      .map((s) => {
        if (typeof s === 'string') return escapeRe(plain(s, r));
        if ('call' in s) return r.kind === 'epub' ? `\\[${s.call}\\]` : number(s.call);
        if (r.kind === 'epub') return '';
        if ('xref' in s)
          return added(`${escapeRe(squash(r.texts.seePage[0]))}\\d+${escapeRe(squash(r.texts.seePage[1]))}`);
        return added(escapeRe(squash(`${r.texts.url[0]}${s.url}${r.texts.url[1]}`)));
      })
      .join('')
  );
}

/** One concrete text a block renders to (page references on page 0), to count blocks inside blocks. */
function sample(b: Block, r: Rendering): string {
  const head = b.kind === 'footnote' ? String(b.n ?? 0) : '';
  return (
    head +
    b.segments
      .map((s) => {
        if (typeof s === 'string') return plain(s, r);
        if ('call' in s) return r.kind === 'epub' ? `[${s.call}]` : String(s.call);
        if (r.kind === 'epub') return '';
        if ('xref' in s) return squash(`${r.texts.seePage[0]}0${r.texts.seePage[1]}`);
        return squash(`${r.texts.url[0]}${s.url}${r.texts.url[1]}`);
      })
      .join('')
  );
}

/**
 * Footnotes, taken out of the text in order (print sets them at the foot of the page, between the
 * text of two pages; the EPUB after the chapter): each must be found once. A note printed without the page
 * reference or address of a link in it is reported as that and still taken out, so its words are not
 * counted again as a second copy of the heading or paragraph they name. Returns the rest.
 */
export function takeNotes(book: Book, text: string, output: string, r: Rendering, out: Diagnostic[]): string {
  let cursor = 0;
  for (const b of book.chapters.flatMap((c) => c.blocks).filter((x) => x.kind === 'footnote')) {
    const find = (loose: boolean) => {
      const re = new RegExp(blockPattern(b, r, loose), 'gu');
      re.lastIndex = cursor;
      return re.exec(text);
    };
    const m = find(false) ?? find(true);
    const quote = `"${b.text.slice(0, 24)}…"`;
    if (!m || !m[0].length) {
      out.push({
        ...b.source,
        severity: 'error',
        message: `${output}: footnote ${b.n} is missing: ${quote}`,
        ruleId: 'fidelity-missing',
        hint: 'A footnote was lost between the manuscript and this output.',
      });
      continue;
    }
    if (!new RegExp(`^${blockPattern(b, r)}$`, 'u').test(m[0]))
      out.push({
        ...b.source,
        severity: 'error',
        message: `${output}: footnote ${b.n} lacks the page reference or address of a link in it: ${quote}`,
        ruleId: 'fidelity-missing',
        hint: 'Links in notes get these as in the text (content.css, docs/reliability.md): is the stylesheet stale?',
      });
    text = text.slice(0, m.index) + text.slice(m.index + m[0].length);
    cursor = m.index;
  }
  return text;
}

/** An output the check cannot even open (damaged, cut off) is a finding of its own, not a crash. */
function unreadableAs(entry: ManifestEntry, out: Diagnostic[]) {
  return (e: unknown): undefined => {
    out.push({
      file: entry.file,
      line: 0,
      column: 0,
      severity: 'error',
      message: `Cannot read ${entry.file}: ${(e as Error).message.split('\n')[0]}`,
      ruleId: 'fidelity-unreadable',
      hint: 'The file is damaged or incomplete; build it again.',
    });
    return undefined;
  };
}

/** A chapter's blocks in the order print sets them: the opener moves the kicker above the title (grid.ts). */
function printOrder(blocks: Block[]): Block[] {
  const title = blocks.findIndex((b) => b.opener === 'title');
  const kicker = blocks.findIndex((b) => b.opener === 'kicker');
  if (title < 0 || kicker < title) return blocks;
  const out = blocks.filter((_, i) => i !== kicker);
  out.splice(title, 0, blocks[kicker]!);
  return out;
}

/**
 * Each block in `text` as often as the manuscript has it (blocks may repeat across chapters of an
 * anthology, or sit inside a longer block), and in manuscript order. Reports at the block's position.
 */
function checkBlocks(book: Book, text: string, output: string, r: Rendering, out: Diagnostic[]): number {
  const all = book.chapters
    .flatMap((c) => (r.kind === 'print' ? printOrder(c.blocks) : c.blocks))
    .filter((b) => b.kind !== 'footnote')
    .map((b) => ({ b, re: new RegExp(blockPattern(b, r), 'uy'), sample: sample(b, r), key: literalStart(b, r) }))
    .filter((x) => x.sample);
  // table cells count where a short block's text also stands (a heading 用料 and a column 用料), but only
  // cells long enough to be told apart are looked for themselves (a cell "35" is everywhere)
  const checked = all.filter((x) => x.b.kind !== 'cell' || [...squash(x.b.text)].length >= MIN_CELL);
  const keys = checked.flatMap((x) => x.key ?? []);
  // every block's own text, one after another: how often a block's pattern occurs in them is how often
  // it should occur in the output. No pattern matches U+0000, so no match spans two samples.
  const expectedIn = new Finder(all.map((x) => x.sample).join('\u0000'), keys);
  const foundIn = new Finder(text, keys);
  let last = -1;
  for (const { b, re, key } of checked) {
    const expected = expectedIn.starts(re, key).length;
    const starts = foundIn.starts(re, key);
    const found = starts.length;
    const where = b.source;
    const quote = `"${b.text.slice(0, 24)}…"`;
    if (found < expected)
      out.push({
        ...where,
        severity: 'error',
        message: `${output}: ${b.kind} is missing: ${quote}`,
        ruleId: 'fidelity-missing',
        hint: 'Content was lost between the manuscript and this output.',
      });
    // a header cell is printed again at the top of each page its table continues on
    else if (found > expected && !(b.head && r.kind === 'print'))
      out.push({
        ...where,
        severity: 'error',
        message: `${output}: ${b.kind} appears ${found} times, expected ${expected}: ${quote}`,
        ruleId: 'fidelity-duplicate',
        hint: 'Content was repeated (a page-break fault?).',
      });
    const next = starts.find((p) => p > last) ?? -1;
    if (next < 0 && found >= expected && found > 0)
      out.push({
        ...where,
        severity: 'error',
        message: `${output}: ${b.kind} is out of order: ${quote}`,
        ruleId: 'fidelity-order',
        hint: 'Blocks must come in manuscript order.',
      });
    if (next >= 0) last = next;
  }
  return checked.length + book.chapters.reduce((n, c) => n + c.notes, 0);
}

/** Characters of a block's literal start that index where its pattern can match. */
const KEY = 4;

/** The first KEY characters every match of the block's pattern begins with, if its pattern starts literally. */
function literalStart(b: Block, r: Rendering): string | undefined {
  const first = b.segments[0];
  if (b.kind === 'footnote' || typeof first !== 'string') return undefined;
  const text = plain(first, r);
  return text.length >= KEY ? text.slice(0, KEY) : undefined;
}

/**
 * Where patterns match in one text, every start counted (overlapping matches too). A pattern with a
 * literal start is tried only where those characters stand (all found in one pass over the text); any
 * other at every position. At 600 pages, 2,500 blocks each scanning the whole text took 2.5 s a file.
 */
export class Finder {
  private readonly at = new Map<string, number[]>();
  constructor(
    private readonly hay: string,
    keys: Iterable<string>,
  ) {
    const want = new Set(keys);
    for (let i = 0; i + KEY <= hay.length; i++) {
      const k = hay.slice(i, i + KEY);
      if (want.has(k)) {
        const list = this.at.get(k);
        if (list) list.push(i);
        else this.at.set(k, [i]);
      }
    }
  }

  /** Ascending start positions of `re`'s matches (a sticky pattern); `key`: its literal start. */
  starts(re: RegExp, key?: string): number[] {
    const hits: number[] = [];
    const at = (p: number) => {
      re.lastIndex = p;
      return re.test(this.hay);
    };
    if (key) {
      for (const p of this.at.get(key) ?? []) if (at(p)) hits.push(p);
      return hits;
    }
    const scan = new RegExp(re.source, 'gu');
    for (let m = scan.exec(this.hay); m; m = scan.exec(this.hay)) {
      hits.push(m.index);
      // on to the next character: past both halves of an astral one (with /u, V8 takes a lastIndex
      // inside a surrogate pair back to the pair, and a match there would be found again for ever)
      scan.lastIndex = m.index + ((this.hay.codePointAt(m.index) ?? 0) > 0xffff ? 2 : 1);
    }
    return hits;
  }
}

/**
 * Outline, text blocks and contents of a booklet or press PDF. With `firstPage` (the PDF/X, which
 * has no bookmarks): the text blocks only, from that page on.
 */
async function checkPdf(book: Book, file: string, entry: ManifestEntry, out: Diagnostic[], firstPage?: number) {
  const checks: string[] = [];
  const bytes = await readFile(file);
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const pages = doc.getPages();
  const outline = firstPage === undefined ? readOutline(doc) : [];
  if (firstPage === undefined) {
    // outline = headings, with their levels
    const want = book.headings.map((h) => `${h.level} ${h.text}`);
    const got = outline.map((o) => `${o.level} ${o.title}`);
    if (JSON.stringify(want) !== JSON.stringify(got))
      out.push({
        file: entry.file,
        line: 0,
        column: 0,
        severity: 'error',
        message: `Outline [${got.join(' | ')}] does not match the headings [${want.join(' | ')}]`,
        ruleId: 'fidelity-outline',
        hint: 'Headings need ids for bookmarks; see the booklet build.',
      });
    checks.push(`outline: ${outline.length} bookmarks = headings`);
  }
  // text of the text block of every page from the first chapter on; the front matter (contents) beside it
  const first = firstPage ?? outline[0]?.page ?? 1;
  const front = firstPage === undefined && first > 1 ? frontMatter(file, first - 1) : Promise.resolve([]);
  front.catch(() => {}); // awaited below
  const text = squash((await textBlocks(book, file, pages, first)).join('')).replace(EMPHASIS_DOT, '');
  const r: Rendering = {
    kind: 'print',
    numbering: book.meta.footnotes.numbering,
    texts: bookTexts(book.meta.language),
  };
  const blocks = checkBlocks(book, takeNotes(book, text, entry.file, r, out), entry.file, r, out);
  checks.push(`text: ${blocks} blocks once each, in order`);
  const contents = checkContents(await front, outline, entry, out);
  if (contents) checks.push(contents);
  return { first, result: { target: entry.target, file: entry.file, blocks, checks } };
}

/**
 * The text block of pages `first`… (page 1 at index 0 of the result is page `first`): one pdftotext
 * call per distinct crop rectangle (recto and verso differ by the binding margin), each over the whole
 * range and split at its form feeds — not one process per page.
 */
/** Pages 1…last laid out as text (`pdftotext -layout`), in one call split at its form feeds. */
async function frontMatter(file: string, last: number): Promise<string[]> {
  const text = await poppler('pdftotext', ['-enc', 'UTF-8', '-layout', '-f', '1', '-l', String(last), file, '-']);
  return text.split('\f').slice(0, last);
}

/**
 * The contents, from its 目录 page up to the first chapter (a long book's contents run over several
 * pages): each entry's number is the outline's page. Returns the check's line, or nothing without contents.
 */
function checkContents(
  front: string[],
  outline: { title: string; level: number; page: number }[],
  entry: ManifestEntry,
  out: Diagnostic[],
): string | undefined {
  // title → its page numbers in contents order (two chapters may both have a 小结)
  const printed = new Map<string, number[]>();
  let inContents = false;
  for (const layout of front) {
    if (squash(layout).startsWith('目录')) inContents = true;
    if (!inContents) continue;
    for (const line of layout.split('\n')) {
      const m = /^\s*(\S.*?)\s{2,}(\d+)\s*$/.exec(line);
      if (m) printed.set(squash(m[1]!), [...(printed.get(squash(m[1]!)) ?? []), Number(m[2])]);
    }
  }
  if (!inContents) return undefined;
  for (const o of outline.filter((x) => x.level <= 2)) {
    const p = printed.get(squash(o.title))?.shift();
    if (p !== o.page)
      out.push({
        file: entry.file,
        line: 0,
        column: 0,
        severity: 'error',
        message: `Contents say "${o.title}" is on page ${p ?? '(missing)'}, the outline says ${o.page}`,
        ruleId: 'fidelity-toc',
        hint: 'The contents must be generated from the laid-out pages.',
      });
  }
  return `contents: ${outline.filter((x) => x.level <= 2).length} entries = outline pages`;
}

async function textBlocks(book: Book, file: string, pages: PDFPage[], first: number): Promise<string[]> {
  const g = computeGeometry(book.meta.trim);
  const rects = new Map<string, number[]>();
  // up to the page before the back cover (the last page), whose title may also be a chapter title
  for (let n = first; n < pages.length; n++) {
    const p = pages[n - 1]!;
    const box = (name: string) =>
      (p.node.lookupMaybe(PDFName.of(name), PDFArray) ?? p.node.lookup(PDFName.of('MediaBox'), PDFArray)).asRectangle();
    const trim = box('TrimBox');
    const crop = box('CropBox');
    const left = trim.x - crop.x + (n % 2 ? g.inner : g.outer);
    const top = crop.y + crop.height - (trim.y + trim.height) + g.top;
    const r = [left - 2, top - 2, g.chars * g.em + 4, g.lines * g.line + 4].map((v) => String(Math.round(v)));
    const key = r.join(' ');
    rects.set(key, [...(rects.get(key) ?? []), n]);
  }
  const text: string[] = [];
  await Promise.all(
    [...rects].map(async ([key, numbers]) => {
      const [x, y, w, h] = key.split(' ');
      const lo = numbers[0]!;
      const hi = numbers[numbers.length - 1]!;
      const args = [
        '-enc',
        'UTF-8',
        '-raw',
        '-f',
        String(lo),
        '-l',
        String(hi),
        '-x',
        x!,
        '-y',
        y!,
        '-W',
        w!,
        '-H',
        h!,
      ];
      const all = (await poppler('pdftotext', [...args, file, '-'])).split('\f');
      for (const n of numbers) text[n - first] = all[n - lo] ?? '';
    }),
  );
  return text;
}

async function checkEpub(book: Book, file: string, entry: ManifestEntry, out: Diagnostic[], mode: EpubcheckMode) {
  const checks: string[] = [];
  const zip = await JSZip.loadAsync(await readFile(file));
  const xhtml = async (name: string) => (await zip.file(`OEBPS/${name}`)?.async('string')) ?? '';
  let text = '';
  let notes = '';
  let images = 0;
  for (const ch of book.chapters) {
    const read = readXhtml(await xhtml(`${ch.id}.xhtml`));
    text += squash(read.text);
    notes += squash(read.notes);
    images += read.figures;
    if (read.figures !== ch.figures.length)
      out.push({
        file: ch.file.display,
        line: 1,
        column: 1,
        severity: 'error',
        message: `${entry.file}: ${read.figures} figures in ${ch.id}.xhtml, the chapter has ${ch.figures.length}`,
        ruleId: 'fidelity-figures',
        hint: 'A figure was lost in the EPUB.',
      });
  }
  const r: Rendering = { kind: 'epub', numbering: 'chapter', texts: bookTexts(book.meta.language) };
  const rest = takeNotes(book, notes, entry.file, r, out);
  if (rest)
    out.push({
      file: entry.file,
      line: 0,
      column: 0,
      severity: 'error',
      message: `Footnote text the manuscript does not have: "${rest.slice(0, 24)}…"`,
      ruleId: 'fidelity-duplicate',
      hint: 'A footnote was repeated in the EPUB.',
    });
  const blocks = checkBlocks(book, text, entry.file, r, out);
  checks.push(`text: ${blocks} blocks once each, in order; ${images} figures`);
  const navDoc = parseDocument(await xhtml('toc.xhtml'), { xmlMode: true });
  const toc = DomUtils.findOne((e) => e.name === 'nav' && e.attribs['epub:type'] === 'toc', navDoc.children);
  const hrefs = (toc ? DomUtils.findAll((e) => e.name === 'a', toc.children) : []).map(
    (a) => /#(.+)$/.exec(a.attribs.href ?? '')?.[1],
  );
  if (JSON.stringify(hrefs) !== JSON.stringify(book.headings.map((h) => h.id)))
    out.push({
      file: entry.file,
      line: 0,
      column: 0,
      severity: 'error',
      message: 'The EPUB table of contents does not match the headings',
      ruleId: 'fidelity-toc',
      hint: 'Rebuild the EPUB.',
    });
  checks.push(`nav: ${hrefs.length} entries = headings`);
  const verdict = await validateEpub(file, entry, out, mode);
  if (verdict) checks.push(verdict);
  return { target: entry.target, file: entry.file, blocks, checks };
}

/** epubcheck (Java) or epubcheck-ts on the EPUB: errors fail the check, warnings are reported. */
async function validateEpub(
  file: string,
  entry: ManifestEntry,
  out: Diagnostic[],
  mode: EpubcheckMode,
): Promise<string | undefined> {
  if (!mode) return undefined;
  const v = mode === 'fast' ? await fastEpubcheck(await readFile(file)) : await javaEpubcheck(file);
  if (!v) {
    out.push({
      file: entry.file,
      line: 0,
      column: 0,
      severity: 'warning',
      message: 'epubcheck is not installed: EPUB not validated',
      ruleId: 'fidelity-epubcheck',
      hint: 'Run `bash scripts/setup.sh`.',
    });
    return undefined;
  }
  const first = v.messages[0];
  if (v.errors || v.warnings)
    out.push({
      file: entry.file,
      line: 0,
      column: 0,
      severity: v.errors ? 'error' : 'warning',
      message:
        `${v.tool}: ${v.errors} errors, ${v.warnings} warnings` +
        (first ? ` (first: ${first.id} ${first.message}${first.where ? ` at ${first.where}` : ''})` : ''),
      ruleId: 'fidelity-epubcheck',
      hint:
        mode === 'fast'
          ? 'Build with --epubcheck java (or run `folio check`) for the real epubcheck report.'
          : `java -jar ${EPUBCHECK_JAR} ${file}`,
    });
  return `${v.tool}: ${v.errors} errors, ${v.warnings} warnings`;
}

/**
 * A chapter file read with an XML parser as a reader meets it: the body's text (page-break markers are
 * empty), the footnotes' text apart (each with its visible number), and the figures: every image, as the
 * model counts them — in a figure, inline in a paragraph or a table cell, or in a footnote.
 */
export function readXhtml(source: string): { text: string; notes: string; figures: number } {
  const doc = parseDocument(source, { xmlMode: true });
  const body = DomUtils.findOne((e) => e.name === 'body', doc.children);
  const result = { text: '', notes: '', figures: 0 };
  const walk = (nodes: ReturnType<typeof parseDocument>['children']) => {
    for (const n of nodes) {
      if (n.type === 'text' && 'data' in n) result.text += n.data;
      if (!('attribs' in n)) continue;
      const types = (n.attribs['epub:type'] ?? '').split(/\s+/);
      if (types.includes('footnote')) {
        result.notes += DomUtils.textContent(n);
        result.figures += DomUtils.getElementsByTagName('img', n, true).length;
        continue;
      }
      if (n.name === 'img') result.figures++;
      walk(n.children);
    }
  };
  walk(body?.children ?? []);
  return result;
}

/** Bookmarks in order with depth and destination page (1-based). */
export function readOutline(doc: PDFDocument): { title: string; level: number; page: number }[] {
  const pageOf = new Map(doc.getPages().map((p, i) => [p.ref.toString(), i + 1]));
  const out: { title: string; level: number; page: number }[] = [];
  const walk = (ref: unknown, level: number) => {
    for (let node = ref; node instanceof PDFRef;) {
      const dict = doc.context.lookup(node, PDFDict);
      const t = dict.lookup(PDFName.of('Title'));
      const title = t instanceof PDFHexString || t instanceof PDFString ? t.decodeText() : '';
      const dest = dict.lookupMaybe(PDFName.of('Dest'), PDFArray);
      const target = dest?.get(0);
      out.push({ title, level, page: target instanceof PDFRef ? (pageOf.get(target.toString()) ?? 0) : 0 });
      walk(dict.get(PDFName.of('First')), level + 1);
      node = dict.get(PDFName.of('Next'));
    }
  };
  const outlines = doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict);
  if (outlines) walk(outlines.get(PDFName.of('First')), 1);
  return out;
}
