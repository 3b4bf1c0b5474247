import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DomUtils, parseDocument } from 'htmlparser2';
import JSZip from 'jszip';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef, PDFString } from 'pdf-lib';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { loadManuscript } from '../manuscript/load.js';
import { type Block, buildBook, type Book } from '../model/book.js';
import type { ManifestEntry } from '../output/write.js';
import { pageText } from '../preflight/poppler.js';
import { computeGeometry } from '../render/geometry.js';
import { bookTexts, type BookTexts } from '../render/texts.js';

export interface FidelityReport {
  passed: boolean;
  checked: { target: string; file: string; blocks: number; checks: string[] }[];
  diagnostics: Diagnostic[];
}

const squash = (s: string) => s.replace(/\s+/g, '');
/** Table cells shorter than this (numbers, a word) are not looked for on their own. */
const MIN_CELL = 6;

/**
 * `folio check`: reads the built outputs and proves nothing was lost, repeated or reordered:
 * every paragraph, heading and caption exactly once and in order; figures; outline and contents
 * against the headings; epubcheck for the EPUB.
 * @example const r = await checkFidelity('manuscript', 'dist'); r.passed
 */
export async function checkFidelity(
  manuscriptDir: string,
  outDir: string,
  opts: { epubcheck?: boolean; book?: Book } = {},
): Promise<FidelityReport> {
  // the build passes the book it built from: no second load of the manuscript
  const book = opts.book ?? buildBook(await loadManuscript(manuscriptDir));
  const manifest = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')) as {
    outputs: ManifestEntry[];
  };
  const report: FidelityReport = { passed: true, checked: [], diagnostics: [] };
  // the PDF/X has no bookmarks: its first chapter page comes from the booklet's or press PDF's outline
  let firstChapterPage: number | undefined;
  const readable = (entry: ManifestEntry) => unreadableAs(entry, report.diagnostics);
  for (const entry of manifest.outputs) {
    const file = path.join(outDir, entry.file);
    if (entry.target === 'booklet' || entry.target === 'press') {
      const r = await checkPdf(book, file, entry, report.diagnostics).catch(readable(entry));
      if (!r) continue;
      firstChapterPage ??= r.first;
      report.checked.push(r.result);
    }
    if (entry.target === 'epub') {
      const r = await checkEpub(book, file, entry, report.diagnostics, opts.epubcheck !== false).catch(readable(entry));
      if (r) report.checked.push(r);
    }
  }
  const pdfx = manifest.outputs.find((e) => e.target === 'press-pdfx');
  if (pdfx && firstChapterPage !== undefined) {
    const file = path.join(outDir, pdfx.file);
    const r = await checkPdf(book, file, pdfx, report.diagnostics, firstChapterPage).catch(readable(pdfx));
    if (r) report.checked.push(r.result);
  }
  report.passed = !report.diagnostics.some((d) => d.severity === 'error');
  return report;
}

