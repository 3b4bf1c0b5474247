import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { type Diagnostic, FolioError } from './diagnostics/diagnostic.js';
import { lintBook } from './lint/lint.js';
import { loadManuscript } from './manuscript/load.js';
import { buildBook, type Book } from './model/book.js';
import { closeBrowser, launchBrowser } from './paginate/browser.js';
import { paginate, type Pagination } from './paginate/paginate.js';
import type { FileCheck, Layout, PreflightFile, PreflightReport } from './preflight/preflight.js';
import { FOLIO_VERSION, renderHtml } from './render/html.js';
import { sniffImage } from './manuscript/image.js';
import { type ManifestEntry, sha256, updateManifest, writeAtomic } from './output/write.js';
import { pruneCaches } from './cache/cache.js';

/**
 * The stages after pagination (pdf-lib, fontkit, the EPUB packer, preflight): loaded while Chromium
 * starts and Paged.js lays out, when the Node process would otherwise wait (~0.5 s of module loading
 * off the critical path).
 */
const outputStages = () =>
  Promise.all([
    import('./pdf/finish.js'),
    import('./press/press.js'),
    import('./press/pdfx.js'),
    import('./press/impose.js'),
    import('./epub/content.js'),
    import('./epub/package.js'),
    import('./preflight/preflight.js'),
    import('./preflight/report.js'),
  ]).then(([finish, press, pdfx, imposition, content, pack, pre, report]) => ({
    finishPdf: finish.finishPdf,
    makePressPdf: press.makePressPdf,
    makePdfx: pdfx.makePdfx,
    impose: imposition.impose,
    prepareChapters: content.prepareChapters,
    packEpub: pack.packEpub,
    preflight: pre.preflight,
    preflightFile: pre.preflightFile,
    combineReports: pre.combineReports,
    preflightHtml: report.preflightHtml,
  }));

import { TARGETS, type Target } from './targets.js';

export { TARGETS, type Target };

export interface BuildOptions {
  manuscript: string;
  out: string;
  targets?: Target[];
  /** Paged.js time limit per target, ms. */
  timeoutMs?: number;
  /** Progress lines (stage, time). */
  log?: (line: string) => void;
  onPage?: (n: number) => void;
  /** Called with the browser once it runs (tests use it to simulate a crash). */
  onBrowser?: (browser: Browser) => void;
}

export interface BuildResult {
  book: Book;
  outputs: ManifestEntry[];
  pagination?: Pagination;
  diagnostics: Diagnostic[];
  timings: { stage: string; ms: number }[];
  /** Font subsetting and page-list figures of the EPUB, when built. */
  epub?: { fontBefore: number; fontAfter: number; glyphs: number; pageList: number };
  pdfxVersion?: string;
  imposition?: { sheets: number; blanksAdded: number; sides: [number, number][]; sequence: number[] };
  preflight?: PreflightReport;
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
  // lint before the browser starts: errors stop the build, warnings are printed
  await stage('lint', () => {
    for (const d of lintBook(manuscript, book).diagnostics) manuscript.diagnostics.add(d);
  });
  manuscript.diagnostics.throwIfErrors();
  const bundle = await stage('html', () => renderHtml(book));

