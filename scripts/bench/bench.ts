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

async function series(
  size: number,
  tool: string,
  cmd: string,
  pdf: string | undefined,
  env?: Record<string, string>,
  beforeEach?: () => void,
): Promise<Row> {
  beforeEach?.();
  await measure(cmd, env); // warm-up: page cache, font caches
  const samples: Sample[] = [];
  const runs = size === Math.max(...SIZES) && SIZES.length > 1 ? LARGE_RUNS : RUNS;
  for (let i = 0; i < runs; i++) {
    beforeEach?.();
    const m = await measure(cmd, env);
    samples.push({ ...m, pages: pdf ? pagesOf(pdf) : 0 });
  }
  const row = {
    size,
    tool,
    runs,
    wall: median(samples.map((s) => s.wall)),
    cpu: median(samples.map((s) => s.cpu)),
    peakMb: median(samples.map((s) => s.peakMb)),
    pages: samples[0]!.pages,
  };
  process.stderr.write(`bench: ${String(size).padStart(3)}× ${tool.padEnd(22)} ${row.wall.toFixed(2)} s\n`);
  return row;
}

/** The booklet HTML as files, for the tools that take an HTML file (same template, same fonts). */
async function exportHtml(manuscript: string, dir: string): Promise<string> {
  const book = buildBook(await loadManuscript(manuscript));
  const bundle = renderHtml(book);
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of bundle.files) {
    // file:// has no origin for the CSP's 'self': drop the policy in this copy
    writeFileSync(
      path.join(dir, name),
      name === 'index.html' ? String(body).replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '') : body,
    );
  }
  mkdirSync(path.join(dir, 'fonts'), { recursive: true });
  for (const [name, make] of bundle.lazy ?? []) writeFileSync(path.join(dir, name), await make());
  for (const m of bundle.mounts) symlinkSync(m.dir, path.join(dir, m.prefix.replace(/\/$/, '')));
  symlinkSync(path.resolve(book.root), path.join(dir, 'm'));
  return path.join(dir, 'index.html');
}

const rows: Row[] = [];
const rebuild: Record<string, number> = {};
for (const size of SIZES) {
  // the seed is copied too: the bench edits its chapter between runs
  const ms = size === 1 ? copySeed(path.join(work, 'seed')) : makeAnthology(size, path.join(work, `anthology-${size}`));
  const out = path.join(work, `out-${size}`);
  const html = await exportHtml(ms, path.join(work, `html-${size}`));
  // exactly what users run: `folio build` (every target, then the check) — the default rows
  const folio = `${process.execPath} bin/folio.js build --manuscript ${ms} --out ${out}`;
  // Cold: Folio's content-keyed cache (CMYK images, font subsets) emptied before every run — a first build.
  const cold = path.join(work, `cache-cold-${size}`);
  rows.push(
    await series(size, 'folio build, cold cache', folio, undefined, { FOLIO_CACHE_DIR: cold }, () =>
      rmSync(cold, { recursive: true, force: true }),
    ),
  );
  // After an edit: the cache kept, one character of the first chapter changed before every run — the
  // desk's everyday rebuild. Text, pages and PDFs change; the photos and most glyphs do not.
  const warm = path.join(work, `cache-warm-${size}`);
  const chapter = path.join(
    ms,
    readdirSync(ms)
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .sort()[0]!,
  );
  const original = readFileSync(chapter, 'utf8');
  let edits = 0;
  const edit = () => writeFileSync(chapter, original.replace('援藏', ++edits % 2 ? '支藏' : '援藏'));
  rows.push(await series(size, 'folio build, after an edit', folio, undefined, { FOLIO_CACHE_DIR: warm }, edit));
  if (size === 1 && values.targets)
    rows.push(
      await series(size, 'folio build --no-check', `${folio} --no-check`, undefined, { FOLIO_CACHE_DIR: warm }, edit),
    );
  writeFileSync(chapter, original);
  if (size === 1 && values.targets) {
    for (const t of ['booklet', 'press', 'press-pdfx', 'imposed', 'epub'])
      rows.push(
        await series(size, `folio --target ${t} -nc`, `${folio} --target ${t} --no-check`, undefined, {
          FOLIO_CACHE_DIR: warm,
        }),
      );
  }
  const booklet = path.join(
    out,
    JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).outputs.find(
      (o: { target: string }) => o.target === 'booklet',
    ).file,
  );
  for (const r of rows) if (r.size === size && r.tool.startsWith('folio')) r.pages = pagesOf(booklet);
  const cliPdf = path.join(work, `pagedjs-cli-${size}.pdf`);
  rows.push(
    await series(
      size,
      'pagedjs-cli (booklet)',
      `${process.execPath} node_modules/pagedjs-cli/src/cli.js ${html} -o ${cliPdf} ` +
        '--browserArgs --no-sandbox,--disable-gpu',
      cliPdf,
      { PUPPETEER_EXECUTABLE_PATH: chromium },
    ),
  );
  const floorPdf = path.join(work, `floor-${size}.pdf`);
  rows.push(
    await series(
      size,
      'chromium print (floor)',
      `${chromium} --headless ${CHROMIUM_ARGS.join(' ')} --no-pdf-header-footer ` +
        `--print-to-pdf=${floorPdf} file://${html}`,
      floorPdf,
    ),
  );
  const p = await startPreview({ manuscript: ms, port: 0 });
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    await p.rebuild();
    times.push(p.lastRebuildMs);
  }
  await p.close();
  rebuild[`${size}x`] = median(times);
}

const get = (size: number, tool: string) => rows.find((r) => r.size === size && r.tool === tool)!;
const ratios = SIZES.flatMap((size) =>
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

const table = [
  'size  tool                         runs  wall s  cpu s  peak MB  pages',
  ...rows.map(
    (r) =>
      `${String(r.size).padStart(3)}×  ${r.tool.padEnd(27)} ${String(r.runs).padStart(4)}  ` +
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
  `preview HTML rebuild (median of 7): ${Object.entries(rebuild)
    .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
    .join(', ')}`,
].join('\n');
process.stdout.write(`${table}\n`);
mkdirSync(path.dirname(values.out!), { recursive: true });
const machine = {
  cpus: (await import('node:os')).cpus().length,
  node: process.version,
  chromium: execFileSync(chromium, ['--version'], { encoding: 'utf8' }).trim(),
};
writeFileSync(
  values.out!,
  `${JSON.stringify({ machine, runs: RUNS, rows, ratios, previewRebuildMs: rebuild }, null, 2)}\n`,
);
rmSync(work, { recursive: true, force: true });

function copySeed(dir: string): string {
  cpSync('manuscript', dir, { recursive: true });
  return dir;
}
