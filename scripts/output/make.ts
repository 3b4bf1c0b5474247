import { forgetTempDir, makeTempDir } from './cleanup.js';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PDFDocument } from 'pdf-lib';
import type { Browser } from 'puppeteer-core';
import type { Stages } from '../build.js';
import { FolioError } from '../diagnostics/diagnostic.js';
import { sniffImage } from '../manuscript/image.js';
import type { Book } from '../model/book.js';
import type { Position } from '../diagnostics/position.js';
import type { Pagination } from '../paginate/paginate.js';
import type { FileCheck, Layout, PreflightFile, PreflightReport } from '../preflight/preflight.js';
import { FOLIO_VERSION } from '../version.js';
import { TARGETS, type Target } from '../targets.js';
import type { TransparentImage } from '../press/flatten.js';
import { hexRgb, type Rgb } from '../press/rgb.js';
import { BACK_COLOUR, COVER_COLOUR } from '../render/geometry.js';

/**
 * The stages after pagination (pdf-lib, fontkit, the EPUB packer, preflight): loaded as Paged.js starts
 * laying out (build.ts), when the Node process would otherwise wait (~0.4 s of module loading off the
 * critical path).
 */
export const outputStages = () =>
  Promise.all([
    import('../pdf/finish.js'),
    import('../press/press.js'),
    import('../press/pdfx.js'),
    import('../press/impose.js'),
    import('../epub/content.js'),
    import('../epub/package.js'),
    import('../preflight/preflight.js'),
    import('../preflight/report.js'),
  ]).then(([finish, press, pdfx, imposition, content, pack, pre, report]) => ({
    finishPdf: finish.finishPdf,
    makePressDoc: press.makePressDoc,
    makePdfx: pdfx.makePdfx,
    impose: imposition.impose,
    prepareChapters: content.prepareChapters,
    packEpub: pack.packEpub,
    preflight: pre.preflight,
    preflightFile: pre.preflightFile,
    combineReports: pre.combineReports,
    preflightHtml: report.preflightHtml,
  }));

type Modules = Awaited<ReturnType<typeof outputStages>>;

export interface BuiltOutput {
  target: Target;
  file: string;
  data: Uint8Array;
  pages?: number;
}

export interface MadeOutputs {
  outputs: BuiltOutput[];
  pagination: Pagination;
  layout: Layout;
  report?: PreflightReport;
  epub?: { fontBefore: number; fontAfter: number; glyphs: number; pageList: number };
  pdfxVersion?: string;
  imposition?: { sheets: number; blanksAdded: number; sides: [number, number][]; sequence: number[] };
}

export interface MakeContext {
  book: Book;
  pagination: Pagination;
  layout: Layout;
  targets: Target[];
  stages: Stages;
  browser: Browser;
  /** Closes the browser after its last use (the EPUB's chapters). */
  closeBrowser: () => Promise<void>;
  /** Called with each output as soon as it is made (the build starts its fidelity check there). */
  onOutput?: (o: BuiltOutput) => void;
}

/** Everything the run collects while the targets are made side by side. */
class Collector {
  readonly outputs: BuiltOutput[] = [];
  readonly checks = new Map<Target, Promise<FileCheck>>();
  readonly made: Partial<MadeOutputs> = {};
  constructor(
    private readonly c: MakeContext,
    private readonly m: Modules,
  ) {}

  add(made: BuiltOutput, preflight = false): void {
    // Test hook: FOLIO_FAULT_STAGED=<file> cuts that output in half, as a faulty stage would leave it:
    // the check (which reads the bytes as soon as they exist) and the staged file both get the cut bytes
    const cut = process.env.FOLIO_FAULT_STAGED;
    const o =
      cut && path.basename(made.file) === cut
        ? { ...made, data: made.data.subarray(0, Math.floor(made.data.length / 2)) }
        : made;
    this.outputs.push(o);
    this.c.onOutput?.(o);
    if (!preflight) return;
    // each press file is preflighted as soon as it exists (poppler runs in processes of its own)
    const check = preflightBytes(this.m.preflightFile, o.target, o.file, o.data, this.c.layout);
    check.catch(() => {}); // awaited in the preflight stage
    this.checks.set(o.target, check);
  }
}