/** How an output shows what Folio adds to a block: calls, page references, addresses. */
export interface Rendering {
  kind: 'print' | 'epub';
  /** Footnote numbers per chapter (known) or per page (any number). */
  numbering: 'chapter' | 'page';
  texts: BookTexts;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The regular expression (on squashed text) a block must match in an output. */
export function blockPattern(b: Block, r: Rendering): string {
  const number = (n: number) => (r.kind === 'print' && r.numbering === 'page' ? '\\d{1,3}' : String(n));
  const head = b.kind === 'footnote' ? number(b.n ?? 0) : '';
  return (
    head +
    b.segments
      .map((s) => {
        if (typeof s === 'string') return escapeRe(squash(s));
        if ('call' in s) return r.kind === 'epub' ? `\\[${s.call}\\]` : number(s.call);
        if (r.kind === 'epub') return '';
        if ('xref' in s) return `${escapeRe(squash(r.texts.seePage[0]))}\\d+${escapeRe(squash(r.texts.seePage[1]))}`;
        return escapeRe(squash(`${r.texts.url[0]}${s.url}${r.texts.url[1]}`));
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
        if (typeof s === 'string') return squash(s);
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
 * text of two pages; the EPUB after the chapter): each must be found once. Returns the rest.
 */
function takeNotes(book: Book, text: string, output: string, r: Rendering, out: Diagnostic[]): string {
  let cursor = 0;
  for (const b of book.chapters.flatMap((c) => c.blocks).filter((x) => x.kind === 'footnote')) {
    const re = new RegExp(blockPattern(b, r), 'gu');
    re.lastIndex = cursor;
    const m = re.exec(text);
    if (!m) {
      out.push({
        ...b.source,
        severity: 'error',
        message: `${output}: footnote ${b.n} is missing: "${b.text.slice(0, 24)}…"`,
        ruleId: 'fidelity-missing',
        hint: 'A footnote was lost between the manuscript and this output.',
      });
      continue;
    }
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

/**
 * Each block in `text` as often as the manuscript has it (blocks may repeat across chapters of an
 * anthology, or sit inside a longer block), and in manuscript order. Reports at the block's position.
 */
function checkBlocks(book: Book, text: string, output: string, r: Rendering, out: Diagnostic[]): number {
  const all = book.chapters
    .flatMap((c) => c.blocks)
    .filter((b) => b.kind !== 'footnote')
    .map((b) => ({ b, re: new RegExp(blockPattern(b, r), 'gu'), sample: sample(b, r) }))
    .filter((x) => x.sample);
  // table cells count where a short block's text also stands (a heading 用料 and a column 用料), but only
  // cells long enough to be told apart are looked for themselves (a cell "35" is everywhere)
  const checked = all.filter((x) => x.b.kind !== 'cell' || [...squash(x.b.text)].length >= MIN_CELL);
  const count = (hay: string, re: RegExp) => {
    let n = 0;
    re.lastIndex = 0;
    for (let m = re.exec(hay); m; m = re.exec(hay)) {
      n++;
      re.lastIndex = m.index + 1;
    }
    return n;
  };
  let last = -1;
  for (const { b, re } of checked) {
    const expected = all.reduce((n, x) => n + count(x.sample, re), 0);
    const found = count(text, re);
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
    else if (found > expected)
      out.push({
        ...where,
        severity: 'error',
        message: `${output}: ${b.kind} appears ${found} times, expected ${expected}: ${quote}`,
        ruleId: 'fidelity-duplicate',
        hint: 'Content was repeated (a page-break fault?).',
      });
    re.lastIndex = last + 1;
    const next = re.exec(text)?.index ?? -1;
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
  // text of the text block of every page from the first chapter on
  const g = computeGeometry(book.meta.trim);
  const first = firstPage ?? outline[0]?.page ?? 1;
  let text = '';
  // up to the page before the back cover (the last page), whose title may also be a chapter title
  for (let n = first; n < pages.length; n++) {
    const p = pages[n - 1]!;
    const trim = (
      p.node.lookupMaybe(PDFName.of('TrimBox'), PDFArray) ?? p.node.lookup(PDFName.of('MediaBox'), PDFArray)
    ).asRectangle();
    const crop = (
      p.node.lookupMaybe(PDFName.of('CropBox'), PDFArray) ?? p.node.lookup(PDFName.of('MediaBox'), PDFArray)
    ).asRectangle();
    const left = trim.x - crop.x + (n % 2 ? g.inner : g.outer);
    const top = crop.y + crop.height - (trim.y + trim.height) + g.top;
    text += squash(
      await pageText(file, n, { x: left - 2, y: top - 2, w: g.chars * g.em + 4, h: g.lines * g.line + 4 }, 'raw'),
    );
  }
  const r: Rendering = {
    kind: 'print',
    numbering: book.meta.footnotes.numbering,
    texts: bookTexts(book.meta.language),
  };
  const blocks = checkBlocks(book, takeNotes(book, text, entry.file, r, out), entry.file, r, out);
  checks.push(`text: ${blocks} blocks once each, in order`);
  // the contents, from its 目录 page up to the first chapter (a long book's contents run over several
  // pages): each entry's number is the outline's page
  // title → its page numbers in contents order (two chapters may both have a 小结)
  const printed = new Map<string, number[]>();
  let inContents = false;
  for (let n = 1; n < first && firstPage === undefined; n++) {
    const layout = await pageText(file, n, undefined, true);
    if (squash(layout).startsWith('目录')) inContents = true;
    if (!inContents) continue;
    for (const line of layout.split('\n')) {
      const m = /^\s*(\S.*?)\s{2,}(\d+)\s*$/.exec(line);
      if (m) printed.set(squash(m[1]!), [...(printed.get(squash(m[1]!)) ?? []), Number(m[2])]);
    }
  }
  if (inContents) {
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
    checks.push(`contents: ${outline.filter((x) => x.level <= 2).length} entries = outline pages`);
  }
  return { first, result: { target: entry.target, file: entry.file, blocks, checks } };
}

async function checkEpub(book: Book, file: string, entry: ManifestEntry, out: Diagnostic[], runEpubcheck: boolean) {
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
  if (runEpubcheck) {
    const jar = '/usr/share/java/epubcheck.jar';
    if (!existsSync(jar))
      out.push({
        file: entry.file,
        line: 0,
        column: 0,
        severity: 'warning',
        message: 'epubcheck is not installed: EPUB not validated',
        ruleId: 'fidelity-epubcheck',
        hint: 'Run `bash scripts/setup.sh`.',
      });
    else {
      const r = spawnSync('java', ['-jar', jar, file], { encoding: 'utf8' });
      const m = /Messages: (\d+) fatals? \/ (\d+) errors? \/ (\d+) warnings?/.exec(`${r.stdout}${r.stderr}`);
      const errors = m ? Number(m[1]) + Number(m[2]) : 1;
      const warnings = m ? Number(m[3]) : 0;
      if (errors || warnings)
        out.push({
          file: entry.file,
          line: 0,
          column: 0,
          severity: errors ? 'error' : 'warning',
          message: `epubcheck: ${errors} errors, ${warnings} warnings`,
          ruleId: 'fidelity-epubcheck',
          hint: `java -jar ${jar} ${file}`,
        });
      checks.push(`epubcheck: ${errors} errors, ${warnings} warnings`);
    }
  }
  return { target: entry.target, file: entry.file, blocks, checks };
}

/**
 * A chapter file read with an XML parser as a reader meets it: the body's text (page-break markers are
 * empty), the footnotes' text apart (each with its visible number), and the figures.
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
        continue;
      }
      if (n.name === 'figure') result.figures++;
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
