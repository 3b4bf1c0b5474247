// Table column widths and sizes, a page pass of its own: run in the page before Paged.js, after
// balanceParagraphs and just before fitGrid, which then puts each table on the line grid with its final height.
// Three steps: measureTables (in the page: what each column's cells need), planTable (pure: the font size
// and the column widths) and applyTables (in the page: sets them). The in-page steps are self-contained:
// Puppeteer and the preview serialise them into the browser.
import type { Page } from 'puppeteer-core';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { fromDataSrc } from '../diagnostics/position.js';

/**
 * What one table's columns need, px at the table's own font size: `widest` its widest cell on one line,
 * `keep` what keeps numbers and short cells (up to six characters) whole and gives a longer text cell up to
 * six em, `short` the same with longer text cells as narrow as `least`, the least that keeps every number
 * whole (a text cell then wraps between any characters).
 * Text widths only: `pad` is a column's horizontal padding, `border` what the collapsed rules take.
 */
export interface TableMeasure {
  index: number;
  src: string;
  fontPx: number;
  lineHeightPx: number;
  measure: number;
  border: number;
  pad: number[];
  widest: number[];
  keep: number[];
  short: number[];
  least: number[];
}

/** How a table is set: its scale (font size, line height, padding × scale) and column widths (fractions). */
export interface TablePlan {
  index: number;
  src: string;
  scale: number;
  fontPx: number;
  lineHeightPx: number;
  pad: number[];
  widths: number[];
  /** `widest`/`keep`: nothing breaks that should not; `least`: short text cells wrap; `none`: numbers break. */
  fits: 'widest' | 'keep' | 'least' | 'none';
  /** px the numbers need at the smallest size, against `measure`. */
  need: number;
  measure: number;
}

/** The smallest size a table is set at and the steps down to it, pt. */
export const TABLE_FLOOR_PT = 7;
export const TABLE_STEP_PT = 0.5;

/**
 * In the page: each table's column needs (see TableMeasure), measured on the text block's width (the same
 * probe as fitGrid's). A table with merged cells or ragged rows is left alone (equal columns).
 */
export function measureTables(): TableMeasure[] {
  const probe = document.createElement('style');
  probe.textContent =
    'section.chapter { width: var(--text-width) !important; }' +
    '.folio-measuring, .folio-measuring * { white-space: nowrap !important; }' +
    '.folio-measuring .footnote { display: none !important; }';
  document.head.append(probe);
  const NUMBER = /^[+\-−±]?\d(?:[\d,.]*\d)?[%‰]?$/;
  const IN_TEXT = /[+\-−±]?\d(?:[\d,.]*\d)?[%‰]?/g;
  const range = document.createRange();
  const width = () => range.getBoundingClientRect().width;
  /** The widest number inside a cell's text (each text node on its own). */
  const widestNumber = (cell: Element): number => {
    let w = 0;
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let t = walk.nextNode(); t; t = walk.nextNode())
      for (const m of (t as Text).data.matchAll(IN_TEXT)) {
        range.setStart(t, m.index);
        range.setEnd(t, m.index + m[0].length);
        w = Math.max(w, width());
      }
    return w;
  };
  const out: TableMeasure[] = [];
  for (const [index, table] of [...document.querySelectorAll<HTMLTableElement>('section.chapter table')].entries()) {
    const rows = [...table.rows];
    const n = rows[0]?.cells.length ?? 0;
    if (!n || rows.some((r) => r.cells.length !== n || [...r.cells].some((c) => c.colSpan > 1))) continue;
    const s = getComputedStyle(table);
    const em = parseFloat(s.fontSize);
    const m: TableMeasure = {
      ...{ index, src: table.dataset.src ?? '', fontPx: em, lineHeightPx: parseFloat(s.lineHeight) || em * 1.6 },
      ...{ measure: table.getBoundingClientRect().width, border: 1, pad: new Array<number>(n).fill(0) },
      ...{ widest: new Array<number>(n).fill(0), keep: new Array<number>(n).fill(0) },
      ...{ short: new Array<number>(n).fill(0), least: new Array<number>(n).fill(0) },
    };
    table.classList.add('folio-measuring');
    for (const r of rows)
      for (const [i, c] of [...r.cells].entries()) {
        const cs = getComputedStyle(c);
        range.selectNodeContents(c);
        const w = width();
        const text = c.innerText.trim();
        const whole = NUMBER.test(text) || [...text].length <= 6;
        m.pad[i] = Math.max(m.pad[i]!, parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight));
        m.widest[i] = Math.max(m.widest[i]!, w);
        m.keep[i] = Math.max(m.keep[i]!, whole ? w : Math.min(w, 6 * em));
        const least = NUMBER.test(text) ? w : Math.max(widestNumber(c), Math.min(w, em));
        m.short[i] = Math.max(m.short[i]!, whole ? w : least);
        m.least[i] = Math.max(m.least[i]!, least);
      }
    table.classList.remove('folio-measuring');
    out.push(m);
  }
  probe.remove();
  return out;
}

/**
 * A table's size and column widths (pure; self-contained, the preview serialises it). If every column's widest
 * cell fits the measure, those widths (stretched to it). Otherwise the largest size from the table's own down
 * to the floor, in steps, at which numbers and short cells fit whole; the long cells share the rest and wrap.
 * If none does, the floor with the long cells as narrow as needed, then with half the gutters; then the
 * short text cells wrap too (`least`, warned); if even the numbers do not fit there,
 * the numbers' widths scaled to the measure (`none`: they break; the build reports the table).
 */