/** Booklet, press, PDF/X, imposition and EPUB from one pagination; then preflight of the press files. */
export async function makeOutputs(c: MakeContext, m: Modules): Promise<MadeOutputs> {
  const want = (t: Target) => c.targets.includes(t);
  const slug = c.book.meta.slug;
  const run = new Collector(c, m);
  let press: { data: Uint8Array; doc: PDFDocument } | undefined;
  // the imposition is made from the PDF/X (CMYK, the printer's colours): it needs one even if not asked for
  const wantPdfx = want('press-pdfx') || want('imposed');
  if (want('press') || wantPdfx) {
    press = await c.stages.run('press', 'booklet', () =>
      m.makePressDoc(c.pagination.pdf, c.book.meta, `${slug}-press.pdf`, creator()),
    );
    const data = press.data;
    if (want('press')) run.add({ target: 'press', file: `${slug}-press.pdf`, data, pages: pageCount(c) }, true);
  }
  // Ghostscript first: it is the longest and runs in processes of its own. Its input is prepared on this
  // thread (pdf-lib), and the booklet's finishing and the EPUB's packing — on this thread too, and on
  // no one's critical path — wait until Ghostscript runs, instead of slowing the preparation down.
  let gsRuns = () => {};
  const ghostscript = new Promise<void>((resolve) => (gsRuns = resolve));
  const pdfx = press && wantPdfx ? makePdfx(c, m, run, press, want('press-pdfx'), gsRuns) : undefined;
  pdfx?.catch(() => {}); // awaited below
  if (pdfx)
    pdfx.then(gsRuns, gsRuns); // a PDF/X that failed first holds nothing back
  else gsRuns();
  await Promise.all([
    pdfx,
    want('booklet') ? ghostscript.then(() => makeBooklet(c, m, run)) : undefined,
    want('imposed') ? pdfx!.then((data) => makeImposed(c, m, run, data)) : undefined,
    want('epub') ? makeEpub(c, m, run, ghostscript) : undefined,
  ]);
  const order = (o: BuiltOutput) => TARGETS.indexOf(o.target);
  const outputs = run.outputs.sort((a, b) => order(a) - order(b));
  const report = run.checks.size ? await preflightStage(c, m, run) : undefined;
  return { ...run.made, outputs, pagination: c.pagination, layout: c.layout, report };
}

const creator = () => `Folio ${FOLIO_VERSION}`;
const pageCount = (c: MakeContext) => c.pagination.pages.length;

async function makeBooklet(c: MakeContext, m: Modules, run: Collector): Promise<void> {
  const data = await c.stages.run('pdf', 'booklet', () =>
    m.finishPdf(c.pagination.pdf, c.book.meta, { creator: creator() }),
  );
  run.add({ target: 'booklet', file: `${c.book.meta.slug}.pdf`, data, pages: pageCount(c) });
}

/** The PDF/X; an output (and preflighted) only when asked for, else just the imposition's source. */
async function makePdfx(
  c: MakeContext,
  m: Modules,
  run: Collector,
  press: { data: Uint8Array; doc: PDFDocument },
  output: boolean,
  onGhostscript: () => void,
): Promise<Uint8Array> {
  const r = await c.stages.run('press-pdfx', 'press PDF', () =>
    m.makePdfx(press.data, c.book.meta, { root: c.book.root, ...pdfxAlpha(c), onGhostscript, doc: press.doc }),
  );
  if (!output) return r.data;
  run.made.pdfxVersion = r.version;
  run.add(
    { target: 'press-pdfx', file: `${c.book.meta.slug}-press-pdfx.pdf`, data: r.data, pages: pageCount(c) },
    true,
  );
  const i = r.images;
  c.stages.log(
    `press-pdfx ${r.version} (%PDF-1.3), OutputIntent ${r.intent.identifier}; ` +
      `${r.neutrals.colours} neutral colours as K only; ${i.images} images in CMYK (${i.hits} from the cache)` +
      (i.skipped ? `, ${i.skipped} left to Ghostscript` : '') +
      (r.flattened ? `; ${r.flattened} images with alpha flattened onto their backdrop` : ''),
  );
  return r.data;
}

/**
 * What the PDF/X pass needs to flatten images with alpha: the pages whose background is not paper (the
 * cover and back cover colours), and where an image it cannot flatten is used (its figure: same pixel
 * size, on one of its pages).
 */
