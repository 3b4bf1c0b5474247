import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { type Diagnostic, FolioError } from '../diagnostics/diagnostic.js';
import type { Book } from '../model/book.js';
import type { HtmlBundle } from '../render/html.js';
import { analyzeTypography } from '../typography/analyze.js';
import { balanceParagraphs } from '../typography/balance.js';
import { newPage } from './browser.js';
import { ORIGIN, serveBundle, type Mount } from './serve.js';

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
  typography?: ReturnType<typeof analyzeTypography>;
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
  /** Measure the laid-out lines against the Chinese layout rules (folio check --typography). */
  typography?: { stretchEm: number };
  onPage?: (n: number) => void;
}

/**
 * Lays the bundle out with Paged.js in Chromium and prints it. One page per call; the browser is shared.
 * @example const { pdf, pages } = await paginate(bundle, book, browser);
 */
export async function paginate(bundle: HtmlBundle, book: Book, browser: Browser, opts: PaginateOptions = {}): Promise<Pagination> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const page = await newPage(browser);
  const diagnostics: Diagnostic[] = [];
  const fail = (message: string, ruleId: string, hint: string, cause?: unknown): never => {
    throw new FolioError([{ file: 'booklet', line: 0, column: 0, severity: 'error', message, ruleId, hint }, ...diagnostics], 1, { cause });
  };
  try {
    const mounts: Mount[] = [...bundle.mounts, { prefix: 'm/', dir: book.root }, { prefix: '_folio/', dir: PAGED_DIR }];
    const log = await serveBundle(page, bundle, mounts);
    page.on('pageerror', (err) => {
      diagnostics.push({ file: 'booklet', line: 0, column: 0, severity: 'error', message: `Script error in page: ${(err as Error).message}`, ruleId: 'render-script-error' });
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') diagnostics.push({ file: 'booklet', line: 0, column: 0, severity: 'warning', message: `Browser console: ${msg.text()}`, ruleId: 'render-console' });
    });
    if (opts.onPage) await page.exposeFunction('__folioPage', (n: number) => opts.onPage?.(n));
    await page.goto(ORIGIN + bundle.entry, { waitUntil: 'load', timeout: timeoutMs });
    await page.addScriptTag({ url: `${ORIGIN}_folio/paged.js` });

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
    });
    const balance = opts.balance === false ? undefined : await page.evaluate(balanceParagraphs);
    const run = page.evaluate(async () => {
      const w = window as unknown as { Paged: { Previewer: new () => { on(e: string, f: (p: { position: number }) => void): void; preview(): Promise<{ total: number }> } }; __folioPage?: (n: number) => void };
      await document.fonts.ready;
      const previewer = new w.Paged.Previewer();
      if (w.__folioPage) previewer.on('page', (p) => void w.__folioPage?.(p.position + 1));
      const flow = await previewer.preview();
      await document.fonts.ready;
      return flow.total;
    });
    try {
      await Promise.race([run, timeout]);
    } catch (e) {
      if ((e as Error).message === 'timeout') fail(`Paged.js did not finish within ${timeoutMs / 1000} s`, 'render-timeout', 'A very long element or a script that never ends; raise --timeout or split the content.');
      fail(`Paged.js failed: ${(e as Error).message.split('\n')[0]}`, 'render-pagedjs', 'See the browser diagnostics above.', e);
    } finally {
      clearTimeout(timer);
    }

    for (const url of log.refused) diagnostics.push({ file: 'booklet', line: 0, column: 0, severity: 'error', message: `Refused request outside the build: ${url}`, ruleId: 'render-offline', hint: 'Rendering is offline; put the resource in the manuscript folder.' });
    for (const rel of log.missing) diagnostics.push({ file: rel.startsWith('m/') ? path.join(book.root, rel.slice(2)) : rel, line: 0, column: 0, severity: 'error', message: `Resource failed to load: ${rel}`, ruleId: 'render-resource', hint: 'Check the file exists and is readable.' });
    if (diagnostics.some((d) => d.severity === 'error')) fail('Rendering produced errors', 'render-errors', 'Fix the problems listed.');

    const layout = await page.evaluate(() => {
      const pages = [...document.querySelectorAll<HTMLElement>('.pagedjs_page')].map((p, i) => ({
        number: i + 1,
        side: (p.classList.contains('pagedjs_left_page') ? 'left' : 'right') as 'left' | 'right',
        name: [...p.classList].map((c) => /^pagedjs_([\w-]+)_page$/.exec(c)?.[1]).find((n) => n && !/^(left|right|first|blank|named)$|_first$/.test(n)) ?? '',
        blank: p.classList.contains('pagedjs_blank_page'),
      }));
      const headingPages: Record<string, number> = {};
      for (const h of document.querySelectorAll<HTMLElement>('.pagedjs_page h1[id], .pagedjs_page h2[id], .pagedjs_page h3[id], .pagedjs_page h4[id], .pagedjs_page h5[id], .pagedjs_page h6[id]')) {
        const n = Number(h.closest<HTMLElement>('.pagedjs_page')?.dataset.pageNumber);
        if (!(h.id in headingPages)) headingPages[h.id] = n;
      }
      // Where each page starts in the manuscript: the block (data-src) of its first text or image, and how
      // many non-space characters of that block lie on earlier pages (Paged.js fragments share data-ref).
      const breaks: PageBreak[] = [];
      const seen = new Map<string, number>();
      const chapterIds = new Map<string, string>();
      for (const [i, p] of [...document.querySelectorAll<HTMLElement>('.pagedjs_page')].entries()) {
        const area = p.querySelector('.pagedjs_page_content');
        if (!area) continue;
        const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
        let first: Node | null = null;
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (n.nodeType === Node.TEXT_NODE ? /\S/.test(n.textContent ?? '') : (n as Element).tagName === 'IMG') { first = n; break; }
        }
        const el = first && (first.nodeType === Node.TEXT_NODE ? first.parentElement : (first as Element));
        const block = el?.closest<HTMLElement>('[data-src]');
        const chapter = el?.closest<HTMLElement>('section.chapter');
        // Paged.js keeps ids on the first fragment only; later fragments share its data-ref.
        if (chapter?.id) chapterIds.set(chapter.dataset.ref ?? '', chapter.id);
        if (block && chapter) {
          const ref = block.dataset.ref ?? '';
          breaks.push({ page: i + 1, chapterId: chapter.id || chapterIds.get(chapter.dataset.ref ?? '') || '', src: block.dataset.src ?? '', offset: seen.get(ref) ?? 0 });
        }
        // count what each block shows on this page, for the next page's offsets
        for (const b of p.querySelectorAll<HTMLElement>('[data-src][data-ref]')) {
          const ref = b.dataset.ref!;
          seen.set(ref, (seen.get(ref) ?? 0) + [...(b.textContent ?? '').replace(/\s+/g, '')].length);
        }
      }
      const figurePages: Record<string, number> = {};
      for (const img of document.querySelectorAll<HTMLElement>('.pagedjs_page img[data-figure]')) {
        figurePages[img.dataset.figure!] = Number(img.closest<HTMLElement>('.pagedjs_page')?.dataset.pageNumber);
      }
      return { pages, headingPages, breaks, figurePages };
    });

    const typography = opts.typography ? await page.evaluate(analyzeTypography, opts.typography) : undefined;

    // The booklet's cover as an image (for the EPUB), drawn by the same template.
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
    return { pdf, pages: layout.pages, headingPages: layout.headingPages, figurePages: layout.figurePages, breaks: layout.breaks, cover, typography, balance, diagnostics };
  } finally {
    await page.close().catch(() => {});
  }
}
