import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { fromDataSrc } from '../diagnostics/position.js';
import { loadManuscript } from '../manuscript/load.js';
import { buildBook } from '../model/book.js';
import { closeBrowser, launchBrowser } from '../paginate/browser.js';
import { paginate } from '../paginate/paginate.js';
import { glyphDiagnostics } from '../fonts/coverage.js';
import { renderHtml } from '../render/html.js';
import type { TypoStats } from './analyze.js';
import type { LayoutStats } from './measure.js';

export interface TypographyReport {
  stats: TypoStats & LayoutStats;
  counts: Record<string, number>;
  findings: (Diagnostic & { page: number })[];
}

/**
 * Lays the booklet out and measures its lines: `folio check --typography`.
 * @example const r = await checkTypography('manuscript'); r.counts['line-start-prohibited'] ?? 0
 */
export async function checkTypography(
  manuscriptDir: string,
  opts: { stretchEm?: number; timeoutMs?: number } = {},
): Promise<TypographyReport> {
  const manuscript = await loadManuscript(manuscriptDir);
  const book = buildBook(manuscript);
  manuscript.diagnostics.throwIfErrors();
  const bundle = renderHtml(book);
  for (const d of glyphDiagnostics(bundle.usage!, [...manuscript.chapters, manuscript.configFile]))
    manuscript.diagnostics.add(d);
  manuscript.diagnostics.throwIfErrors();
  const browser = await launchBrowser();
  try {
    const p = await paginate(bundle, book, browser, {
      timeoutMs: opts.timeoutMs,
      typography: { stretchEm: opts.stretchEm ?? 0.25, gridPt: bundle.geometry.line },
    });
    const t = p.typography!;
    const findings = t.findings.map((f) => {
      return {
        ...fromDataSrc(f.src),
        column: f.offset,
        severity: f.severity,
        ruleId: f.ruleId,
        message: `p. ${f.page}: ${f.message}`,
        page: f.page,
      };
    });
    const counts: Record<string, number> = {};
    for (const f of findings) counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1;
    return { stats: t.stats, counts, findings };
  } finally {
    await closeBrowser(browser);
  }
}
