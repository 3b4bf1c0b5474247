// What a build prints after it: warnings one line per kind, errors and one-of-a-kind findings in full.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../scripts/diagnostics/diagnostic.js';
import { groupDiagnostics } from '../scripts/output/group.js';

/** The seed's preflight findings: five placeholders in each of two press files, a page count in both. */
function seedFindings(): Diagnostic[] {
  const figures = [
    [17, 8, '01-lake.png'],
    [39, 10, '02-drum.png'],
    [41, 10, '03-greenhouse.png'],
    [43, 11, '04-expo.png'],
    [45, 11, '05-troupe.png'],
  ] as const;
  const out: Diagnostic[] = [];
  for (const file of ['s-press.pdf', 's-press-pdfx.pdf']) {
    for (const [line, page, image] of figures)
      out.push({
        file: 'manuscript/01-feature.md',
        line,
        column: 1,
        severity: 'warning',
        message: `${file} page ${page}: image ${image} (1500 × 1000 px) is an FPO placeholder, not the photo (384 ppi)`,
        ruleId: 'preflight-fpo',
        hint: `Replace ${image} with the real photo before printing.`,
      });
    out.push({
      file,
      line: 0,
      column: 0,
      severity: 'warning',
      message: `${file}: 14 pages is not a multiple of 4: the imposition adds 2 blank pages before the back cover`,
      ruleId: 'preflight-page-count',
    });
  }
  return out;
}

describe('grouped diagnostics', () => {
  it('turns the seed’s 12 warnings (22 lines) into one line per kind with count, pages, lines and files', () => {
    expect(groupDiagnostics(seedFindings())).toEqual([
      'warning preflight-fpo ×10: FPO placeholder images, not the photos · pages 8, 10, 11 · ' +
        'manuscript/01-feature.md:17, 39, 41, 43, 45 · in s-press.pdf, s-press-pdfx.pdf',
      '  hint: Replace each placeholder with the photo of the same name before printing.',
      'warning preflight-page-count ×2: page count not a multiple of 4: the imposition adds blank pages · ' +
        'in s-press.pdf, s-press-pdfx.pdf',
    ]);
  });

  it('lists every diagnostic in full with verbose', () => {
    const all = seedFindings();
    const lines = groupDiagnostics(all, { verbose: true });
    expect(lines).toHaveLength(all.length);
    expect(lines[0]).toBe(
      'manuscript/01-feature.md:17:1 warning s-press.pdf page 8: image 01-lake.png (1500 × 1000 px) is an FPO ' +
        'placeholder, not the photo (384 ppi) preflight-fpo\n' +
        '  hint: Replace 01-lake.png with the real photo before printing.',
    );
  });

  it('prints errors, and a kind met once, as the diagnostic itself; notes after warnings', () => {
    const error: Diagnostic = { file: 'a.md', line: 3, column: 2, severity: 'error', message: 'bad', ruleId: 'x' };
    const note: Diagnostic = { file: 'b.pdf', line: 0, column: 0, severity: 'info', message: 'n', ruleId: 'y' };
    const once: Diagnostic = { ...error, severity: 'warning', ruleId: 'z', hint: 'h' };
    expect(groupDiagnostics([note, once, error])).toEqual([
      'a.md:3:2 error bad x',
      'a.md:3:2 warning bad z\n  hint: h',
      'b.pdf:0:0 info n y',
    ]);
  });

  it('names a kind it has no label for by its first message, without the file and page', () => {
    const d = (page: number): Diagnostic => ({
      file: 'x.pdf',
      line: 0,
      column: 0,
      severity: 'warning',
      message: `x.pdf page ${page}: text outside the safe area`,
      ruleId: 'preflight-safe-area',
    });
    expect(groupDiagnostics([d(3), d(5), d(3)])).toEqual([
      'warning preflight-safe-area ×3: text outside the safe area · pages 3, 5 · in x.pdf',
    ]);
  });
});
