/**
 * `npm run bench [-- --runs 5 --sizes 1,20,100]`: Folio against pagedjs-cli and plain Chromium
 * printing (the floor) on the same machine, for the seed and anthologies of it. Medians over the runs
 * after one warm-up: wall time, CPU time and peak memory of the whole process tree, pages. Writes a
 * table to stdout and bench.json (default dist/bench.json).
 */
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadManuscript } from '../manuscript/load.js';
import { buildBook } from '../model/book.js';
import { descendants } from '../output/cleanup.js';
import { findChromium, CHROMIUM_ARGS } from '../paginate/browser.js';
import { startPreview } from '../preview/server.js';
import { recallPlan } from '../paginate/planned.js';
import { renderHtml } from '../render/html.js';
import { makeAnthology } from '../tools/anthology.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    /** runs at the largest size (default: --runs): 100× takes ~1 min a run */
    'large-runs': { type: 'string' },
    sizes: { type: 'string', default: '1,20,100' },
    out: { type: 'string', default: 'dist/bench.json' },
    targets: { type: 'boolean', default: true },
    /**
     * Another Folio checkout (its own bin/folio.js and node_modules) built beside this one, after the
     * same edits, in the same rounds: before → after at the same moment on a shared machine.
     */
    baseline: { type: 'string' },
    'baseline-sizes': { type: 'string', default: '1,20' },
    /** at the largest size, warm up only the after-an-edit builds (their cache) — 100× takes minutes a run */
    'light-warmup': { type: 'boolean', default: false },
    /** leave out the seed's per-target rows (Node 20's parseArgs has no --no-<flag>) */
    'no-targets': { type: 'boolean', default: false },
    /** only the preview rebuild row, at every size (no builds, no other tools): seconds, not minutes */
    'preview-only': { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(1, Number(values.runs));
const SIZES = values.sizes!.split(',').map(Number);
const LARGE_RUNS = Math.max(1, Number(values['large-runs'] ?? RUNS));
const chromium = findChromium();
const work = mkdtempSync(path.join(tmpdir(), 'folio-bench-'));

interface Sample {
  wall: number;
  cpu: number;
  peakMb: number;
  pages: number;
}
interface Row {
  size: number;
  tool: string;
  runs: number;
  wall: number;
  cpu: number;
  peakMb: number;
  pages: number;
}

/**
 * Runs a command under bash and samples /proc every 200 ms: the tree's summed PSS (shared pages
 * split, so Chromium's many processes are not counted many times over; the peak is reported) and
 * each process's CPU ticks. CPU is the larger of two lower bounds: bash's `times` (user + system of
 * every descendant that was waited for — exact for Folio, whose node reaps Chromium; short for a
 * tool that exits before its browser is reaped) and the last ticks sampled per process (short by up
 * to 200 ms a process). An earlier sampler read /proc every 50 ms and cost the two cores ~10 % of
 * what it measured.
 */
async function measure(
  cmd: string,
  env: Record<string, string> = {},
): Promise<{ wall: number; cpu: number; peakMb: number }> {
  const t0 = performance.now();
  const child = spawn('bash', ['-c', `${cmd} >/dev/null 2>&1; c=$?; times >&3; exit $c`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let times = '';
  child.stdio[3]!.on('data', (d: Buffer) => (times += d.toString()));
  let peak = 0;
  const ticks = new Map<number, number>();
  const sample = () => {
    let pss = 0;
    for (const pid of [child.pid!, ...descendants(child.pid!)]) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks.set(pid, Number(f[11]) + Number(f[12]));
        pss += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
      } catch {
        /* exited between listing and reading */
      }
    }
    peak = Math.max(peak, pss);
  };
  const timer = setInterval(sample, 200);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  clearInterval(timer);
  if (code !== 0) throw new Error(`benchmark command failed (${code}): ${cmd}`);
  // `times`: the shell's own user and system time, then its children's: "0m1.234s 0m0.056s"
  const secs = (t: string) => Number(/(\d+)m/.exec(t)?.[1] ?? 0) * 60 + Number(/m([\d.]+)s/.exec(t)?.[1] ?? 0);
  const children = times.trim().split('\n')[1]?.trim().split(/\s+/) ?? [];
  const waited = children.length === 2 ? secs(children[0]!) + secs(children[1]!) : 0;
  const sampled = [...ticks.values()].reduce((a, b) => a + b, 0) / 100; // USER_HZ
  const cpu = Math.max(waited, sampled);
  return { wall: (performance.now() - t0) / 1000, cpu, peakMb: peak / 1024 / 1024 };
}

const pagesOf = (pdf: string) =>
  Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One command measured at one size: its row's name, the PDF whose pages it reports, what runs before each run. */
interface Contestant {
  tool: string;
  cmd: string;
  pdf?: () => string;
  env?: Record<string, string>;
  beforeEach?: () => void | Promise<void>;
  /** Needs its warm-up to be measured at all (the after-an-edit build fills its cache there). */
  warmUp?: boolean;
}

/**
 * The contestants of one size, interleaved: one warm-up each (page cache, font caches), then round after
 * round of one run of every contestant in turn — on a shared machine a busy minute slows every tool of
 * that round alike, so the ratios stay fair where back-to-back series would not.
 */
async function rounds(size: number, contestants: Contestant[]): Promise<Row[]> {
  const runs = size === Math.max(...SIZES) && SIZES.length > 1 ? LARGE_RUNS : RUNS;
  const samples = contestants.map((): Sample[] => []);
  // --light-warmup at the largest size: only what needs a warm-up for its state gets one (its cache,
  // the exported HTML); the page cache is warm from the sizes before
  const light = values['light-warmup'] && size === Math.max(...SIZES) && SIZES.length > 1;
  for (let round = -1; round < runs; round++)
    for (const [i, c] of contestants.entries()) {
      if (round < 0 && light && !c.warmUp) continue;
      await c.beforeEach?.();
      const m = await measure(c.cmd, c.env);
      if (round >= 0) samples[i]!.push({ ...m, pages: c.pdf ? pagesOf(c.pdf()) : 0 });
      process.stderr.write(`bench: ${String(size).padStart(3)}× ${round < 0 ? 'warm-up' : `run ${round + 1}`} `);
      process.stderr.write(`${c.tool.padEnd(28)} ${m.wall.toFixed(2)} s\n`);
    }
  return contestants.map((c, i) => {
    const s = samples[i]!;
    return {
      size,
      tool: c.tool,
      runs,
      wall: median(s.map((x) => x.wall)),
      cpu: median(s.map((x) => x.cpu)),
      peakMb: median(s.map((x) => x.peakMb)),
      pages: s[0]!.pages,
    };
  });
}

/**
 * The booklet HTML as files, for the tools that take an HTML file (same template, same fonts). The
 * Content-Security-Policy is dropped in this copy: file:// has no origin for its 'self', and its
 * script-src refuses the inline script pagedjs-cli injects (window.PagedPolyfill never defined: its
 * "Cannot read properties of undefined (reading 'on')").
 */
async function exportHtml(manuscript: string, dir: string, cache: string): Promise<string> {
  const book = buildBook(await loadManuscript(manuscript));
  // the page plan Folio's build chose (remembered in its cache): the same booklet, page for page
  process.env.FOLIO_CACHE_DIR = cache;
  const plan = await recallPlan(book);
  delete process.env.FOLIO_CACHE_DIR;
  const bundle = renderHtml(book, undefined, plan);
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of bundle.files)
    writeFileSync(path.join(dir, name), name === 'index.html' ? withoutCsp(String(body)) : body);
  mkdirSync(path.join(dir, 'fonts'), { recursive: true });
  for (const [name, make] of bundle.lazy ?? []) writeFileSync(path.join(dir, name), await make());
  for (const m of bundle.mounts) symlinkSync(m.dir, path.join(dir, m.prefix.replace(/\/$/, '')));
  symlinkSync(path.resolve(book.root), path.join(dir, 'm'));
  return path.join(dir, 'index.html');
}

