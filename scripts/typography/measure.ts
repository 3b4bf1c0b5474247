import type { TypoFinding } from './analyze.js';

export interface LayoutStats {
  /** Adjacent full-width marks (。” ”， ：“ 》，…) within a line, and those set in 1.5 em or less. */
  pairs: number;
  pairsCompressed: number;
  /** Lines of body paragraphs, and those whose top sits on the line grid of the text block. */
  bodyLines: number;
  bodyLinesOnGrid: number;
  /** Figures, and those whose caption is as wide as the image (±1 pt) and aligned with it. */
  figures: number;
  captionsAligned: number;
}

/** The share of a page a figure that moved on may leave empty before figure-gap warns. */
export const MAX_GAP_FRACTION = 0.25;

/**
 * Runs in the paginated page (page.evaluate): measures what the eye checks on a Chinese page — pairs of
 * full-width marks compressed (标点挤压), body lines on the grid (facing pages align), captions as wide as
 * their image, the space a figure that moved on leaves empty. Self-contained: serialised into the browser.
 * Over 60 lines on purpose (one of the three exceptions to max-lines-per-function): Puppeteer serialises
 * only this function into the page, so its helpers are nested inside it, and ESLint counts nested
 * functions in their parent.
 */
// eslint-disable-next-line max-lines-per-function -- serialised whole into the page (see above)
export function measureLayout(opts: { gridPt: number; maxGapFraction: number }): {
  findings: TypoFinding[];
  stats: LayoutStats;
} {
  const PT = 96 / 72;
  const grid = opts.gridPt * PT;
  const OPEN = '“‘（【《「『〔';
  const CLOSE = '、，。．：；！？”’）】》」』〕';
  const findings: TypoFinding[] = [];
  const stats: LayoutStats = {
    pairs: 0,
    pairsCompressed: 0,
    bodyLines: 0,
    bodyLinesOnGrid: 0,
    figures: 0,
    captionsAligned: 0,
  };
  const srcOf = (el: Element) => el.closest<HTMLElement>('[data-src]')?.dataset.src ?? '';
  const add = (page: number, el: Element, ruleId: string, message: string, offset = 1) =>
    findings.push({ page, src: srcOf(el), offset, severity: 'warning', ruleId, message });

  /** Each character of a block with its box, in order (white space skipped). */
  function chars(block: HTMLElement): { ch: string; r: DOMRect; size: number }[] {
    const out: { ch: string; r: DOMRect; size: number }[] = [];
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let t = walker.nextNode() as Text | null; t; t = walker.nextNode() as Text | null) {
      const size = parseFloat(getComputedStyle(t.parentElement!).fontSize);
      for (let i = 0; i < t.data.length; i++) {
        if (/\s/.test(t.data[i]!)) continue;
        range.setStart(t, i);
        range.setEnd(t, i + 1);
        const r = range.getClientRects()[0];
        if (r && r.width > 0) out.push({ ch: t.data[i]!, r, size });
      }
    }
    return out;
  }

  /** Pairs of full-width marks side by side on one line: the first should advance ½ em, not 1 em. */
  function pairs(page: number, block: HTMLElement, list: ReturnType<typeof chars>): void {
    for (let k = 0; k + 1 < list.length; k++) {
      const [a, b] = [list[k]!, list[k + 1]!];
      const isMark = (c: string) => OPEN.includes(c) || CLOSE.includes(c);
      if (!isMark(a.ch) || !isMark(b.ch) || Math.abs(a.r.top - b.r.top) > a.size / 2) continue;
      // a closing mark before an opening one is the pair the rules compress; so are two closing or two opening
      stats.pairs++;
      const advance = b.r.left - a.r.left;
      if (advance <= a.size * 0.75) stats.pairsCompressed++;
      else
        add(
          page,
          block,
          'pair-uncompressed',
          `"${a.ch}${b.ch}" takes ${(advance / a.size).toFixed(2)} em + 1 em`,
          k + 1,
        );
    }
  }

  /** Body lines: the top of each line's box measured from the text block's top, in grid lines. */
  function gridLines(page: number, block: HTMLElement, top: number, list: ReturnType<typeof chars>): void {
    const lh = parseFloat(getComputedStyle(block).lineHeight);
    const tops = [...new Set(list.map((c) => Math.round(c.r.top + c.r.height / 2 - lh / 2)))];
    const lines: number[] = [];
    for (const t of tops) if (!lines.some((l) => Math.abs(l - t) < lh / 2)) lines.push(t);
    for (const t of lines) {
      stats.bodyLines++;
      const off = (((t - top) % grid) + grid) % grid;
      const dy = Math.min(off, grid - off);
      if (dy <= 1) stats.bodyLinesOnGrid++;
      else add(page, block, 'line-off-grid', `Body line ${(dy / PT).toFixed(1)} pt off the ${opts.gridPt} pt grid`);
    }
  }

  /** A caption as wide as its image, starting where the image starts. */
  function caption(page: number, fig: HTMLElement): void {
    const img = fig.querySelector('img');
    const cap = fig.querySelector('figcaption');
    if (!img || !cap) return;
    stats.figures++;
    const [a, b] = [img.getBoundingClientRect(), cap.getBoundingClientRect()];
    const dx = Math.max(Math.abs(a.left - b.left), Math.abs(a.right - b.right)) / PT;
    if (dx <= 1) stats.captionsAligned++;
    else add(page, fig, 'caption-width', `Caption runs ${dx.toFixed(0)} pt past its image's edge`);
  }

  /** The empty foot of the page before a figure that did not fit: more than the limit is reported. */
  function figureGap(page: HTMLElement, n: number, area: DOMRect): void {
    const next = page.nextElementSibling?.querySelector('.pagedjs_page_content');
    const first = next?.querySelector('[data-src]');
    if (!first?.matches('figure, figure *')) return;
    const blocks = [...page.querySelectorAll('.pagedjs_page_content [data-src]')];
    const bottom = Math.max(area.top, ...blocks.map((b) => b.getBoundingClientRect().bottom));
    const empty = (area.bottom - bottom) / area.height;
    if (empty > opts.maxGapFraction)
      add(
        n,
        first,
        'figure-gap',
        `The figure moved to p. ${n + 1} leaves ${(empty * 100).toFixed(0)} % of p. ${n} empty`,
      );
  }

  for (const page of document.querySelectorAll<HTMLElement>('.pagedjs_page')) {
    const n = Number(page.dataset.pageNumber);
    const area = page.querySelector<HTMLElement>('.pagedjs_page_content')?.getBoundingClientRect();
    if (!area || !page.querySelector('section.chapter')) continue;
    for (const block of page.querySelectorAll<HTMLElement>('section.chapter p, section.chapter li, figcaption')) {
      const list = chars(block);
      pairs(n, block, list);
      const body = block.matches('section.chapter > p') && !block.closest('.footnote');
      if (body) gridLines(n, block, area.top, list);
    }
    for (const fig of page.querySelectorAll<HTMLElement>('section.chapter figure')) caption(n, fig);
    figureGap(page, n, area);
  }
  return { findings, stats };
}