export function pdfxAlpha(c: Pick<MakeContext, 'book' | 'pagination'>): {
  backdrops: Map<number, Rgb>;
  locate: (img: TransparentImage) => Position | undefined;
} {
  const backdrops = new Map<number, Rgb>();
  for (const p of c.pagination.pages) {
    if (p.name === 'cover') backdrops.set(p.number, hexRgb(COVER_COLOUR));
    if (p.name === 'back') backdrops.set(p.number, hexRgb(BACK_COLOUR));
  }
  const locate = (img: TransparentImage) => {
    const same = c.book.figures.filter((f) => f.pixels?.width === img.width && f.pixels.height === img.height);
    const onPage = same.find((f) => img.pages.includes(c.pagination.figurePages[f.id] ?? 0));
    return (onPage ?? same[0])?.source;
  };
  return { backdrops, locate };
}

async function makeImposed(c: MakeContext, m: Modules, run: Collector, pdfx: Uint8Array): Promise<void> {
  const file = `${c.book.meta.slug}-imposed.pdf`;
  const p = c.pagination;
  const r = await c.stages.run('imposed', 'PDF/X', () => m.impose(pdfx, c.book.meta, p.pages, file, creator()));
  run.made.imposition = { sheets: r.sheets, blanksAdded: r.blanksAdded, sides: r.sides, sequence: r.sequence };
  c.stages.log(
    `imposed    ${p.pages.length} pages + ${r.blanksAdded} blank = ${r.sequence.length} ` +
      `(${r.sheets} sheets, 2-up saddle stitch, from the PDF/X)`,
  );
  run.add({ target: 'imposed', file, data: r.data, pages: r.sides.length }, true);
}

async function makeEpub(c: MakeContext, m: Modules, run: Collector, ghostscript: Promise<void>): Promise<void> {
  const p = c.pagination;
  const chapters = await c.stages.run('epub-html', 'booklet', () => m.prepareChapters(c.browser, c.book, p.breaks));
  // the last use of the browser: close it now, not after Ghostscript and preflight (a long book's
  // Chromium holds hundreds of MB)
  await c.closeBrowser();
  await ghostscript; // packing is this thread's work: after the PDF/X's input is ready
  const printFile = `${c.book.meta.slug}.pdf`;
  const epub = await c.stages.run('epub', 'booklet', async () =>
    m.packEpub({
      book: c.book,
      chapters,
      pages: p.pages,
      breaks: p.breaks,
      cover: await coverImage(c.book, p),
      printFile,
    }),
  );
  run.made.epub = {
    fontBefore: epub.font.before,
    fontAfter: epub.font.after,
    glyphs: epub.font.glyphs,
    pageList: epub.pageList,
  };
  c.stages.log(
    `epub font  ${(epub.font.before / 2 ** 20).toFixed(1)} MiB → ${(epub.font.after / 1024).toFixed(0)} KiB ` +
      `(${epub.font.glyphs} characters); page-list ${epub.pageList} entries`,
  );
  run.add({ target: 'epub', file: `${c.book.meta.slug}.epub`, data: epub.data });
}

async function preflightStage(c: MakeContext, m: Modules, run: Collector): Promise<PreflightReport> {
  const pending = TARGETS.flatMap((t) => run.checks.get(t) ?? []);
  const report = await c.stages.run('preflight', 'press files', async () =>
    m.combineReports(await Promise.all(pending), c.layout),
  );
  const s = report.summary;
  c.stages.log(
    `preflight  ${s.passed ? 'passed' : 'FAILED'}: ${s.errors} errors, ${s.warnings} warnings, ${s.infos} notes; ` +
      s.verdict,
  );
  return report;
}

/** Preflight of one in-memory press file (written to a temporary folder for poppler). */
async function preflightBytes(
  preflightFile: typeof import('../preflight/preflight.js').preflightFile,
  target: Target,
  file: string,
  data: Uint8Array,
  layout: Layout,
): Promise<FileCheck> {
  const dir = await makeTempDir('folio-preflight-');
  try {
    await writeFile(path.join(dir, file), data);
    return await preflightFile({ target: target as PreflightFile['target'], path: path.join(dir, file), file }, layout);
  } finally {
    await rm(dir, { recursive: true, force: true });
    forgetTempDir(dir);
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
