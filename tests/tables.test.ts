// planTable, the pure step of the table pass: which size and widths a table's measured columns get.
import { describe, expect, it } from 'vitest';
import { planTable, type TableMeasure, tableDiagnostics } from '../scripts/typography/tables.js';

/** A table at 9 pt (12 px) on a 420 px measure, `cols` columns alike; pad 10.67 px, as booklet.css sets. */
function table(cols: number, need: Partial<Record<'widest' | 'keep' | 'short' | 'least', number>>): TableMeasure {
  const col = (w: number) => new Array<number>(cols).fill(w);
  const widest = need.widest ?? 60;
  const keep = need.keep ?? widest;
  const short = need.short ?? keep;
  return {
    ...{ index: 0, src: 'ch.md:7', fontPx: 12, lineHeightPx: 20, measure: 420, border: 1, pad: col(32 / 3) },
    ...{ widest: col(widest), keep: col(keep), short: col(short), least: col(need.least ?? short) },
  };
}
const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

describe('planTable', () => {
  it('a table whose widest cells fit keeps its size and those widths', () => {
    const p = planTable(table(4, { widest: 80 }));
    expect([p.fits, p.scale]).toEqual(['widest', 1]);
    expect(sum(p.widths)).toBeCloseTo(1, 9);
  });
  it('steps down in half points until numbers and short cells fit: 7 × (55 + 10.67) + 7 px fits at 8 pt', () => {
    const p = planTable(table(7, { widest: 120, keep: 55 }));
    expect(p.fits).toBe('keep');
    expect(p.fontPx * 0.75).toBeCloseTo(8, 9);
    expect(p.lineHeightPx).toBeCloseTo((20 * 8) / 9, 9);
    expect(7 * (55 + 32 / 3) * (8 / 9) + 7).toBeLessThanOrEqual(420);
    expect(7 * (55 + 32 / 3) * (8.5 / 9) + 7).toBeGreaterThan(420);
  });
  it('at the floor the long cells give way, then the gutters halve; then short text cells wrap; then an error', () => {
    const halved = planTable(table(9, { widest: 160, keep: 70, short: 50 }));
    expect([halved.fits, halved.fontPx * 0.75]).toEqual(['keep', 7]);
    expect(halved.pad[0]).toBeCloseTo((32 / 3) * (7 / 9) * 0.5, 9);
    const least = planTable(table(9, { widest: 160, keep: 70, short: 60, least: 45 }));
    expect(least.fits).toBe('least');
    const none = planTable(table(12, { widest: 160, keep: 70, short: 60, least: 45 }));
    expect(none.fits).toBe('none');
    expect(sum(none.widths)).toBeCloseTo(1, 9);
    const [crowded, wide] = tableDiagnostics([least, none]);
    expect(crowded).toMatchObject({ file: 'ch.md', line: 7, column: 1, severity: 'warning', ruleId: 'table-crowded' });
    expect(wide).toMatchObject({ file: 'ch.md', line: 7, severity: 'error', ruleId: 'table-too-wide' });
    expect(wide!.hint).toMatch(/Split the table/);
  });
});
