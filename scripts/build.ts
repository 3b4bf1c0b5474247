import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { type Diagnostic, FolioError } from './diagnostics/diagnostic.js';
import { loadManuscript } from './manuscript/load.js';
import { buildBook, type Book } from './model/book.js';
import { launchBrowser } from './paginate/browser.js';
import { paginate, type Pagination } from './paginate/paginate.js';
import { prepareChapters } from './epub/content.js';
import { packEpub } from './epub/package.js';
import { finishPdf } from './pdf/finish.js';
import { FOLIO_VERSION, renderHtml } from './render/html.js';
import { type ManifestEntry, sha256, updateManifest, writeAtomic } from './output/write.js';

/** Every target `folio build --target` knows, in build order. */
export const TARGETS = ['booklet', 'epub'] as const;
export type Target = (typeof TARGETS)[number];

export interface BuildOptions {
  manuscript: string;
  out: string;
  targets?: Target[];
  /** Paged.js time limit per target, ms. */
  timeoutMs?: number;
  /** Progress lines (stage, time). */
  log?: (line: string) => void;
  onPage?: (n: number) => void;
}

export interface BuildResult {
  book: Book;
  outputs: ManifestEntry[];
  pagination?: Pagination;
  diagnostics: Diagnostic[];
  timings: { stage: string; ms: number }[];
  /** Font subsetting and page-list figures of the EPUB, when built. */
  epub?: { fontBefore: number; fontAfter: number; glyphs: number; pageList: number };
}

/**
 * config → manuscript → model → HTML → Paged.js → PDF → outputs. Nothing is written unless every
 * stage succeeds; each file is then renamed into place atomically.
 * @example await build({ manuscript: 'manuscript', out: 'dist' });
 */
export async function build(opts: BuildOptions): Promise<BuildResult> {
  const log = opts.log ?? (() => {});
  const targets = opts.targets?.length ? opts.targets : [...TARGETS];
  const timings: BuildResult['timings'] = [];
  const stage = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      const ms = performance.now() - t0;
      timings.push({ stage: name, ms });
      log(`${name.padEnd(10)} ${ms.toFixed(0).padStart(6)} ms`);
    }
  };

  const manuscript = await stage('manuscript', () => loadManuscript(opts.manuscript));
  checkOutDir(opts.out, manuscript.root);
  const book = await stage('model', () => buildBook(manuscript));
  manuscript.diagnostics.throwIfErrors();
  const bundle = await stage('html', () => renderHtml(book));

  let browser: Browser | undefined;
  const outputs: { target: Target; file: string; data: Uint8Array; pages?: number }[] = [];
  let pagination: Pagination | undefined;
  let epubReport: BuildResult['epub'];
  try {
    browser = await stage('browser', () => launchBrowser());
    // The EPUB needs the booklet's pages too: its page-list and cover come from them.
    pagination = await stage('paginate', () => paginate(bundle, book, browser!, { timeoutMs: opts.timeoutMs, onPage: opts.onPage }));
    verifyPagination(book, pagination);
    const pdfName = `${book.meta.slug}.pdf`;
    if (targets.includes('booklet')) {
      const pdf = await stage('pdf', () => finishPdf(pagination!.pdf, book.meta, { creator: `Folio ${FOLIO_VERSION}` }));
      outputs.push({ target: 'booklet', file: pdfName, data: pdf, pages: pagination.pages.length });
    }
    if (targets.includes('epub')) {
      const p = pagination;
      const chapters = await stage('epub-html', () => prepareChapters(browser!, book, p.breaks));
      const epub = await stage('epub', async () =>
        packEpub({ book, chapters, pages: p.pages, breaks: p.breaks, cover: await coverImage(book, p), printFile: pdfName }),
      );
      epubReport = { fontBefore: epub.font.before, fontAfter: epub.font.after, glyphs: epub.font.glyphs, pageList: epub.pageList };
      log(`epub font  ${(epub.font.before / 1024 / 1024).toFixed(1)} MiB → ${(epub.font.after / 1024).toFixed(0)} KiB (${epub.font.glyphs} characters); page-list ${epub.pageList} entries`);
      outputs.push({ target: 'epub', file: `${book.meta.slug}.epub`, data: epub.data });
    }
  } finally {
    await browser?.close().catch(() => {});
  }

  const entries = await stage('write', async () => {
    const out = path.resolve(opts.out);
    const written: ManifestEntry[] = [];
    for (const o of outputs) {
      await writeAtomic(path.join(out, o.file), o.data);
      written.push({ target: o.target, file: o.file, bytes: o.data.byteLength, sha256: sha256(o.data), ...(o.pages ? { pages: o.pages } : {}) });
    }
    await updateManifest(out, written);
    return written;
  });
  return { book, outputs: entries, pagination, epub: epubReport, diagnostics: [...manuscript.diagnostics.diagnostics, ...(pagination?.diagnostics ?? [])], timings };
}

/** book.yaml's cover image, else the booklet's own cover page. */
async function coverImage(book: Book, p: Pagination): Promise<{ data: Buffer; mediaType: 'image/jpeg' | 'image/png' }> {
  if (book.cover) {
    const png = /\.png$/i.test(book.cover);
    return { data: await readFile(book.cover), mediaType: png ? 'image/png' : 'image/jpeg' };
  }
  if (!p.cover) throw new FolioError([{ file: 'booklet', line: 0, column: 0, severity: 'error', message: 'The cover page could not be captured for the EPUB', ruleId: 'epub-cover', hint: 'Set cover: in book.yaml.' }]);
  return { data: p.cover, mediaType: 'image/jpeg' };
}

/** `--out` inside the manuscript would feed outputs back in as inputs. */
function checkOutDir(out: string, root: string): void {
  const rel = path.relative(root, path.resolve(out));
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new FolioError(
      [{ file: out, line: 0, column: 0, severity: 'error', message: 'The output folder is inside the manuscript folder', ruleId: 'usage-out', hint: 'Choose --out outside the manuscript, e.g. ./dist.' }],
      2,
    );
  }
}

/** Every heading must land on a page: a missing one means Paged.js dropped content. */
function verifyPagination(book: Book, p: Pagination): void {
  const lost = book.headings.filter((h) => !(h.id in p.headingPages));
  if (lost.length) {
    const [file, line] = lost[0]!.source.split(':');
    throw new FolioError(lost.map((h) => ({
      file: file!, line: Number(line), column: 1, severity: 'error' as const,
      message: `Heading "${h.text}" is missing from the laid-out pages`, ruleId: 'render-lost-content',
      hint: 'An element before it may be taller than a page; shorten it or allow it to break.',
    })));
    void file;
  }
}
