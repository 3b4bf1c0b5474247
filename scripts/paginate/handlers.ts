// Folio's Paged.js handlers, for the build and the preview alike. Each runs in the page (page.evaluate before
// runPagedJs; the preview's typography.js calls them before its Paged.js polyfill lays out) and is
// self-contained, serialised into the browser. The build's Paged.js has no previewer yet, so a handler is
// registered for the one runPagedJs makes; the preview's polyfill made its previewer on load, so the handler
// is attached to that previewer's hooks directly. Each returns how it was installed.

type Installed = 'registered' | 'attached' | 'off';

/**
 * **Table heads on every page.** Paged.js 0.4.3 does not repeat a table's header row when the table breaks
 * across pages: when a page starts inside a table body, a copy of the table's thead goes in first (before
 * the page is measured, so the rows that follow are laid out under it). The copy carries no data-ref /
 * data-src (it is not a manuscript block: Paged.js must not map it back, and the page checks leave it out:
 * .folio-head-repeat).
 */
export function tableHeadsHandler(): Installed {
  const w = window as unknown as {
    Paged: { Handler: new (...a: unknown[]) => object; registerHandlers(h: unknown): void };
    PagedPolyfill?: { chunker: object; polisher: object };
  };
  const TableHeads = class extends w.Paged.Handler {
    renderNode(clone: Node, node: Node) {
      const el = clone.nodeType === Node.ELEMENT_NODE ? (clone as Element) : clone.parentElement;
      const src = node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
      const table = el?.closest('table');
      const head = src?.closest('tbody') && src.closest('table')?.querySelector(':scope > thead');
      if (!table || !head || table.querySelector(':scope > thead')) return;
      const copy = head.cloneNode(true) as HTMLElement;
      for (const e of [copy, ...copy.querySelectorAll('*')])
        for (const a of ['data-ref', 'data-src', 'id']) e.removeAttribute(a);
      copy.classList.add('folio-head-repeat');
      copy.setAttribute('aria-hidden', 'true');
      table.insertBefore(copy, table.querySelector(':scope > tbody') ?? table.firstChild);
    }
  };
  const polyfill = w.PagedPolyfill;
  if (polyfill?.chunker) new TableHeads(polyfill.chunker, polyfill.polisher, polyfill);
  else w.Paged.registerHandlers(TableHeads);
  return polyfill?.chunker ? 'attached' : 'registered';
}

/**
 * **A heading keeps with what follows it.** Paged.js honours `break-after: avoid` only when the block after
 * the heading lies wholly below the page; when that block is a blockquote, a list or another heading, it
 * breaks inside it, before its first line, and the heading is left alone at the foot of the page. When a
 * page would end that way, the break moves up to before the heading (and before a heading right above it:
 * a section title and its first question go together), unless the heading opens the page.
 */
export function keepWithNextHandler(): Installed {
  const w = window as unknown as {
    Paged: { Handler: new (...a: unknown[]) => object; registerHandlers(h: unknown): void };
    PagedPolyfill?: { chunker: object; polisher: object };
  };
  const isHeading = (e: Element | null): e is Element => !!e && /^H[1-6]$/.test(e.tagName);
  /** Whether a range holds something a reader sees: text or an image. */
  const visible = (r: Range) => /\S/.test(r.toString()) || !!r.cloneContents().querySelector('img');

  /** The overflow moved up to before the headings it would leave at the foot of the page, or undefined. */
  function keepWithNext(overflow: Range, rendered: Element): Range | undefined {
    const start = overflow.startContainer;
    const at = start.nodeType === Node.TEXT_NODE ? start : (start.childNodes[overflow.startOffset] ?? start);
    // the block of the section the break falls in
    let block = at.nodeType === Node.ELEMENT_NODE ? (at as Element) : at.parentElement;
    while (block?.parentElement && block.parentElement !== rendered && block.parentElement.tagName !== 'SECTION')
      block = block.parentElement;
    if (!block || block.parentElement?.tagName !== 'SECTION') return undefined;
    // a break after the block's first lines leaves them under the heading
    const inBlock = document.createRange();
    inBlock.setStart(block, 0);
    inBlock.setEnd(start, overflow.startOffset);
    if (visible(inBlock)) return undefined;
    let heading: Element | undefined;
    for (let e = block.previousElementSibling; isHeading(e); e = e.previousElementSibling) heading = e;
    if (!heading) return undefined;
    const above = document.createRange();
    above.setStart(rendered, 0);
    above.setEndBefore(heading);
    if (!visible(above)) return undefined;
    const moved = overflow.cloneRange();
    moved.setStartBefore(heading);
    return moved;
  }

  const KeepWithNext = class extends w.Paged.Handler {
    onOverflow(overflow: Range | undefined, rendered: Element) {
      return overflow ? keepWithNext(overflow, rendered) : undefined;
    }
  };
  const polyfill = w.PagedPolyfill;
  if (polyfill?.chunker) new KeepWithNext(polyfill.chunker, polyfill.polisher, polyfill);
  else w.Paged.registerHandlers(KeepWithNext);
  return polyfill?.chunker ? 'attached' : 'registered';
}

/**
 * **Notes numbered per page** (`footnotes.numbering: page`, `<html data-footnotes="page">`): the calls and the
 * notes' numbers are Paged.js's counters `footnote` and `footnote-marker`, which it resets once for the whole
 * book (on .pagedjs_pages). A `counter-reset` in the book's stylesheet cannot start them again per page:
 * Paged.js takes every counter-reset out of the stylesheets and applies it to the manuscript elements its
 * selector matches, and its page boxes are not among them. So each laid-out page's area gets the reset
 * inline: the numbers on every page start at 1.
 */
export function pageNoteNumbersHandler(): Installed {
  const w = window as unknown as {
    Paged: { Handler: new (...a: unknown[]) => object; registerHandlers(h: unknown): void };
    PagedPolyfill?: { chunker: object; polisher: object };
  };
  if (document.documentElement.dataset.footnotes !== 'page') return 'off';
  const PageNoteNumbers = class extends w.Paged.Handler {
    afterPageLayout(pageElement: HTMLElement) {
      const area = pageElement.querySelector<HTMLElement>('.pagedjs_area');
      area?.style.setProperty('counter-reset', 'footnote 0 footnote-marker 0');
    }
  };
  const polyfill = w.PagedPolyfill;
  if (polyfill?.chunker) new PageNoteNumbers(polyfill.chunker, polyfill.polisher, polyfill);
  else w.Paged.registerHandlers(PageNoteNumbers);
  return polyfill?.chunker ? 'attached' : 'registered';
}

/** Every handler, in the order they are installed (the build evaluates each; the preview serialises them). */
export const PAGED_HANDLERS = [tableHeadsHandler, keepWithNextHandler, pageNoteNumbersHandler] as const;
