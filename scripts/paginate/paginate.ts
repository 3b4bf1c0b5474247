import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { type Diagnostic, FolioError } from '../diagnostics/diagnostic.js';
import type { Book } from '../model/book.js';
import type { HtmlBundle } from '../render/html.js';
import { analyzeTypography, type TypoFinding, type TypoStats } from '../typography/analyze.js';
import { balanceParagraphs } from '../typography/balance.js';
import { fitGrid } from '../typography/grid.js';
import { fitTables } from '../typography/tables.js';
import { type LayoutStats, MAX_GAP_FRACTION, measureLayout } from '../typography/measure.js';
import { newPage } from './browser.js';
import { PAGED_HANDLERS } from './handlers.js';
import { consoleDiagnostic, contentDiagnostics, requestDiagnostics } from './content-check.js';
import {
  type BlockMeasure,
  measureBlocks,
  readLayout,
  readPageBreaks,
  runPagedJs,
  stableNoteIds,
} from './page-scripts.js';
import { ORIGIN, serveBundle, type Mount, type RequestLog } from './serve.js';

const require = createRequire(import.meta.url);
const PAGED_DIR = path.join(path.dirname(require.resolve('pagedjs')), '..', 'dist');

export interface PageInfo {
  number: number;
  /** `left` (verso) or `right` (recto). */
  side: 'left' | 'right';
  /** Named page (cover, front, toc, chapter, back) or '' for blank pages. */
  name: string;
  blank: boolean;
}

export interface Pagination {
  pdf: Uint8Array;
  pages: PageInfo[];
  /** Heading id → page number where it is laid out. */
  headingPages: Record<string, number>;
  /** Figure id → page number where its image is placed. */
  figurePages: Record<string, number>;
  /** Where each page of a chapter starts in the manuscript (for the EPUB page-list). */
  breaks: PageBreak[];
  /** The first page (the cover) as a JPEG at 2× (for the EPUB). */
  cover?: Buffer;
  typography?: Typography;
  /** Every request the page made: answered from the build's files, or refused. */
  requests: { served: string[]; refused: string[] };
  /** Paragraphs tracked to avoid a single-character last line, and those that could not be. */
  balance?: { checked: number; fixed: string[]; unfixed: string[] };
  diagnostics: Diagnostic[];
}

export interface PageBreak {
  page: number;
  chapterId: string;
  /** `data-src` (file:line) of the block the page starts in. */
  src: string;
  /** Non-space characters of that block on earlier pages: 0 = the page starts at the block. */
  offset: number;
}

export interface PaginateOptions {
  /** Time limit for Paged.js to finish, in ms. */
  timeoutMs?: number;
  /** Fix single-character last lines (孤字) by tracking paragraphs before pagination; default on. */
  balance?: boolean;
  /**
   * Measure the laid-out lines against the Chinese layout rules (folio check --typography): stretch limit
   * in em, the line grid in pt (default: the book's line pitch), the empty fraction of a page a figure
   * moving on may leave (default 0.25).
   */
  typography?: { stretchEm: number; gridPt?: number; maxGapFraction?: number };
  onPage?: (n: number) => void;
  /**
   * Called as Paged.js starts: the page has loaded everything it asks Node for, the long layout is the
   * renderer's, and this thread is free for other work (the build loads its output stages then).
   */
  onLayout?: () => void;
  /**
   * Text that depends on the final page count (the 版权页's 印张 and 字数): element `[data-computed=key]`
   * gets value; set after layout, before printing (the imprint page has room for a few characters more).
   */
  finalize?: (pages: number) => Record<string, string>;
}

/**
 * Lays the bundle out with Paged.js in Chromium and prints it. One page per call; the browser is shared.
 * Four steps: serve (the page answers from the build's files only), lay out (Paged.js under the time limit),
 * measure (content kept, pages of headings and figures, page breaks, typography), print (cover image, PDF).
 * @example const { pdf, pages } = await paginate(bundle, book, browser);
 */
export async function paginate(
  bundle: HtmlBundle,
  book: Book,
  browser: Browser,
  opts: PaginateOptions = {},
): Promise<Pagination> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const page = await newPage(browser);
  const diagnostics: Diagnostic[] = [];
  // the page count and the chapter file being laid out, for progress and for error messages
  const progress: Progress = { page: 0, chapter: '', after: '', loading: true };
  try {
    return await paginatePage(page, bundle, book, opts, { timeoutMs, progress }, diagnostics);
  } catch (e) {
    if (e instanceof FolioError) throw e;
    // a browser that dies after Paged.js finished (measuring, printing) is the same crash as during it;
    // a navigation or print timeout of puppeteer's is the same time limit as ours
    if (!isBrowserGone(e) && !isTimeout(e)) throw e;
    throw layoutFailure(e, whereIn(progress), timeoutMs, diagnostics);
  } finally {
    await page.close().catch(() => {});
  }
}

