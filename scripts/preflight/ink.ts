import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { forgetTempDir, makeTempDir } from '../output/cleanup.js';
import { MM } from '../render/geometry.js';
import type { TextRun } from './trace.js';

const exec = promisify(execFile);

/** A page's boxes in PDF points (lower-left origin), as pdf-lib reads them. */
export interface PageArea {
  /** The page as MuPDF draws and traces it (its CropBox, else MediaBox): the origin of render and trace. */
  drawn: { x: number; y: number; width: number; height: number };
  /** The printed area: BleedBox, else TrimBox. */
  bleed: { x: number; y: number; width: number; height: number };
  trim: { x: number; y: number; width: number; height: number };
}

/** Text smaller than this must print in one ink (pt). */
export const ONE_INK_BELOW = 12;

export interface SmallTypeProblem {
  page: number;
  glyphs: number;
  inks: string;
  size: number;
  /** First glyph, mm from the trim's top-left. */
  x: number;
  y: number;
  text: string;
}

/** Where a trace position (pt from the drawn page's top-left) lies: mm from the trim's top-left; inside the bleed? */
function locate(area: PageArea, x: number, y: number): { x: number; y: number; printed: boolean } {
  const px = area.drawn.x + x;
  const py = area.drawn.y + area.drawn.height - y;
  const b = area.bleed;
  const printed = px >= b.x && px <= b.x + b.width && py >= b.y && py <= b.y + b.height;
  const t = area.trim;
  return { x: (px - t.x) / MM, y: (t.y + t.height - py) / MM, printed };
}

/**
 * Text under 12 pt drawn in more than one ink, inside the printed area (the slug and marks outside
 * it are in registration colour by design): one entry per page and colour.
 */
export function smallTypeInInks(runs: TextRun[], areas: PageArea[]): SmallTypeProblem[] {
  const found = new Map<string, SmallTypeProblem>();
  for (const r of runs) {
    if (r.size >= ONE_INK_BELOW || r.inks.length < 2) continue;
    const area = areas[r.page - 1];
    if (!area) continue;
    const at = locate(area, r.x, r.y);
    if (!at.printed) continue;
    const key = `${r.page}:${r.inks.join('')}:${r.color.join(' ')}`;
    const seen = found.get(key);
    if (seen) seen.glyphs += r.glyphs;
    else
      found.set(key, {
        page: r.page,
        glyphs: r.glyphs,
        inks: `${r.colorspace} ${r.color.join(' ')}`,
        size: r.size,
        x: at.x,
        y: at.y,
        text: r.text,
      });
  }
  return [...found.values()];
}

export interface InkPeak {
  page: number;
  /** Total area coverage, % (C + M + Y + K). */
  percent: number;
  /** mm from the trim's top-left. */
  x: number;
  y: number;
}

/** Resolution of the coverage render: one sample every ~0.5 mm. */
const TAC_DPI = 50;

/**
 * The highest total area coverage on each page inside its printed area, from a CMYK render
 * (`mutool draw` at 50 dpi, anti-aliased so that a pixel holds the coverage of its 0.5 mm square — a
 * hairline or a clip edge does not count as a solid: each pixel's C + M + Y + K). MuPDF, not
 * Ghostscript: the same peaks within a few per cent (anti-aliasing) at a tenth of the time (128 pages:
 * 0.42 s against 3.6 s); the press files hold DeviceCMYK only and no overprint, so no colour management is
 * involved. `pageAreas` may still be coming: MuPDF renders meanwhile.
 */
export async function inkPeaks(file: string, pageAreas: PageArea[] | Promise<PageArea[]>): Promise<InkPeak[]> {
  const dir = await makeTempDir('folio-ink-');
  try {
    await exec(
      'mutool',
      ['draw', '-q', '-r', String(TAC_DPI), '-c', 'cmyk', '-o', path.join(dir, 'p-%04d.pam'), file],
      {
        maxBuffer: 16 * 2 ** 20,
      },
    );
    // the render starts with the file; the page boxes (pdf-lib, on the main thread) are needed only now
    const areas = await pageAreas;
    const names = (await readdir(dir)).filter((n) => n.endsWith('.pam')).sort();
    const peaks: InkPeak[] = [];
    for (const [i, name] of names.entries()) {
      const area = areas[i];
      if (area) peaks.push({ page: i + 1, ...peakOf(await readFile(path.join(dir, name)), area) });
    }
    return peaks;
  } finally {
    await rm(dir, { recursive: true, force: true });
    forgetTempDir(dir);
  }
}

/** The PAM image's highest C + M + Y + K inside the printed area. */
export function peakOf(pam: Buffer, area: PageArea): { percent: number; x: number; y: number } {
  const end = pam.indexOf('ENDHDR\n');
  const head = pam.subarray(0, end).toString('latin1');
  const width = Number(/WIDTH (\d+)/.exec(head)?.[1]);
  const height = Number(/HEIGHT (\d+)/.exec(head)?.[1]);
  const data = pam.subarray(end + 7);
  const scale = TAC_DPI / 72;
  const b = area.bleed;
  const top = area.drawn.y + area.drawn.height;
  // 1 mm inside the bleed edge: crop marks start exactly there, and a render pixel spills over
  const [x0, x1] = [
    Math.ceil((b.x - area.drawn.x) * scale) + 2,
    Math.floor((b.x + b.width - area.drawn.x) * scale) - 2,
  ];
  const [y0, y1] = [Math.ceil((top - b.y - b.height) * scale) + 2, Math.floor((top - b.y) * scale) - 2];
  let best = { sum: -1, px: 0, py: 0 };
  for (let py = Math.max(0, y0); py < Math.min(height, y1); py++) {
    for (let px = Math.max(0, x0); px < Math.min(width, x1); px++) {
      const o = (py * width + px) * 4;
      const sum = data[o]! + data[o + 1]! + data[o + 2]! + data[o + 3]!;
      if (sum > best.sum) best = { sum, px, py };
    }
  }
  const at = locate(area, best.px / scale, best.py / scale);
  return { percent: Math.round((best.sum / 255) * 100), x: Math.round(at.x), y: Math.round(at.y) };
}
