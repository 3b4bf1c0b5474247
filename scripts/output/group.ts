import { type Diagnostic, formatDiagnostic } from '../diagnostics/diagnostic.js';

/** A short name for the kinds a build of a book with placeholders reports many times. */
const KIND: Record<string, string> = {
  'preflight-fpo': 'FPO placeholder images, not the photos',
  'preflight-page-count': 'page count not a multiple of 4: the imposition adds blank pages',
  'preflight-rgb': 'RGB colour in a press file (the press-pdfx file is the CMYK version)',
  'preflight-resolution': 'images under 300 ppi at their placed size',
};

/** The advice for a whole kind, where each finding's own hint names its own file. */
const KIND_HINT: Record<string, string> = {
  'preflight-fpo': 'Replace each placeholder with the photo of the same name before printing.',
};

const OUTPUT = /[\w.-]+\.(?:pdf|epub)\b/g;

/** The message without the output file and page it starts with ("x-press.pdf page 8: …"). */
const gist = (m: string) => m.replace(/^[\w.-]+\.(?:pdf|epub)(?: page \d+)?: /, '');

function joinSome(items: string[], max = 8): string {
  return items.length > max ? `${items.slice(0, max).join(', ')}, … (${items.length})` : items.join(', ');
}

/** `manuscript/01.md:17, 39, 41`: the lines each source file is pointed at, file by file. */
function sources(ds: Diagnostic[]): string[] {
  const byFile = new Map<string, number[]>();
  for (const d of ds) {
    if (d.line <= 0 || /\.(?:pdf|epub)$/.test(d.file)) continue;
    const lines = byFile.get(d.file) ?? [];
    if (!lines.includes(d.line)) lines.push(d.line);
    byFile.set(d.file, lines);
  }
  return [...byFile].map(([file, lines]) => `${file}:${joinSome(lines.sort((a, b) => a - b).map(String))}`);
}

/** One line for all the diagnostics of one kind: count, what, the pages, the files it points at. */
function groupLine(ruleId: string, ds: Diagnostic[]): string {
  const pages = [...new Set(ds.flatMap((d) => [...d.message.matchAll(/\bpage (\d+)/g)].map((m) => Number(m[1]))))];
  const outputs = [...new Set(ds.flatMap((d) => [...`${d.file} ${d.message}`.matchAll(OUTPUT)].map((m) => m[0])))];
  const parts = [KIND[ruleId] ?? gist(ds[0]!.message)];
  if (pages.length)
    parts.push(`${pages.length > 1 ? 'pages' : 'page'} ${joinSome(pages.sort((a, b) => a - b).map(String))}`);
  const at = sources(ds);
  if (at.length) parts.push(at.join('; '));
  if (outputs.length) parts.push(`in ${joinSome(outputs, 4)}`);
  return `${ds[0]!.severity} ${ruleId} ×${ds.length}: ${parts.join(' · ')}`;
}

/**
 * What a person reads after a build: errors in full; warnings and notes one line per kind (rule id)
 * with a count, the pages and the manuscript lines, and the hint of a one-of-a-kind finding. A kind
 * met once prints as the diagnostic itself. `verbose` lists every diagnostic in full instead.
 * @example groupDiagnostics(result.diagnostics)[0]
 *   // 'warning preflight-fpo ×10: FPO placeholder images, … · pages 8, 10'
 */
export function groupDiagnostics(ds: readonly Diagnostic[], opts: { verbose?: boolean } = {}): string[] {
  if (opts.verbose) return ds.map(formatDiagnostic);
  const out = ds.filter((d) => d.severity === 'error').map(formatDiagnostic);
  const kinds = new Map<string, Diagnostic[]>();
  for (const d of ds) {
    if (d.severity === 'error') continue;
    const key = `${d.severity}\0${d.ruleId}`;
    kinds.set(key, [...(kinds.get(key) ?? []), d]);
  }
  const order = { error: 0, warning: 1, info: 2 };
  const groups = [...kinds.values()].sort((a, b) => order[a[0]!.severity] - order[b[0]!.severity]);
  for (const g of groups) {
    if (g.length === 1) out.push(formatDiagnostic(g[0]!));
    else {
      const hints = [...new Set(g.map((d) => d.hint).filter(Boolean))];
      out.push(groupLine(g[0]!.ruleId, g));
      const hint = hints.length === 1 ? hints[0] : KIND_HINT[g[0]!.ruleId];
      if (hint) out.push(`  hint: ${hint}`);
    }
  }
  return out;
}
