import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { type Diagnostic, FolioError } from './diagnostics/diagnostic.js';
import { loadManuscript } from './manuscript/load.js';
import { buildBook, type Book } from './model/book.js';
import { launchBrowser } from './paginate/browser.js';
import { paginate, type Pagination } from './paginate/paginate.js';
import { finishPdf } from './pdf/finish.js';
import { FOLIO_VERSION, renderHtml } from './render/html.js';
import { type ManifestEntry, sha256, updateManifest, writeAtomic } from './output/write.js';

/** Every target `folio build --target` knows, in build order. */
export const TARGETS = ['booklet'] as const;
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
  try {
    browser = await stage('browser', () => launchBrowser());
    if (targets.includes('booklet')) {
      pagination = await stage('paginate', () => paginate(bundle, book, browser!, { timeoutMs: opts.timeoutMs, onPage: opts.onPage }));
      verifyPagination(book, pagination);
      const pdf = await stage('pdf', () => finishPdf(pagination!.pdf, book.meta, { creator: `Folio ${FOLIO_VERSION}` }));
      outputs.push({ target: 'booklet', file: `${book.meta.slug}.pdf`, data: pdf, pages: pagination.pages.length });
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
  return { book, outputs: entries, pagination, diagnostics: [...manuscript.diagnostics.diagnostics, ...(pagination?.diagnostics ?? [])], timings };
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
