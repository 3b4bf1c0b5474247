import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { closeBrowser, launchBrowser, newPage } from '../paginate/browser.js';
import { escapeXml } from '../render/escape.js';
import { makeDirs, validateOutDir } from '../output/out-dir.js';

const exec = promisify(execFile);

export interface Proof {
  pages: number;
  /** One PNG per page at `dpi`. */
  pagePngs: string[];
  sheetHtml: string;
  sheetPng: string;
  /** With `against`: the pages that differ (1-based), and each page's share of changed pixels. */
  changed?: number[];
  difference?: number[];
}

/** Renders pages with poppler's pdftoppm: PNG files, or grey PGM buffers for comparison. */
async function render(pdf: string, dir: string, prefix: string, args: string[]): Promise<string[]> {
  await exec('pdftoppm', [...args, pdf, path.join(dir, prefix)], { maxBuffer: 64 * 2 ** 20 });
  return (await readdir(dir))
    .filter((f) => f.startsWith(`${prefix}-`))
    .sort()
    .map((f) => path.join(dir, f));
}

function pgm(buf: Buffer): { w: number; h: number; px: Buffer } {
  const m = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 40).toString('latin1'))!;
  return { w: Number(m[1]), h: Number(m[2]), px: buf.subarray(m[0].length) };
}

/** Share of pixels whose grey level differs by more than a faint anti-aliasing wobble. */
function differ(a: Buffer, b: Buffer): number {
  const x = pgm(a);
  const y = pgm(b);
  if (x.w !== y.w || x.h !== y.h) return 1;
  let n = 0;
  for (let i = 0; i < x.px.length; i++) if (Math.abs(x.px[i]! - y.px[i]!) > 40) n++;
  return n / x.px.length;
}

const esc = escapeXml;

/**
 * `folio proof`: every page as a PNG at 150 dpi, and a contact sheet in spreads (verso | recto) as
 * HTML and PNG. With `against`, pages that differ from the other PDF are marked.
 * @example const p = await makeProof('dist/book.pdf', 'dist/proof', { against: 'old.pdf' }); p.changed
 */
export async function makeProof(
  pdf: string,
  outDir: string,
  opts: { against?: string; dpi?: number; threshold?: number } = {},
): Promise<Proof> {
  await validateOutDir(outDir);
  await makeDirs(outDir);
  for (const f of await readdir(outDir))
    if (/^page-\d+\.png$|^contact-sheet\.(png|html)$|^proof\.json$/.test(f)) await rm(path.join(outDir, f));
  const pagePngs = await render(pdf, outDir, 'page', ['-png', '-r', String(opts.dpi ?? 150)]);

  let changed: number[] | undefined;
  let difference: number[] | undefined;
  if (opts.against) {
    const tmp = await mkdtemp(path.join(tmpdir(), 'folio-proof-'));
    try {
      const mine = await render(pdf, tmp, 'a', ['-gray', '-r', '40']);
      const theirs = await render(opts.against, tmp, 'b', ['-gray', '-r', '40']);
      difference = await Promise.all(
        mine.map(async (f, i) => (theirs[i] ? differ(await readFile(f), await readFile(theirs[i]!)) : 1)),
      );
      changed = difference.map((d, i) => (d > (opts.threshold ?? 0.0002) ? i + 1 : 0)).filter(Boolean);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  // spreads: the first page is a recto alone, then verso | recto pairs, as the booklet opens
  const cells = pagePngs.map((f, i) => ({
    n: i + 1,
    src: path.basename(f),
    changed: changed?.includes(i + 1) ?? false,
  }));
  const html = contactSheet(pdf, cells, changed);
  const sheetHtml = path.join(outDir, 'contact-sheet.html');
  const sheetPng = path.join(outDir, 'contact-sheet.png');
  await writeFile(sheetHtml, html);
  const browser = await launchBrowser();
  try {
    const page = await newPage(browser);
    await page.setViewport({ width: 4 * 300 + 3 * 24 + 32, height: 600 });
    await page.goto(`file://${path.resolve(sheetHtml)}`, { waitUntil: 'load' });
    await writeFile(sheetPng, await page.screenshot({ type: 'png', fullPage: true }));
  } finally {
    await closeBrowser(browser);
  }
  await writeFile(
    path.join(outDir, 'proof.json'),
    `${JSON.stringify(
      {
        pdf,
        against: opts.against ?? null,
        pages: cells.length,
        changed: changed ?? null,
        difference: difference ?? null,
      },
      null,
      2,
    )}\n`,
  );
  return { pages: cells.length, pagePngs, sheetHtml, sheetPng, changed, difference };
}

type Cell = { n: number; src: string; changed: boolean };

/** The contact sheet: the pages in spreads (the cover alone on the right), changed pages outlined. */
function contactSheet(pdf: string, cells: Cell[], changed: number[] | undefined): string {
  const spreads: (Cell | null)[][] = [[null, cells[0]!]];
  for (let i = 1; i < cells.length; i += 2) spreads.push([cells[i]!, cells[i + 1] ?? null]);
  const cell = (c: Cell | null) =>
    c
      ? `<figure class="${c.changed ? 'changed' : ''}"><img src="${esc(c.src)}" alt="page ${c.n}">` +
        `<figcaption>${c.n}${c.changed ? ' · changed' : ''}</figcaption></figure>`
      : '<figure class="empty"></figure>';
  const name = esc(path.basename(pdf));
  const changes = changed ? ` — changed: ${changed.length ? changed.join(', ') : 'none'}` : '';
  const sheet = spreads.map((s) => `<div class="spread">${s.map(cell).join('')}</div>`).join('\n');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Proof — ${name}</title><style>
body{margin:0;padding:16px;background:#6b6b6b;font:12px system-ui,sans-serif;color:#fff}
h1{font-size:14px;margin:0 0 12px}
.sheet{display:grid;grid-template-columns:repeat(4,auto);gap:14px 24px;justify-content:start}
.spread{display:flex;gap:0;box-shadow:0 2px 6px #0006}
figure{margin:0;width:150px;background:#fff;position:relative}
figure img{width:150px;display:block}
figure.empty{background:transparent;box-shadow:none}
figcaption{position:absolute;bottom:-16px;width:100%;text-align:center;color:#eee}
figure.changed{outline:4px solid #e53935;outline-offset:-4px}
figure.changed figcaption{color:#ffcdd2;font-weight:bold}
</style></head><body><h1>${name} — ${cells.length} pages${changes}</h1>
<div class="sheet">${sheet}</div></body></html>`;
}