  let browser: Browser | undefined;
  const outputs: { target: Target; file: string; data: Uint8Array; pages?: number }[] = [];
  let pagination: Pagination | undefined;
  let epubReport: BuildResult['epub'];
  let pdfxVersion: string | undefined;
  let imposition: BuildResult['imposition'];
  let report: PreflightReport | undefined;
  const stages = outputStages();
  stages.catch(() => {}); // awaited below; a failure to load surfaces there
  try {
    browser = await stage('browser', () => launchBrowser());
    opts.onBrowser?.(browser);
    // The EPUB needs the booklet's pages too: its page-list and cover come from them.
    pagination = await stage('paginate', () =>
      paginate(bundle, book, browser!, { timeoutMs: opts.timeoutMs, onPage: opts.onPage }),
    );
    verifyPagination(book, pagination);
    if (!targets.includes('epub')) await closeBrowser(browser);
    const { finishPdf, makePressPdf, makePdfx, impose, prepareChapters, packEpub, preflightFile, combineReports } =
      await stages;
    const pdfName = `${book.meta.slug}.pdf`;
    const slug = book.meta.slug;
    const creator = `Folio ${FOLIO_VERSION}`;
    let press: Uint8Array | undefined;
    if (targets.includes('press') || targets.includes('press-pdfx')) {
      press = await stage('press', () => makePressPdf(pagination!.pdf, book.meta, `${slug}-press.pdf`, creator));
      if (targets.includes('press'))
        outputs.push({ target: 'press', file: `${slug}-press.pdf`, data: press, pages: pagination.pages.length });
    }
    // Ghostscript (its own process), the imposition and the EPUB do not wait for each other; each
    // press file is preflighted as soon as it exists (poppler runs in processes of its own).
    const p = pagination;
    const layout = layoutOf(book, p);
    const checks: Promise<FileCheck>[] = [];
    const check = (target: Target, file: string, data: Uint8Array) => {
      const c = preflightBytes(preflightFile, target, file, data, layout);
      c.catch(() => {}); // awaited below
      return c;
    };
    if (press && targets.includes('press')) checks[0] = check('press', `${slug}-press.pdf`, press);
    // Ghostscript first: it is the longest and runs in processes of its own; the rest is pdf-lib and
    // the EPUB on this thread meanwhile.
    const [pdfx, booklet, imposed, epub] = await Promise.all([
      targets.includes('press-pdfx')
        ? stage('press-pdfx', () => makePdfx(press!, book.meta)).then(
            (r) => ((checks[1] = check('press-pdfx', `${slug}-press-pdfx.pdf`, r.data)), r),
          )
        : undefined,
      targets.includes('booklet') ? stage('pdf', () => finishPdf(p.pdf, book.meta, { creator })) : undefined,
      targets.includes('imposed')
        ? stage('imposed', () => impose(p.pdf, book.meta, p.pages, `${slug}-imposed.pdf`, creator)).then(
            (r) => ((checks[2] = check('imposed', `${slug}-imposed.pdf`, r.data)), r),
          )
        : undefined,
      targets.includes('epub')
        ? stage('epub-html', () => prepareChapters(browser!, book, p.breaks))
            .then(async (chapters) => {
              // the last use of the browser: close it now, not after Ghostscript and preflight (a long
              // book's Chromium holds hundreds of MB)
              await closeBrowser(browser);
              return chapters;
            })
            .then((chapters) =>
              stage('epub', async () =>
                packEpub({
                  book,
                  chapters,
                  pages: p.pages,
                  breaks: p.breaks,
                  cover: await coverImage(book, p),
                  printFile: pdfName,
                }),
              ),
            )
        : undefined,
    ]);
    if (booklet) outputs.unshift({ target: 'booklet', file: pdfName, data: booklet, pages: p.pages.length });
    if (pdfx) {
      pdfxVersion = pdfx.version;
      outputs.push({ target: 'press-pdfx', file: `${slug}-press-pdfx.pdf`, data: pdfx.data, pages: p.pages.length });
      log(
        `press-pdfx ${pdfx.images.images} images in CMYK (${pdfx.images.hits} from the cache)${pdfx.images.skipped ? `, ${pdfx.images.skipped} left to Ghostscript` : ''}`,
      );
    }
    if (imposed) {
      imposition = {
        sheets: imposed.sheets,
        blanksAdded: imposed.blanksAdded,
        sides: imposed.sides,
        sequence: imposed.sequence,
      };
      log(
        `imposed    ${p.pages.length} pages + ${imposed.blanksAdded} blank = ${imposed.sequence.length} (${imposed.sheets} sheets, 2-up saddle stitch)`,
      );
      outputs.push({ target: 'imposed', file: `${slug}-imposed.pdf`, data: imposed.data, pages: imposed.sides.length });
    }
    if (epub) {
      epubReport = {
        fontBefore: epub.font.before,
        fontAfter: epub.font.after,
        glyphs: epub.font.glyphs,
        pageList: epub.pageList,
      };
      log(
        `epub font  ${(epub.font.before / 1024 / 1024).toFixed(1)} MiB → ${(epub.font.after / 1024).toFixed(0)} KiB (${epub.font.glyphs} characters); page-list ${epub.pageList} entries`,
      );
      outputs.push({ target: 'epub', file: `${book.meta.slug}.epub`, data: epub.data });
    }
    const pending = checks.filter(Boolean);
    if (pending.length) {
      report = await stage('preflight', async () => combineReports(await Promise.all(pending)));
      log(
        `preflight  ${report.summary.passed ? 'passed' : 'FAILED'}: ${report.summary.errors} errors, ${report.summary.warnings} warnings, ${report.summary.infos} notes`,
      );
    }
  } finally {
    // never leave a browser behind, even one that crashed or hangs
    await closeBrowser(browser);
  }