/** The page without its CSP <meta> (the template spreads it over several lines); refuses to go on if one is left. */
function withoutCsp(html: string): string {
  const out = html.replace(/<meta\s[^>]*http-equiv\s*=\s*"Content-Security-Policy"[^>]*>/gi, '');
  if (/Content-Security-Policy/i.test(out)) throw new Error('bench: the exported HTML still has its CSP');
  return out;
}

const rows: Row[] = [];
const rebuild: Record<string, number> = {};
const notes: string[] = [];
if (values['preview-only']) {
  for (const size of SIZES) {
    const ms =
      size === 1 ? copySeed(path.join(work, 'seed')) : makeAnthology(size, path.join(work, `anthology-${size}`));
    rebuild[`${size}x`] = await previewRebuild(ms);
  }
  process.stdout.write(
    `preview HTML rebuild (median of 7): ${Object.entries(rebuild)
      .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
      .join(', ')}\n`,
  );
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}
for (const size of SIZES) {
  // the seed is copied too: the bench edits its chapter between runs
  const ms = size === 1 ? copySeed(path.join(work, 'seed')) : makeAnthology(size, path.join(work, `anthology-${size}`));
  const out = path.join(work, `out-${size}`);
  const sized = await rounds(size, contestantsOf(size, ms, out, path.join(work, `html-${size}`)));
  const booklet = bookletOf(out);
  for (const r of sized) if (r.tool.startsWith('folio')) r.pages = pagesOf(booklet);
  // the same booklet: pagedjs-cli's PDF must have Folio's page count, or its row compares something else
  const cli = sized.find((r) => r.tool.startsWith('pagedjs-cli'))!;
  const folioPages = pagesOf(booklet);
  notes.push(
    cli.pages === folioPages
      ? `${size}×: pagedjs-cli ${cli.pages} pages = Folio's booklet`
      : `${size}×: PAGES DIFFER: pagedjs-cli ${cli.pages}, Folio's booklet ${folioPages}`,
  );
  rows.push(...sized);
  rebuild[`${size}x`] = await previewRebuild(ms);
  const done = SIZES.slice(0, SIZES.indexOf(size) + 1);
  if (done.length < SIZES.length) process.stderr.write(`bench: so far\n${tableOf(ratiosOf(done))}\n`);
}

