import type { ManifestEntry } from './write.js';

/** Which build stage makes each target (the shared layout stages are reported on their own). */
const TARGET_STAGES: Record<string, string[]> = {
  booklet: ['pdf'],
  press: ['press'],
  'press-pdfx': ['press-pdfx'],
  imposed: ['imposed'],
  epub: ['epub-html', 'epub'],
};
const SHARED = ['tools', 'manuscript', 'model', 'lint', 'html', 'browser', 'paginate', 'preflight', 'write'];

/**
 * Progress for a build: on a terminal one line per stage that updates in place while Paged.js lays
 * out pages; on CI or a pipe, plain lines.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr) {
  const tty = !!stream.isTTY && !process.env.CI;
  let live = false;
  const clear = () => {
    if (live) stream.write('\r\x1b[2K');
    live = false;
  };
  return {
    tty,
    log(line: string) {
      clear();
      stream.write(`folio: ${line}\n`);
    },
    page(n: number) {
      if (!tty) {
        if (n % 50 === 0) stream.write(`folio: paginate   ${n} pages laid out\n`);
        return;
      }
      stream.write(`\r\x1b[2Kfolio: paginate   page ${n}…`);
      live = true;
    },
    done: clear,
  };
}

/** The closing table: target, file, pages, size, time. */
export function summaryTable(
  outputs: ManifestEntry[],
  timings: { stage: string; ms: number }[],
  outDir: string,
): string {
  const ms = (stages: string[]) => timings.filter((t) => stages.includes(t.stage)).reduce((s, t) => s + t.ms, 0);
  const rows = outputs.map((o) => [
    o.target,
    `${outDir}/${o.file}`,
    String(o.pages ?? '-'),
    `${(o.bytes / 1024).toFixed(0)} KiB`,
    `${(ms(TARGET_STAGES[o.target] ?? []) / 1000).toFixed(2)} s`,
  ]);
  rows.push(['(shared)', 'tools, load, lint, layout, preflight, write', '', '', `${(ms(SHARED) / 1000).toFixed(2)} s`]);
  const head = ['target', 'file', 'pages', 'size', 'time'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