/** Folio's own time limit for the paginate stage. */
class StageTimeout extends Error {
  constructor() {
    super('timeout');
    this.name = 'StageTimeout';
  }
}

/** Our time limit, or puppeteer's (page.goto, setContent, pdf, waitFor… past their `timeout`). */
function isTimeout(e: unknown): boolean {
  return e instanceof StageTimeout || (e as Error)?.name === 'TimeoutError';
}

/** The stage's four steps, in order. */
async function paginatePage(
  page: Page,
  bundle: HtmlBundle,
  book: Book,
  opts: PaginateOptions,
  limits: { timeoutMs: number; progress: Progress },
  diagnostics: Diagnostic[],
): Promise<Pagination> {
  const { progress } = limits;
  const log = await serve(page, bundle, book, diagnostics);
  const { expected, balance } = await layOut(page, bundle, opts, limits, diagnostics);
  progress.after = 'measuring';
  const measured = await measure(page, book, expected, log, opts, diagnostics);
  progress.after = 'printing';
  const { pdf, cover } = await print(page, limits.timeoutMs);
  return {
    pdf,
    ...measured,
    cover,
    balance,
    requests: { served: log.served, refused: log.refused },
    diagnostics,
  };
}

interface Progress {
  page: number;
  chapter: string;
  /** What was being done once the layout had finished: '' while it runs. */
  after: string;
  /** Still loading the page (HTML, fonts, images, Paged.js), before the layout starts. */
  loading: boolean;
}

/** "laying out the booklet, page 9 (chapter manuscript/01-feature.md)", plus the step after the layout. */
function whereIn(p: Progress): string {
  if (p.loading) return 'loading the booklet (its HTML, fonts, images and Paged.js)';
  const page = p.page ? `, page ${p.page}` : '';
  const chapter = p.chapter ? ` (chapter ${p.chapter})` : '';
  return `laying out the booklet${page}${chapter}${p.after ? `, then ${p.after}` : ''}`;
}

/** A rendering failure: this problem first, then every diagnostic collected so far. */
function renderFailure(
  diagnostics: Diagnostic[],
  problem: { message: string; ruleId: string; hint: string },
  cause?: unknown,
): FolioError {
  return new FolioError([{ file: 'booklet', line: 0, column: 0, severity: 'error', ...problem }, ...diagnostics], 1, {
    cause,
  });
}

/** Serves the bundle, the manuscript folder (`m/`) and Paged.js (`_folio/`); page errors become diagnostics. */
async function serve(page: Page, bundle: HtmlBundle, book: Book, diagnostics: Diagnostic[]): Promise<RequestLog> {
  const mounts: Mount[] = [...bundle.mounts, { prefix: 'm/', dir: book.root }, { prefix: '_folio/', dir: PAGED_DIR }];
  const log = await serveBundle(page, bundle, mounts);
  page.on('pageerror', (err) => {
    diagnostics.push({
      file: 'booklet',
      line: 0,
      column: 0,
      severity: 'error',
      message: `Script error in page: ${(err as Error).message}`,
      ruleId: 'render-script-error',
    });
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') diagnostics.push(consoleDiagnostic(msg.text()));
  });
  return log;
}

/**
 * Loads the book, measures its blocks, balances its paragraphs and runs Paged.js under the time limit
 * (loading under puppeteer's, the same --timeout). A timeout, a crash or a Paged.js error is a FolioError
 * saying where the layout had got to.
 */
async function layOut(
  page: Page,
  bundle: HtmlBundle,
  opts: PaginateOptions,
  { timeoutMs, progress }: { timeoutMs: number; progress: Progress },
  diagnostics: Diagnostic[],
): Promise<{ expected: BlockMeasure; balance: Pagination['balance'] }> {
  await page.exposeFunction('__folioPage', (n: number, chapter: string) => {
    progress.page = n;
    progress.chapter = chapter || progress.chapter;
    opts.onPage?.(n);
  });
  await page.goto(ORIGIN + bundle.entry, { waitUntil: 'load', timeout: timeoutMs });
  await page.addScriptTag({ url: `${ORIGIN}_folio/paged.js` });
  progress.loading = false;
  const expected = await page.evaluate(measureBlocks, false);
  const balance = opts.balance === false ? undefined : await page.evaluate(balanceParagraphs);
  diagnostics.push(...(await fitTables(page)));
  await page.evaluate(fitGrid, { gridPt: bundle.geometry.line });
  for (const handler of PAGED_HANDLERS) await page.evaluate(handler);
  // The time limit starts with Paged.js. The run that loses the race keeps going until the page closes;
  // its rejection is swallowed so that the first failure wins (an unhandled one was a bare `Error: timeout`).
  const run = page.evaluate(runPagedJs);
  run.catch(() => {});
  opts.onLayout?.();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StageTimeout()), timeoutMs);
  });
  try {
    await Promise.race([run, expired]);
  } catch (e) {
    throw layoutFailure(e, whereIn(progress), timeoutMs, diagnostics);
  } finally {
    clearTimeout(timer);
  }
  return { expected, balance };
}