export function planTable(m: TableMeasure, floorPt = 7, stepPt = 0.5): TablePlan {
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const at = (need: number[], k: number, gap = 1) => need.map((w, i) => (w + m.pad[i]! * gap) * k + m.border);
  /** `low` widths plus a share of what `high` would add, stretched to the measure. */
  const share = (low: number[], high: number[]) => {
    const spare = sum(high) > sum(low) ? Math.min(1, (M - sum(low)) / (sum(high) - sum(low))) : 1;
    const w = low.map((x, i) => x + (high[i]! - x) * spare);
    return w.map((x) => x / sum(w));
  };
  const M = m.measure;
  const floor = Math.min(m.fontPx, floorPt / 0.75);
  const plan = (k: number, widths: number[], fits: TablePlan['fits'], gap = 1): TablePlan => ({
    ...{ index: m.index, src: m.src, scale: k, fontPx: m.fontPx * k, lineHeightPx: m.lineHeightPx * k },
    ...{ pad: m.pad.map((p) => p * k * gap), widths, fits, need: sum(at(m.least, floor / m.fontPx, 0.5)) },
    measure: M,
  });
  const wide = at(m.widest, 1);
  if (sum(wide) <= M) return plan(1, share(wide, wide), 'widest');
  // a table set smaller is measured by scaling (Chromium's widths are linear to 0.1 px): 0.2 px a column spare
  const fits = (w: number[], step: number) => sum(w) + (step ? 0.2 * w.length : 0) <= M;
  for (let step = 0; m.fontPx - step * (stepPt / 0.75) >= floor - 1e-6; step++) {
    const k = (m.fontPx - step * (stepPt / 0.75)) / m.fontPx;
    if (fits(at(m.keep, k), step)) return plan(k, share(at(m.keep, k), at(m.widest, k)), 'keep');
  }
  // at the floor: the long text cells wrap as narrow as they must, then the gutters halve
  const k = floor / m.fontPx;
  for (const gap of [1, 0.5])
    if (fits(at(m.short, k, gap), 1)) return plan(k, share(at(m.short, k, gap), at(m.keep, k, gap)), 'keep', gap);
  const least = at(m.least, k, 0.5);
  if (fits(least, 1)) return plan(k, share(least, at(m.short, k, 0.5)), 'least', 0.5);
  return plan(
    k,
    least.map((w) => w / sum(least)),
    'none',
    0.5,
  );
}

/** In the page: each planned table's size and its column widths, on every cell (the same on every page). */
export function applyTables(plans: TablePlan[]): number {
  const tables = [...document.querySelectorAll<HTMLTableElement>('section.chapter table')];
  for (const p of plans) {
    const table = tables[p.index];
    if (!table) continue;
    if (p.scale < 1) {
      table.style.fontSize = `${p.fontPx}px`;
      table.style.lineHeight = `${p.lineHeightPx}px`;
    }
    for (const r of table.rows)
      for (const [i, c] of [...r.cells].entries()) {
        c.style.width = `${p.widths[i]! * 100}%`;
        if (p.scale < 1) c.style.paddingLeft = c.style.paddingRight = `${p.pad[i]! / 2}px`;
      }
  }
  return plans.length;
}

/** A table that had to be set smaller than its floor allows: warned (short cells wrap) or an error. */
export function tableDiagnostics(plans: TablePlan[]): Diagnostic[] {
  const pt = (px: number) => `${(px * 0.75).toFixed(1)} pt`;
  const hint =
    'Split the table into two with fewer columns each, or give the numbers in larger units (万, 亿) ' +
    'so that they are shorter.';
  return plans.flatMap((p): Diagnostic[] => {
    if (p.fits === 'none')
      return [
        {
          ...fromDataSrc(p.src),
          severity: 'error',
          message:
            `Table is too wide for the text block even at ${pt(p.fontPx)}: its numbers alone need ` +
            `${pt(p.need)} of ${pt(p.measure)} and would break`,
          ruleId: 'table-too-wide',
          hint,
        },
      ];
    if (p.fits === 'least')
      return [
        {
          ...fromDataSrc(p.src),
          severity: 'warning',
          message: `Table is set at ${pt(p.fontPx)} and its short text cells still wrap (numbers stay whole)`,
          ruleId: 'table-crowded',
          hint,
        },
      ];
    return [];
  });
}

/** The pass, as the build runs it: measured, planned and applied in `page`; the tables' diagnostics. */
export async function fitTables(page: Page): Promise<Diagnostic[]> {
  const plans = (await page.evaluate(measureTables)).map((m) => planTable(m, TABLE_FLOOR_PT, TABLE_STEP_PT));
  await page.evaluate(applyTables, plans);
  return tableDiagnostics(plans);
}

/** The same pass for the preview's page script, as source: measure, plan and apply in one call. */
export function fitTablesSource(): string {
  return (
    `function () { var plan = ${planTable.toString()}; ` +
    `return (${applyTables.toString()})((${measureTables.toString()})().map(function (m) { ` +
    `return plan(m, ${TABLE_FLOOR_PT}, ${TABLE_STEP_PT}); })); }`
  );
}