/**
 * Every command of one size: Folio's default build (cold, after an edit), the other tools on the same
 * HTML — exported once Folio has built the book (after its warm-up), with the plan it chose.
 */
function contestantsOf(size: number, ms: string, out: string, htmlDir: string): Contestant[] {
  const html = path.join(htmlDir, 'index.html');
  let exported: Promise<string> | undefined;
  const exportOnce = async () => {
    // the book as it stands then (the edits between runs change one character, never the page count)
    exported ??= exportHtml(ms, htmlDir, warm.FOLIO_CACHE_DIR);
    await exported;
  };
  // exactly what users run: `folio build` (every target, then the check) — the default rows
  const folio = `${process.execPath} bin/folio.js build --manuscript ${ms} --out ${out}`;
  // Cold: Folio's content-keyed cache (CMYK images, font subsets) emptied before every run — a first build.
  const cold = path.join(work, `cache-cold-${size}`);
  // After an edit: the cache kept, one character of the first chapter changed before every run — the
  // desk's everyday rebuild. Text, pages and PDFs change; the photos and most glyphs do not.
  const warm = { FOLIO_CACHE_DIR: path.join(work, `cache-warm-${size}`) };
  const chapter = path.join(
    ms,
    readdirSync(ms)
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .sort()[0]!,
  );
  const original = readFileSync(chapter, 'utf8');
  let edits = 0;
  const edit = () => writeFileSync(chapter, original.replace('援藏', ++edits % 2 ? '支藏' : '援藏'));
  const cliPdf = path.join(work, `pagedjs-cli-${size}.pdf`);
  const floorPdf = path.join(work, `floor-${size}.pdf`);
  const perTarget = size === 1 && values.targets && !values['no-targets'];
  return [
    {
      tool: 'folio build, cold cache',
      cmd: folio,
      env: { FOLIO_CACHE_DIR: cold },
      beforeEach: () => rmSync(cold, { recursive: true, force: true }),
    },
    { tool: 'folio build, after an edit', cmd: folio, env: warm, beforeEach: edit, warmUp: true },
    ...baselineOf(size, ms, out, edit),
    ...(perTarget
      ? [
          { tool: 'folio build --no-check', cmd: `${folio} --no-check`, env: warm, beforeEach: edit },
          ...['booklet', 'press', 'press-pdfx', 'imposed', 'epub'].map((t) => ({
            tool: `folio --target ${t} -nc`,
            // an output folder of their own: the default rows' booklet stays for the page count
            cmd: `${folio.replace(` --out ${out}`, ` --out ${out}-${t}`)} --target ${t} --no-check`,
            env: warm,
          })),
        ]
      : []),
    {
      tool: 'pagedjs-cli (booklet)',
      cmd:
        `${process.execPath} node_modules/pagedjs-cli/src/cli.js ${html} -o ${cliPdf} ` +
        '--browserArgs --no-sandbox,--disable-gpu',
      pdf: () => cliPdf,
      env: { PUPPETEER_EXECUTABLE_PATH: chromium },
      beforeEach: exportOnce,
    },
    {
      tool: 'chromium print (floor)',
      cmd:
        // each switch quoted for bash: --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1" has spaces and a *
        `${chromium} --headless ${CHROMIUM_ARGS.map(shellQuote).join(' ')} --no-pdf-header-footer ` +
        `--print-to-pdf=${floorPdf} file://${html}`,
      pdf: () => floorPdf,
    },
  ];
}

/** `--baseline DIR`: the default build of another checkout, after the same edit, at the sizes asked for. */
function baselineOf(size: number, ms: string, out: string, edit: () => void): Contestant[] {
  if (!values.baseline || !values['baseline-sizes']!.split(',').map(Number).includes(size)) return [];
  const bin = path.resolve(values.baseline, 'bin/folio.js');
  return [
    {
      tool: 'baseline build, after an edit',
      cmd: `${process.execPath} ${bin} build --manuscript ${ms} --out ${out}-baseline`,
      env: { FOLIO_CACHE_DIR: path.join(work, `cache-baseline-${size}`) },
      beforeEach: edit,
      warmUp: true,
    },
  ];
}

