import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PreflightReport } from '../preflight/preflight.js';

export interface PreflightSummary {
  /** When the report was written (its file's time), as `YYYY-MM-DD HH:MM`. */
  when: string;
  passed: boolean;
  /** The report's verdict where it gives one (e.g. `print-ready`, `proof only`). */
  verdict?: string;
  findings: PreflightReport['findings'];
}

/**
 * The preflight of the last `folio build` (`<dist>/preflight.json`), for the preview's panel; null when
 * there is none or it cannot be read. Imposed sheets are numbered by sheet side, not by book page, so
 * their findings keep the number in the message but carry no page to jump to.
 * @example const p = await readPreflight('dist'); p?.passed
 */
export async function readPreflight(dist: string): Promise<PreflightSummary | null> {
  const file = path.join(dist, 'preflight.json');
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const report = JSON.parse(text) as PreflightReport;
    const findings = report.findings.map((f) =>
      f.target === 'imposed' && f.page ? { ...f, page: undefined, message: `sheet side ${f.page}: ${f.message}` } : f,
    );
    const when = new Date(info.mtimeMs).toISOString().slice(0, 16).replace('T', ' ');
    const { verdict } = report.summary as { verdict?: unknown };
    return { when, passed: report.summary.passed, ...(typeof verdict === 'string' ? { verdict } : {}), findings };
  } catch {
    return null;
  }
}
