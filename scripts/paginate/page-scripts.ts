// Functions that run inside the page (handed to page.evaluate, serialised from their source): they may use
// only the DOM and their arguments, never this module's imports nor each other.
import type { PageBreak, PageInfo } from './paginate.js';

export interface BlockMeasure {
  /** data-src → non-space characters of the block. */
  text: Record<string, number>;
  /** Blocks sticking out of their page (paginated only). */
  overflow: { src: string; tag: string; page: number; by: number }[];
}

/** Text per block (data-src → non-space characters) and, once paginated, blocks sticking out of their page. */
export function measureBlocks(paginated: boolean): BlockMeasure {
  const text: Record<string, number> = {};
  const overflow: BlockMeasure['overflow'] = [];
  const scope = paginated ? '.pagedjs_page ' : 'section.chapter ';
  /** How far a laid-out block runs past its page's content area, in px (≤ 0: it fits). */
  function overflowBy(el: HTMLElement): number {
    const area = el.closest('.pagedjs_page_content')?.getBoundingClientRect();
    if (!area) return 0;
    const content = document.createRange();
    content.selectNodeContents(el);
    const text = content.getBoundingClientRect();
    const below = Math.max(el.getBoundingClientRect().bottom, text.bottom) - area.bottom;
    // Paged.js lays a page out in CSS columns: lines that do not fit run on into the next column, beside the
    // page, where they are cut off (a table row taller than a page: its box ends at the page, its lines go on
    // to the right). Text starting half a measure past the right edge is such a column, not a wide figure;
    // counted in page heights (one column beside the page is one page height of lines cut off).
    const beside =
      text.right > area.right + area.width / 2 ? ((text.right - area.right) / area.width) * area.height : 0;
    return Math.max(below, beside);
  }
  for (const el of document.querySelectorAll<HTMLElement>(`${scope}[data-src]`)) {
    if (el.querySelector('[data-src]')) continue; // leaves only: containers are counted through their blocks
    const src = el.dataset.src!;
    // a footnote is laid out at the foot of the page, outside its paragraph: count the paragraph without it
    let own = el.textContent ?? '';
    for (const note of el.querySelectorAll('.footnote')) own = own.replace(note.textContent ?? '', '');
    text[src] = (text[src] ?? 0) + [...own.replace(/\s+/g, '')].length;
    if (paginated) {
      const by = overflowBy(el);
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

/** Runs Paged.js on the loaded page, reporting each rendered page to `__folioPage`; returns the page count. */
export async function runPagedJs(): Promise<number> {
  type Emitter = { on(e: string, f: (p: { position: number; element?: HTMLElement }) => void): void };
  const w = window as unknown as {
    Paged: {
      Previewer: new () => Emitter & { chunker: Emitter; preview(): Promise<{ total: number }> };
    };
    __folioPage?: (n: number, chapter: string) => void;
  };
  // Folio's own handlers (scripts/paginate/handlers.ts, PAGED_HANDLERS) are registered before this runs
  await document.fonts.ready;
  const previewer = new w.Paged.Previewer();
  // the chunker's renderedPage fires once a page holds its content (the previewer's "page" fires before)
  previewer.chunker.on(
    'renderedPage',
    (p: { position: number; element?: HTMLElement }) =>
      void w.__folioPage?.(p.position + 1, p.element?.querySelector<HTMLElement>('[data-file]')?.dataset.file ?? ''),
  );
  const flow = await previewer.preview();
  await document.fonts.ready;
  return flow.total;
}

/**
 * Paged.js names each footnote `note-<random UUID>` and links its call there; Chromium writes those names
 * into the PDF as link destinations, so a book with footnotes differed on every build. Renamed `note-1`,
 * `note-2` … in document order (a note split over two pages keeps one name), calls with them.
 */
export function stableNoteIds(): void {
  const names = new Map<string, string>();
  for (const el of document.querySelectorAll<HTMLElement>('.pagedjs_page [id^="note-"]')) {
    if (!names.has(el.id)) names.set(el.id, `note-${names.size + 1}`);
    el.id = names.get(el.id)!;
  }
  for (const a of document.querySelectorAll<HTMLAnchorElement>('.pagedjs_page a[href^="#note-"]')) {
    const name = names.get(a.getAttribute('href')!.slice(1));
    if (name) a.setAttribute('href', `#${name}`);
  }
}

export interface Layout {
  pages: PageInfo[];
  headingPages: Record<string, number>;
  figurePages: Record<string, number>;
}

/** Reads the paginated DOM: every page's side and name, the pages of headings and figures. */
export function readLayout(): Layout {
  const pageOf = (el: Element) => Number(el.closest<HTMLElement>('.pagedjs_page')?.dataset.pageNumber);
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
  const headings = [1, 2, 3, 4, 5, 6].map((n) => `.pagedjs_page h${n}[id]`).join(', ');
  for (const h of document.querySelectorAll<HTMLElement>(headings)) {
    if (!(h.id in headingPages)) headingPages[h.id] = pageOf(h);
  }
  const figurePages: Record<string, number> = {};
  for (const img of document.querySelectorAll<HTMLElement>('.pagedjs_page img[data-figure]')) {
    figurePages[img.dataset.figure!] = pageOf(img);
  }
  return { pages, headingPages, figurePages };
}

/**
 * Where each page starts in the manuscript: the block (data-src) of its first text or image, and how many
 * non-space characters of that block lie on earlier pages (Paged.js fragments share data-ref).
 */
export function readPageBreaks(): PageBreak[] {
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
      if ((n.nodeType === Node.TEXT_NODE ? n.parentElement : (n as Element))?.closest('.folio-head-repeat')) continue;
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
      // a printed address (.address, print only) is not in the EPUB, whose markers these offsets place
      const count = (e: Element) => [...(e.textContent ?? '').replace(/\s+/g, '')].length;
      // nor is a table header repeated on a continued page
      const printed = [...b.querySelectorAll('.address, .folio-head-repeat')].reduce((n, a) => n + count(a), 0);
      seen.set(ref, (seen.get(ref) ?? 0) + count(b) - printed);
    }
  }
  return breaks;
}
