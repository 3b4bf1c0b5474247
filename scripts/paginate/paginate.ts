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
  /** Measure the laid-out lines against the Chinese layout rules (folio check --typography). */
  typography?: { stretchEm: number };
  onPage?: (n: number) => void;
}

/**
 * Lays the bundle out with Paged.js in Chromium and prints it. One page per call; the browser is shared.
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
  const fail = (message: string, ruleId: string, hint: string, cause?: unknown): never => {
    throw new FolioError(
      [{ file: 'booklet', line: 0, column: 0, severity: 'error', message, ruleId, hint }, ...diagnostics],
      1,
      { cause },
    );
  };
  try {
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
      if (msg.type() !== 'error') return;
      const text = msg.text();
      // the Content-Security-Policy stops requests before interception sees them: still a refusal
      const blocked = /Content Security Policy/.exec(text) && /['"]((?:https?|ftp|wss?):[^'"]+)['"]/.exec(text)?.[1];
      if (blocked)
        diagnostics.push({
          file: 'booklet',
          line: 0,
          column: 0,
          severity: 'error',
          message: `Refused request outside the build: ${blocked}`,
          ruleId: 'render-offline',
          hint: 'Rendering is offline; put the resource in the manuscript folder.',
        });
      else
        diagnostics.push({
          file: 'booklet',
          line: 0,
          column: 0,
          severity: 'warning',
          message: `Browser console: ${text}`,
          ruleId: 'render-console',
        });
    });
    // progress: the page count and the chapter file being laid out, for progress and for error messages
    let progress = { page: 0, chapter: '' };
    await page.exposeFunction('__folioPage', (n: number, chapter: string) => {
      progress = { page: n, chapter: chapter || progress.chapter };
      opts.onPage?.(n);
    });
    await page.goto(ORIGIN + bundle.entry, { waitUntil: 'load', timeout: timeoutMs });
    await page.addScriptTag({ url: `${ORIGIN}_folio/paged.js` });

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
    });
    const expected = await page.evaluate(measureBlocks, false);
    const balance = opts.balance === false ? undefined : await page.evaluate(balanceParagraphs);
    const run = page.evaluate(async () => {
      type Emitter = { on(e: string, f: (p: { position: number; element?: HTMLElement }) => void): void };
      const w = window as unknown as {
        Paged: { Previewer: new () => Emitter & { chunker: Emitter; preview(): Promise<{ total: number }> } };
        __folioPage?: (n: number, chapter: string) => void;
      };
      await document.fonts.ready;
      const previewer = new w.Paged.Previewer();
      // the chunker's renderedPage fires once a page holds its content (the previewer's "page" fires before)
      previewer.chunker.on(
        'renderedPage',
        (p: { position: number; element?: HTMLElement }) =>
          void w.__folioPage?.(
            p.position + 1,
            p.element?.querySelector<HTMLElement>('[data-file]')?.dataset.file ?? '',
          ),
      );
      const flow = await previewer.preview();
      await document.fonts.ready;
      return flow.total;
    });
    const where = () =>
      `laying out the booklet${progress.page ? `, page ${progress.page}` : ''}${progress.chapter ? ` (chapter ${progress.chapter})` : ''}`;
    try {
      await Promise.race([run, timeout]);
    } catch (e) {
      const message = (e as Error).message;
      if (message === 'timeout')
        fail(
          `Paged.js did not finish within ${timeoutMs / 1000} s while ${where()}`,
          'render-timeout',
          'A very long element or a script that never ends; raise --timeout or split the content.',
        );
      if (isBrowserGone(e))
        fail(
          `Chromium stopped while ${where()}: ${message.split('\n')[0]}`,
          'render-crash',
          'Chromium crashed or was killed (memory?). Nothing was written; build again.',
          e,
        );
      fail(
        `Paged.js failed while ${where()}: ${message.split('\n')[0]}`,
        'render-pagedjs',
        'See the browser diagnostics above.',
        e,
      );
    } finally {
      clearTimeout(timer);
    }

    // Paged.js must not lose or repeat content: compare every block's text with what was laid out,
    // and find blocks that stick out of their page (taller than a page, an unbreakable table).
    const laidOut = await page.evaluate(measureBlocks, true);
    for (const [src, want] of Object.entries(expected.text)) {
      const got = laidOut.text[src] ?? 0;
      const [file, line] = src.split(/:(?=\d+$)/);
      if (got === 0 && want > 0)
        diagnostics.push({
          file: file!,
          line: Number(line),
          column: 1,
          severity: 'error',
          message: `Block is missing from the laid-out pages (${want} characters lost)`,
          ruleId: 'render-lost-content',
          hint: 'It is probably taller than a page or cannot break: shorten it or split it.',
        });
      else if (got < want)
        diagnostics.push({
          file: file!,
          line: Number(line),
          column: 1,
          severity: 'error',
          message: `Block lost ${want - got} of ${want} characters in pagination`,
          ruleId: 'render-lost-content',
          hint: 'It is probably taller than a page or cannot break: shorten it or split it.',
        });
      else if (got > want)
        diagnostics.push({
          file: file!,
          line: Number(line),
          column: 1,
          severity: 'error',
          message: `Block repeated in pagination (${got} characters laid out for ${want})`,
          ruleId: 'render-duplicated-content',
          hint: 'A Paged.js page-break fault: report it with the manuscript.',
        });
    }
    for (const o of laidOut.overflow) {
      const [file, line] = o.src.split(/:(?=\d+$)/);
      diagnostics.push({
        file: file!,
        line: Number(line),
        column: 1,
        severity: 'error',
        message: `<${o.tag}> on page ${o.page} runs ${o.by.toFixed(0)} px past the page: it is taller than a page or cannot break, and is cut`,
        ruleId: 'render-overflow',
        hint: 'Make it smaller than a page, or split it (long tables into several).',
      });
    }
    for (const url of log.refused)
      diagnostics.push({
        file: 'booklet',
        line: 0,
        column: 0,
        severity: 'error',
        message: `Refused request outside the build: ${url}`,
        ruleId: 'render-offline',
        hint: 'Rendering is offline; put the resource in the manuscript folder.',
      });
    for (const rel of log.missing)
      diagnostics.push({
        file: rel.startsWith('m/') ? path.join(book.root, rel.slice(2)) : rel,
        line: 0,
        column: 0,
        severity: 'error',
        message: `Resource failed to load: ${rel}`,
        ruleId: 'render-resource',
        hint: 'Check the file exists and is readable.',
      });
    if (diagnostics.some((d) => d.severity === 'error'))
      fail('Rendering produced errors', 'render-errors', 'Fix the problems listed.');

    const layout = await page.evaluate(() => {
      const pages = [...document.querySelectorAll<HTMLElement>('.pagedjs_page')].map((p, i) => ({
        number: i + 1,
        side: (p.classList.contains('pagedjs_left_page') ? 'left' : 'right') as 'left' | 'right',
        name:
          [...p.classList]
            .map((c) => /^pagedjs_([\w-]+)_page$/.exec(c)?.[1])
            .find((n) => n && !/^(left|right|first|blank|named)$|_first$/.test(n)) ?? '',
        blank: p.classList.contains('pagedjs_blank_page'),
      }));
      const headingPages: Record<string, number> = {};
      for (const h of document.querySelectorAll<HTMLElement>(
        '.pagedjs_page h1[id], .pagedjs_page h2[id], .pagedjs_page h3[id], .pagedjs_page h4[id], .pagedjs_page h5[id], .pagedjs_page h6[id]',
      )) {
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
        // eslint-disable-next-line no-bitwise -- a DOM bit mask
        const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
        let first: Node | null = null;
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (n.nodeType === Node.TEXT_NODE ? /\S/.test(n.textContent ?? '') : (n as Element).tagName === 'IMG') {
            first = n;
            break;
          }
        }
        const el = first && (first.nodeType === Node.TEXT_NODE ? first.parentElement : (first as Element));
        const block = el?.closest<HTMLElement>('[data-src]');
        const chapter = el?.closest<HTMLElement>('section.chapter');
        // Paged.js keeps ids on the first fragment only; later fragments share its data-ref.
        if (chapter?.id) chapterIds.set(chapter.dataset.ref ?? '', chapter.id);
        if (block && chapter) {
          const ref = block.dataset.ref ?? '';
          breaks.push({
            page: i + 1,
            chapterId: chapter.id || chapterIds.get(chapter.dataset.ref ?? '') || '',
            src: block.dataset.src ?? '',
            offset: seen.get(ref) ?? 0,
          });
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
    return {
      pdf,
      pages: layout.pages,
      headingPages: layout.headingPages,
      figurePages: layout.figurePages,
      breaks: layout.breaks,
      cover,
      typography,
      balance,
      requests: { served: log.served, refused: log.refused },
      diagnostics,
    };
  } finally {
    await page.close().catch(() => {});
  }
}

/** Text per block (data-src → non-space characters) and, once paginated, blocks sticking out of their page. Runs in the page. */
function measureBlocks(paginated: boolean): {
  text: Record<string, number>;
  overflow: { src: string; tag: string; page: number; by: number }[];
} {
  const text: Record<string, number> = {};
  const overflow: { src: string; tag: string; page: number; by: number }[] = [];
  const scope = paginated ? '.pagedjs_page ' : 'section.chapter ';
  for (const el of document.querySelectorAll<HTMLElement>(`${scope}[data-src]`)) {
    if (el.querySelector('[data-src]')) continue; // leaves only: containers are counted through their blocks
    const src = el.dataset.src!;
    text[src] = (text[src] ?? 0) + [...(el.textContent ?? '').replace(/\s+/g, '')].length;
    if (paginated) {
      const area = el.closest('.pagedjs_page_content');
      const bottom = area?.getBoundingClientRect().bottom ?? Infinity;
      const by = el.getBoundingClientRect().bottom - bottom;
      if (by > 2)
        overflow.push({
          src,
          tag: el.tagName.toLowerCase(),
          page: Number(el.closest<HTMLElement>('.pagedjs_page')?.dataset.pageNumber),
          by,
        });
    }
  }
  return { text, overflow };
}

/** Puppeteer's ways of saying the browser or its page is gone. */
export function isBrowserGone(e: unknown): boolean {
  return /Target closed|Session closed|Protocol error|has been closed|disconnected|detached|Connection closed/i.test(
    (e as Error)?.message ?? '',
  );
}
