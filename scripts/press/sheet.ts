import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { configPosition } from '../config/load.js';

/** Imposition sheets, landscape, mm. */
export const SHEETS = { A4: { width: 297, height: 210 }, A3: { width: 420, height: 297 } } as const;

/**
 * Two pages side by side must fit on the sheet's trim (landscape); the bleed and marks lie outside it.
 * @example sheetFit({ width: 210, height: 297 }, 'A4') // 'two pages need 420 × 297 mm; …'
 */
export function sheetFit(trim: { width: number; height: number }, sheet: keyof typeof SHEETS): string | undefined {
  const s = SHEETS[sheet];
  const need = { width: 2 * trim.width, height: trim.height };
  if (need.width <= s.width + 0.5 && need.height <= s.height + 0.5) return undefined;
  const bigger = (Object.keys(SHEETS) as (keyof typeof SHEETS)[]).find(
    (k) => 2 * trim.width <= SHEETS[k].width + 0.5 && trim.height <= SHEETS[k].height + 0.5,
  );
  return (
    `the trim (${trim.width} × ${trim.height} mm) does not fit twice on the ${sheet} sheet ` +
    `(${s.width} × ${s.height} mm): two pages side by side need ${need.width} × ${need.height} mm` +
    (bigger ? `; press.sheet: ${bigger} holds them` : '; no sheet Folio imposes on holds them')
  );
}

/**
 * The sheet check as a diagnostic at book.yaml's `press.sheet` (or `trim`) line, before anything is laid out.
 * @example sheetDiagnostic(book.meta, 'book.yaml', text) // undefined when the pages fit
 */
export function sheetDiagnostic(
  meta: { trim: { width: number; height: number }; press: { sheet: keyof typeof SHEETS } },
  file: string,
  yaml: string,
): Diagnostic | undefined {
  const misfit = sheetFit(meta.trim, meta.press.sheet);
  if (!misfit) return undefined;
  const at = configPosition(yaml, ['press', 'sheet']) ?? configPosition(yaml, ['trim']) ?? { line: 1, column: 1 };
  return {
    file,
    ...at,
    severity: 'error',
    message: `Imposition: ${misfit}`,
    ruleId: 'press-sheet',
    hint: 'Set press.sheet in book.yaml to a sheet that holds two pages, or build without --target imposed.',
  };
}
