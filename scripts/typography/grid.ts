/**
 * Runs in the page before Paged.js (page.evaluate), after balanceParagraphs. Puts every chapter on the
 * line grid (版心): each block that is not body text (headings, kicker, dek, figures with their captions,
 * pull quotes, notes, lists, tables, code, quotations) takes a whole number of grid lines, its margins
 * rounded to whole lines and the rest of its last line added below it, so the body text after it returns
 * to the grid and facing pages align. Also: one opener for every chapter (the kicker, 引题, moved above
 * the title; the sink on the opener's first block) and each figure exactly as wide as its image, so the
 * caption under it is as wide as the picture; each table's column widths from its content. Self-contained:
 * serialised into the browser. Over 60 lines on purpose: Puppeteer serialises only this function into the
 * page (and the preview only it), so its helpers are nested inside, and ESLint counts them in the parent.
 */
export function fitGrid(opts: { gridPt: number }): { blocks: number; padded: number; figures: number; tables: number } {
  const grid = (opts.gridPt * 96) / 72;
  const probe = document.createElement('style');
  probe.textContent = 'section.chapter { width: var(--text-width) !important; }';
  document.head.append(probe);
  const result = { blocks: 0, padded: 0, figures: 0, tables: 0 };
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

  /**
   * Column widths of a table from its content, the same on every page it runs over (Paged.js lays out each
   * page's part as a table of its own, so the widths go on every cell and the fixed layout keeps them): a
   * column gets its widest cell if all fit the measure; otherwise each column keeps its short cells (up to
   * six characters: headers, numbers) unbroken and the long cells share the rest; a table whose short cells
   * alone are wider than the measure is scaled to it. Notes (float: footnote) are not cell content.
   */
  function tableColumns(table: HTMLTableElement): void {
    const rows = [...table.rows];
    const n = rows[0]?.cells.length ?? 0;
    if (!n || rows.some((r) => r.cells.length !== n || [...r.cells].some((c) => c.colSpan > 1))) return;
    const keep = 6 * parseFloat(getComputedStyle(table).fontSize);
    const measuring = document.createElement('style');
    measuring.textContent =
      '.folio-measuring, .folio-measuring * { white-space: nowrap !important; }' +
      '.folio-measuring .footnote { display: none !important; }';
    document.head.append(measuring);
    table.classList.add('folio-measuring');
    const widest = new Array<number>(n).fill(0);
    const short = new Array<number>(n).fill(0);
    const range = document.createRange();
    for (const r of rows)
      for (const [i, c] of [...r.cells].entries()) {
        const s = getComputedStyle(c);
        const pad = parseFloat(s.paddingLeft) + parseFloat(s.paddingRight) + 1;
        range.selectNodeContents(c);
        const w = range.getBoundingClientRect().width;
        widest[i] = Math.max(widest[i]!, w + pad);
        short[i] = Math.max(short[i]!, Math.min(w, keep) + pad);
      }
    table.classList.remove('folio-measuring');
    measuring.remove();
    const measure = table.getBoundingClientRect().width;
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    let widths: number[];
    if (sum(widest) <= measure) widths = widest.map((w) => (w * measure) / sum(widest));
    else if (sum(short) <= measure) {
      const spare = (measure - sum(short)) / (sum(widest) - sum(short));
      widths = short.map((w, i) => w + (widest[i]! - w) * spare);
    } else widths = short.map((w) => (w * measure) / sum(short));
    for (const r of rows)
      for (const [i, c] of [...r.cells].entries()) c.style.width = `${(widths[i]! * 100) / measure}%`;
    result.tables++;
  }

  const chapters = [...document.querySelectorAll<HTMLElement>('section.chapter')];
  for (const ch of chapters) opener(ch);
  for (const t of document.querySelectorAll<HTMLTableElement>('section.chapter table')) tableColumns(t);
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
