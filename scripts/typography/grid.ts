/**
 * Runs in the page before Paged.js (page.evaluate), after balanceParagraphs. Puts every chapter on the
 * line grid (版心): each block that is not body text (headings, kicker, dek, figures with their captions,
 * pull quotes, notes, lists, tables, code, quotations) takes a whole number of grid lines, its margins
 * rounded to whole lines and the rest of its last line added below it, so the body text after it returns
 * to the grid and facing pages align. Also: one opener for every chapter (the kicker, 引题, moved above
 * the title; the sink on the opener's first block) and each figure exactly as wide as its image, so the
 * caption under it is as wide as the picture. Tables have their column widths and size already (fitTables, run just
 * before). Self-contained: serialised into the browser, its helpers nested inside.
 */
export function fitGrid(opts: { gridPt: number }): { blocks: number; padded: number; figures: number } {
  const grid = (opts.gridPt * 96) / 72;
  const probe = document.createElement('style');
  probe.textContent = 'section.chapter { width: var(--text-width) !important; }';
  document.head.append(probe);
  const result = { blocks: 0, padded: 0, figures: 0 };
  const up = (px: number) => Math.ceil(px / grid - 0.02) * grid;
  const nearest = (px: number) => Math.round(px / grid) * grid;

  /** The kicker above the title, and the opener's sink on whichever block now comes first. */
  function opener(chapter: HTMLElement): void {
    const h1 = chapter.querySelector(':scope > h1');
    const kicker = chapter.querySelector(':scope > .kicker');
    // eslint-disable-next-line no-bitwise -- a DOM position bit mask
    if (h1 && kicker && h1.compareDocumentPosition(kicker) & Node.DOCUMENT_POSITION_FOLLOWING) h1.before(kicker);
    chapter.firstElementChild?.classList.add('opener');
  }

  /** A figure as wide as its image: the caption then spans exactly the picture. */
  function figureWidth(fig: HTMLElement): void {
    const img = fig.querySelector('img');
    if (!img) return;
    const w = img.getBoundingClientRect().width;
    if (w > 0) {
      fig.style.width = `${w}px`;
      fig.style.marginLeft = 'auto';
      fig.style.marginRight = 'auto';
      result.figures++;
    }
  }

  /** Margins to whole lines, and the block's own height filled to its last whole line. */
  function snap(block: HTMLElement): void {
    result.blocks++;
    const s = getComputedStyle(block);
    block.style.marginTop = `${nearest(parseFloat(s.marginTop))}px`;
    block.style.marginBottom = `${nearest(parseFloat(s.marginBottom))}px`;
    const h = block.getBoundingClientRect().height;
    const fill = up(h) - h;
    if (fill < 0.5) return;
    result.padded++;
    // tables ignore padding in the collapsing border model: the fill goes below them as margin
    if (s.display === 'table') block.style.marginBottom = `${nearest(parseFloat(s.marginBottom)) + fill}px`;
    else block.style.paddingBottom = `${parseFloat(s.paddingBottom) + fill}px`;
  }

  /**
   * Emphasis dots under a paragraph's last line stick out below it, and Chromium adds that much space after
   * the paragraph (block-end annotation space) unless padding takes it: padding as deep as the marks, the
   * same taken back as margin, so the next line stays on the grid.
   */
  function absorbMarks(p: HTMLElement): void {
    const extra = p.getBoundingClientRect().height % grid;
    if (extra < 0.5 || extra > grid / 2) return;
    p.style.paddingBottom = `${extra}px`;
    p.style.marginBottom = `${-extra}px`;
    result.padded++;
  }

  const chapters = [...document.querySelectorAll<HTMLElement>('section.chapter')];
  for (const ch of chapters) opener(ch);
  for (const fig of document.querySelectorAll<HTMLElement>('section.chapter figure')) figureWidth(fig);
  // a code block that breaks across pages leaves a fragment of its own height: keep short ones whole
  for (const pre of document.querySelectorAll<HTMLElement>('section.chapter pre'))
    if (pre.getBoundingClientRect().height < grid * 12) pre.style.breakInside = 'avoid';
  for (const ch of chapters)
    for (const block of [...ch.children] as HTMLElement[])
      if (block.tagName !== 'P') snap(block);
      else if (block.querySelector('em')) absorbMarks(block);
  probe.remove();
  return result;
}