/** Names what stopped the layout: the time limit, a browser that went away, or Paged.js itself. */
function layoutFailure(e: unknown, where: string, timeoutMs: number, diagnostics: Diagnostic[]): FolioError {
  const message = (e as Error).message;
  if (isTimeout(e))
    return renderFailure(
      diagnostics,
      {
        message: `Paged.js did not finish within ${timeoutMs / 1000} s while ${where}`,
        ruleId: 'render-timeout',
        hint: 'A very long book or element, or a script that never ends; raise --timeout or split the content.',
      },
      e,
    );
  if (isBrowserGone(e))
    return renderFailure(
      diagnostics,
      {
        message: `Chromium stopped while ${where}: ${message.split('\n')[0]}`,
        ruleId: 'render-crash',
        hint: 'Chromium crashed or was killed (memory?). Nothing was written; build again.',
      },
      e,
    );
  return renderFailure(
    diagnostics,
    {
      message: `Paged.js failed while ${where}: ${message.split('\n')[0]}`,
      ruleId: 'render-pagedjs',
      hint: 'See the browser diagnostics above.',
    },
    e,
  );
}

/** In the page: the text of every `[data-computed=key]` element set to its value. */
function setComputed(values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values))
    for (const el of document.querySelectorAll(`[data-computed="${key}"]`)) el.textContent = value;
}

/**
 * Checks the laid-out pages against what went in (any error fails the build), then reads where everything
 * landed and, when asked, measures the lines against the Chinese layout rules.
 */
async function measure(
  page: Page,
  book: Book,
  expected: BlockMeasure,
  log: RequestLog,
  opts: PaginateOptions,
  diagnostics: Diagnostic[],
): Promise<Pick<Pagination, 'pages' | 'headingPages' | 'figurePages' | 'breaks' | 'typography'>> {
  const laidOut = await page.evaluate(measureBlocks, true);
  diagnostics.push(...contentDiagnostics(expected, laidOut), ...requestDiagnostics(log, book.root));
  if (diagnostics.some((d) => d.severity === 'error'))
    throw renderFailure(diagnostics, {
      message: 'Rendering produced errors',
      ruleId: 'render-errors',
      hint: 'Fix the problems listed.',
    });
  const layout = await page.evaluate(readLayout);
  if (opts.finalize) await page.evaluate(setComputed, opts.finalize(layout.pages.length));
  const breaks = await page.evaluate(readPageBreaks);
  await page.evaluate(stableNoteIds);
  const typography = opts.typography ? await typesetting(page, opts.typography) : undefined;
  return { ...layout, breaks, typography };
}

type Typography = { findings: TypoFinding[]; stats: TypoStats & LayoutStats };

/** The line rules (analyzeTypography) and the page measures (measureLayout) of the laid-out book. */
async function typesetting(page: Page, opts: NonNullable<PaginateOptions['typography']>): Promise<Typography> {
  const lines = await page.evaluate(analyzeTypography, { stretchEm: opts.stretchEm });
  const layout = await page.evaluate(measureLayout, {
    gridPt: opts.gridPt ?? 18,
    maxGapFraction: opts.maxGapFraction ?? MAX_GAP_FRACTION,
  });
  return { findings: [...lines.findings, ...layout.findings], stats: { ...lines.stats, ...layout.stats } };
}

/** The booklet's cover as an image (for the EPUB), drawn by the same template, and the PDF with its outline. */
async function print(page: Page, timeoutMs: number): Promise<{ pdf: Uint8Array; cover?: Buffer }> {
  await page.setViewport({ width: 1000, height: 1400, deviceScaleFactor: 2 });
  const coverEl = await page.$('.pagedjs_page');
  const cover = coverEl ? Buffer.from(await coverEl.screenshot({ type: 'jpeg', quality: 88 })) : undefined;
  const pdf = await page.pdf({
    printBackground: true,
    preferCSSPageSize: true,
    outline: true,
    tagged: true,
    timeout: timeoutMs,
  });
  return { pdf, cover };
}

/** Puppeteer's ways of saying the browser or its page is gone. */
export function isBrowserGone(e: unknown): boolean {
  return /Target closed|Session closed|Protocol error|has been closed|disconnected|detached|Connection closed/i.test(
    (e as Error)?.message ?? '',
  );
}
