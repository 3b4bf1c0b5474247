import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { createMarkdown } from '../markdown/md.js';
import { attr } from '../markdown/token.js';
import { type Diagnostic, Reporter } from '../diagnostics/diagnostic.js';
import { confine, escapeMessage } from '../manuscript/confine.js';
import { displayPath } from '../manuscript/load.js';
import { resolveInside } from '../manuscript/paths.js';
import { writeAtomic } from '../output/write.js';
import { FPO_KEY, FPO_VALUE, withJpegComment, withPngText } from '../manuscript/png.js';
import { closeBrowser, launchBrowser, newPage } from '../paginate/browser.js';
import { ORIGIN, serveBundle } from '../paginate/serve.js';
import { sliceFontCss } from '../render/fonts.js';
import { computeGeometry } from '../render/geometry.js';
import { escapeXml } from '../render/escape.js';
import { makeDirs } from '../output/out-dir.js';

export interface PlaceholderSpec {
  file: string;
  caption: string;
  index: number;
  /** Pixels; 3:2 like a press photo, ≥ 300 ppi at the text-block width. */
  width: number;
  height: number;
}

const esc = escapeXml;

function placeholderHtml(spec: PlaceholderSpec): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="stylesheet" href="fonts.css"><style>
html,body{margin:0;width:${spec.width}px;height:${spec.height}px;overflow:hidden}
body{background:#d9dee3;font-family:'Noto Sans SC',sans-serif;position:relative;color:#3b4650}
svg{position:absolute;inset:0}
.box{position:absolute;left:8%;right:8%;top:50%;transform:translateY(-50%);text-align:center;\
background:rgba(255,255,255,.86);padding:48px 40px;border:4px solid #3b4650}
.fpo{font-size:120px;font-weight:900;letter-spacing:.1em;line-height:1;color:#9b2c1f}
.tbd{font-size:64px;font-weight:700;margin:24px 0 28px;letter-spacing:.3em}
.cap{font-size:40px;line-height:1.5;margin:0}
.meta{position:absolute;right:24px;bottom:16px;font-size:28px;color:#5d6b76}
</style></head><body>
<svg width="${spec.width}" height="${spec.height}">\
<line x1="0" y1="0" x2="${spec.width}" y2="${spec.height}" stroke="#aab4bd" stroke-width="6"/>\
<line x1="${spec.width}" y1="0" x2="0" y2="${spec.height}" stroke="#aab4bd" stroke-width="6"/></svg>
<div class="box"><div class="fpo">FPO</div><div class="tbd">图片待补</div><p class="cap">${esc(spec.caption)}</p></div>
<div class="meta">图 ${spec.index} · ${spec.width}×${spec.height} px · 3:2 · 替换本文件即换上照片</div>
</body></html>`;
}

/** Renders one honest placeholder PNG: FPO, 图片待补, the caption, at a photo's aspect ratio. */
export async function renderPlaceholder(browser: Browser, spec: PlaceholderSpec): Promise<Buffer> {
  const page = await newPage(browser);
  try {
    const fonts = sliceFontCss();
    const bundle = {
      entry: 'index.html',
      files: new Map([
        ['index.html', placeholderHtml(spec)],
        ['fonts.css', fonts.css],
      ]),
      mounts: fonts.mounts,
      geometry: computeGeometry({ width: 148, height: 210 }),
    };
    await serveBundle(page, bundle, fonts.mounts);
    await page.setViewport({ width: spec.width, height: spec.height, deviceScaleFactor: 1 });
    await page.goto(ORIGIN + 'index.html', { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);
    // the bytes match the file's name: a real JPEG for .jpg (PNG bytes there would be refused by the build)
    const type = placeholderType(spec.file);
    const shot = Buffer.from(
      await page.screenshot({ type, omitBackground: false, ...(type === 'png' ? {} : { quality: 90 }) }),
    );
    if (type === 'png') return withPngText(shot, FPO_KEY, FPO_VALUE);
    return type === 'jpeg' ? withJpegComment(shot, `${FPO_KEY}: ${FPO_VALUE}`) : shot;
  } finally {
    await page.close();
  }
}

const TYPES: Record<string, 'png' | 'jpeg' | 'webp'> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
};

/** The image type a placeholder is written as, from its name; undefined for one Folio cannot write. */
function placeholderType(file: string): 'png' | 'jpeg' | 'webp' {
  return TYPES[path.extname(file).toLowerCase()] ?? 'png';
}

/** The figures of a manuscript's chapters as placeholder specs, each with the place that names it. */
async function figureSpecs(root: string): Promise<(PlaceholderSpec & { where: Omit<Diagnostic, 'severity'> })[]> {
  const md = createMarkdown();
  const specs: (PlaceholderSpec & { where: Omit<Diagnostic, 'severity'> })[] = [];
  // read the chapters directly: the manuscript loader would refuse the missing images we are here to make
  const { loadManuscriptText } = await import('../manuscript/load.js');
  for (const ch of await loadManuscriptText(root)) {
    for (const t of md.parse(ch.text, {})) {
      for (const c of t.children ?? []) {
        if (c.type !== 'image') continue;
        const src = attr(c, 'src') ?? '';
        const r = resolveInside(root, src);
        const line = (t.map?.[0] ?? 0) + 1;
        const column = Math.max(1, (ch.text.split('\n')[line - 1] ?? '').indexOf(src) + 1);
        if (r.ok)
          specs.push({
            file: r.path,
            caption: attr(c, 'title') ?? c.content,
            index: specs.length + 1,
            width: 1500,
            height: 1000,
            where: { file: ch.display, line, column, message: `Image ${src}`, ruleId: '' },
          });
      }
    }
  }
  return specs;
}

/**
 * Writes an FPO placeholder for every figure image that is missing (or all with `all`); returns the files.
 * Writes only where the real path (after symlinks) is inside the manuscript and never through a dangling
 * symlink: otherwise nothing is written and the error names the figure (`path-symlink-escape`).
 */
export async function makePlaceholders(dir: string, opts: { all?: boolean } = {}): Promise<string[]> {
  const root = path.resolve(dir);
  const specs = await figureSpecs(root);
  const reporter = new Reporter();
  const todo: PlaceholderSpec[] = [];
  for (const s of specs) {
    const c = confine(root, s.file, { write: true });
    if (!c.ok) reporter.error({ ...s.where, ...escapeMessage(s.where.message, c, displayPath(root)) });
    else if (!TYPES[path.extname(s.file).toLowerCase()])
      reporter.error({
        ...s.where,
        message:
          `${s.where.message}: Folio writes placeholders as PNG, JPEG or WebP, ` +
          `not ${path.extname(s.file) || 'a file without extension'}`,
        ruleId: 'placeholder-type',
        hint: 'Name the image .png or .jpg in the chapter, then run folio placeholders again.',
      });
    else if (opts.all || !c.exists) todo.push({ ...s, file: c.path });
  }
  reporter.throwIfErrors();
  if (!todo.length) return [];
  const browser = await launchBrowser();
  try {
    for (const s of todo) {
      await makeDirs(path.dirname(s.file));
      await writeAtomic(s.file, await renderPlaceholder(browser, s));
    }
  } finally {
    await closeBrowser(browser);
  }
  return todo.map((s) => path.relative(process.cwd(), s.file));
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  for (const f of await makePlaceholders(process.argv[2] ?? 'manuscript', { all: true })) console.log(`wrote ${f}`);
}
