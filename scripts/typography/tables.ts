/**
 * Runs in the page before Paged.js (page.evaluate), after balanceParagraphs and just before fitGrid, which
 * then puts each table on the line grid with its final height. Column widths of every table from its
 * content, measured on the text block's width (the same probe as fitGrid's). Self-contained: serialised into
 * the browser, its helper nested inside. Returns how many tables got widths.
 */
export function fitTables(): number {
  const probe = document.createElement('style');
  probe.textContent = 'section.chapter { width: var(--text-width) !important; }';
  document.head.append(probe);
  let tables = 0;

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
    tables++;
  }

  for (const t of document.querySelectorAll<HTMLTableElement>('section.chapter table')) tableColumns(t);
  probe.remove();
  return tables;
}