/** The booklet the default `folio build` left in its output folder. */
function bookletOf(out: string): string {
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
    outputs: { target: string; file: string }[];
  };
  return path.join(out, manifest.outputs.find((o) => o.target === 'booklet')!.file);
}

/**
 * `folio preview`'s HTML rebuild after a one-character edit, median of 7: what a user gets on a save. The
 * chapter is edited on disk and the server's own watcher starts the rebuild (the time is the one the
 * server logs and the page shows, from the rebuild's start to its reload event; the watcher's settle
 * time before it, ~70 ms, is not in it). Calling rebuild() with nothing changed measured a rebuild of an
 * unchanged book instead.
 */
async function previewRebuild(ms: string): Promise<number> {
  const chapter = path.join(
    ms,
    readdirSync(ms)
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .sort()[0]!,
  );
  const original = readFileSync(chapter, 'utf8');
  let rebuilt: (() => void) | undefined;
  const log = (line: string) => {
    if (/^(rebuilt|kept the last good book) in \d+ ms$/.test(line)) rebuilt?.();
  };
  const p = await startPreview({ manuscript: ms, port: 0, log });
  const times: number[] = [];
  try {
    for (let i = 0; i < 7; i++) {
      const done = new Promise<void>((resolve) => (rebuilt = resolve));
      // one character of the first chapter, as the builds' edit: 援 ↔ 支, never the same text twice running
      writeFileSync(chapter, i % 2 ? original : original.replace(/援藏|支藏/, (m) => (m === '援藏' ? '支藏' : '援藏')));
      await done;
      times.push(p.lastRebuildMs);
    }
  } finally {
    await p.close();
    writeFileSync(chapter, original);
  }
  return median(times);
}

function get(size: number, tool: string): Row {
  return rows.find((r) => r.size === size && r.tool === tool)!;
}
function ratiosOf(sizes: number[]) {
  return sizes.flatMap((size) =>
    ['folio build, after an edit', 'folio build, cold cache'].map((tool) => {
      const f = get(size, tool);
      const cli = get(size, 'pagedjs-cli (booklet)');
      const floor = get(size, 'chromium print (floor)');
      return {
        size,
        build: tool.replace('folio build, ', ''),
        pages: f.pages,
        folioOverPagedjsCli: f.wall / cli.wall,
        folioOverFloor: f.wall / floor.wall,
        secondsPerPage: f.wall / f.pages,
        peakMb: f.peakMb,
      };
    }),
  );
}

/** The table of the sizes measured so far (printed after each size: a long bench is never lost). */
function tableOf(ratios: ReturnType<typeof ratiosOf>): string {
  return [
    'size  tool                          runs  wall s  cpu s  peak MB  pages',
    ...rows.map(
      (r) =>
        `${String(r.size).padStart(3)}×  ${r.tool.padEnd(28)} ${String(r.runs).padStart(4)}  ` +
        `${r.wall.toFixed(2).padStart(6)}  ${r.cpu.toFixed(2).padStart(5)}  ${r.peakMb.toFixed(0).padStart(7)}  ` +
        `${String(r.pages || '-').padStart(5)}`,
    ),
    '',
    'size  build          pages  folio/pagedjs-cli  folio/floor  s/page  peak MB',
    ...ratios.map(
      (r) =>
        `${String(r.size).padStart(3)}×  ${r.build.padEnd(13)} ${String(r.pages).padStart(5)}  ` +
        `${r.folioOverPagedjsCli.toFixed(2).padStart(17)}  ${r.folioOverFloor.toFixed(2).padStart(11)}  ` +
        `${r.secondsPerPage.toFixed(3).padStart(6)}  ${r.peakMb.toFixed(0).padStart(7)}`,
    ),
    '',
    ...notes,
    `preview HTML rebuild (median of 7): ${Object.entries(rebuild)
      .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
      .join(', ')}`,
  ].join('\n');
}

const ratios = ratiosOf(SIZES);
process.stdout.write(`${tableOf(ratios)}\n`);
mkdirSync(path.dirname(values.out!), { recursive: true });
const machine = {
  cpus: (await import('node:os')).cpus().length,
  node: process.version,
  chromium: execFileSync(chromium, ['--version'], { encoding: 'utf8' }).trim(),
};
const report = { machine, runs: RUNS, largeRuns: LARGE_RUNS, rows, ratios, notes, previewRebuildMs: rebuild };
writeFileSync(values.out!, `${JSON.stringify(report, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });

function shellQuote(arg: string): string {
  return /^[\w=,./:-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function copySeed(dir: string): string {
  cpSync('manuscript', dir, { recursive: true });
  return dir;
}