  const out = path.resolve(opts.out);
  if (report) {
    // The report is written even when preflight fails: it is what the user reads to fix the book.
    await writeAtomic(path.join(out, 'preflight.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeAtomic(path.join(out, 'preflight.html'), (await stages).preflightHtml(report, book.meta.title));
    if (!report.summary.passed) throw new FolioError(report.findings.filter((f) => f.severity === 'error'));
  }
  const entries = await stage('write', async () => {
    const written: ManifestEntry[] = [];
    for (const o of outputs) {
      await writeAtomic(path.join(out, o.file), o.data);
      written.push({
        target: o.target,
        file: o.file,
        bytes: o.data.byteLength,
        sha256: sha256(o.data),
        ...(o.pages ? { pages: o.pages } : {}),
      });
    }
    if (pagination)
      await writeAtomic(path.join(out, 'layout.json'), `${JSON.stringify(layoutOf(book, pagination), null, 2)}\n`);
    await updateManifest(out, written);
    return written;
  });
  // the content-keyed cache stays within its limits (least recently used entries go first)
  await pruneCaches();
  return {
    book,
    outputs: entries,
    pagination,
    epub: epubReport,
    pdfxVersion,
    imposition,
    preflight: report,
    diagnostics: [
      ...manuscript.diagnostics.diagnostics,
      ...(pagination?.diagnostics ?? []),
      ...(report?.findings ?? []),
    ],
    timings,
  };
}

/** What preflight needs to know about the pages (also written as dist/layout.json for `folio preflight`). */
export function layoutOf(book: Book, p: Pagination): Layout {
  return {
    trim: { width: book.meta.trim.width, height: book.meta.trim.height },
    bleed: book.meta.press.bleed,
    safe: book.meta.press.safe,
    pages: p.pages.length,
    figures: book.figures.map((f) => ({
      id: f.id,
      page: p.figurePages[f.id] ?? 0,
      source: f.source,
      file: path.relative(book.root, f.file),
      fpo: f.fpo,
    })),
  };
}

/**
 * `folio preflight`: checks the press files a build left in `outDir` (from manifest.json and
 * layout.json) and writes preflight.json and preflight.html there.
 */
export async function preflightOutputs(outDir: string): Promise<PreflightReport> {
  const out = path.resolve(outDir);
  const read = async (name: string) => {
    try {
      return JSON.parse(await readFile(path.join(out, name), 'utf8'));
    } catch {
      throw new FolioError([
        {
          file: path.join(outDir, name),
          line: 0,
          column: 0,
          severity: 'error',
          message: `Cannot read ${name}`,
          ruleId: 'preflight-input',
          hint: 'Run `folio build --target press` (or all targets) first.',
        },
      ]);
    }
  };
  const manifest = (await read('manifest.json')) as { outputs: ManifestEntry[] };
  const layout = (await read('layout.json')) as Layout;
  const files = manifest.outputs
    .filter((o) => o.target === 'press' || o.target === 'press-pdfx' || o.target === 'imposed')
    .map((o) => ({ target: o.target as PreflightFile['target'], path: path.join(out, o.file), file: o.file }));
  if (!files.length)
    throw new FolioError([
      {
        file: path.join(outDir, 'manifest.json'),
        line: 0,
        column: 0,
        severity: 'error',
        message: 'No press files in the manifest',
        ruleId: 'preflight-input',
        hint: 'Build them: folio build --target press --target press-pdfx --target imposed',
      },
    ]);
  const { preflight, preflightHtml } = await outputStages();
  const report = await preflight(files, layout);
  await writeAtomic(path.join(out, 'preflight.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomic(path.join(out, 'preflight.html'), preflightHtml(report, path.basename(files[0]!.file, '.pdf')));
  return report;
}

/** Preflight of one in-memory press file (written to a temporary folder for poppler). */
async function preflightBytes(
  preflightFile: typeof import('./preflight/preflight.js').preflightFile,
  target: Target,
  file: string,
  data: Uint8Array,
  layout: Layout,
): Promise<FileCheck> {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-preflight-'));
  try {
    await writeFile(path.join(dir, file), data);
    return await preflightFile({ target: target as PreflightFile['target'], path: path.join(dir, file), file }, layout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** book.yaml's cover image, else the booklet's own cover page. */
async function coverImage(book: Book, p: Pagination): Promise<{ data: Buffer; mediaType: 'image/jpeg' | 'image/png' }> {
  if (book.cover) {
    // the loader has sniffed the bytes: PNG or JPEG, whatever the name says
    const data = await readFile(book.cover);
    return { data, mediaType: sniffImage(data) === 'png' ? 'image/png' : 'image/jpeg' };
  }
  if (!p.cover)
    throw new FolioError([
      {
        file: 'booklet',
        line: 0,
        column: 0,
        severity: 'error',
        message: 'The cover page could not be captured for the EPUB',
        ruleId: 'epub-cover',
        hint: 'Set cover: in book.yaml.',
      },
    ]);
  return { data: p.cover, mediaType: 'image/jpeg' };
}

/** `--out` inside the manuscript would feed outputs back in as inputs. */
function checkOutDir(out: string, root: string): void {
  const rel = path.relative(root, path.resolve(out));
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new FolioError(
      [
        {
          file: out,
          line: 0,
          column: 0,
          severity: 'error',
          message: 'The output folder is inside the manuscript folder',
          ruleId: 'usage-out',
          hint: 'Choose --out outside the manuscript, e.g. ./dist.',
        },
      ],
      2,
    );
  }
}

/** Every heading must land on a page: a missing one means Paged.js dropped content. */
function verifyPagination(book: Book, p: Pagination): void {
  const lost = book.headings.filter((h) => !(h.id in p.headingPages));
  if (lost.length) {
    throw new FolioError(
      lost.map((h) => {
        const [file, line] = h.source.split(/:(?=\d+$)/);
        return {
          file: file!,
          line: Number(line),
          column: 1,
          severity: 'error' as const,
          message: `Heading "${h.text}" is missing from the laid-out pages`,
          ruleId: 'render-lost-content',
          hint: 'An element before it may be taller than a page; shorten it or allow it to break.',
        };
      }),
    );
  }
}
