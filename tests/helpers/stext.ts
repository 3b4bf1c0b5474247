// Glyph positions and placed images of a PDF, from mupdf (mutool draw -F stext, mutool trace): y grows downwards.
import { execFileSync } from 'node:child_process';

export interface Glyph {
  page: number;
  font: string;
  size: number;
  c: string;
  /** Origin (baseline) and the right edge of the glyph's quad, pt. */
  x: number;
  y: number;
  right: number;
}

const decode = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export function glyphs(pdf: string): Glyph[] {
  const xml = execFileSync('mutool', ['draw', '-F', 'stext', '-o', '-', pdf], {
    encoding: 'utf8',
    maxBuffer: 2 ** 28,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const out: Glyph[] = [];
  let page = 0;
  let font = '';
  let size = 0;
  for (const line of xml.split('\n')) {
    const p = /<page id="page(\d+)"/.exec(line);
    if (p) page = Number(p[1]);
    const f = /<font name="([^"]+)" size="([\d.]+)"/.exec(line);
    if (f) [font, size] = [f[1]!, Number(f[2])];
    const c = /<char quad="([\d.\s-]+)" x="([\d.-]+)" y="([\d.-]+)"[^>]* c="([^"]*)"/.exec(line);
    if (c) {
      const q = c[1]!.trim().split(/\s+/).map(Number);
      out.push({ page, font, size, c: decode(c[4]!), x: Number(c[2]), y: Number(c[3]), right: q[2]! });
    }
  }
  return out;
}

/** Lines of glyphs: same page, same baseline (±0.5 pt), in order. */
export function lines(list: Glyph[]): Glyph[][] {
  const out: Glyph[][] = [];
  for (const g of list) {
    const last = out.at(-1);
    if (last && last[0]!.page === g.page && Math.abs(last[0]!.y - g.y) < 0.5 && g.x >= last.at(-1)!.x) last.push(g);
    else out.push([g]);
  }
  return out;
}

export interface PlacedImage {
  page: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Every image drawn, with its box on the page (mutool trace's fill_image transform). */
export function placedImages(pdf: string): PlacedImage[] {
  const trace = execFileSync('mutool', ['trace', pdf], {
    encoding: 'utf8',
    maxBuffer: 2 ** 28,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const out: PlacedImage[] = [];
  let page = 0;
  for (const line of trace.split('\n')) {
    const p = /<page number="(\d+)"/.exec(line);
    if (p) page = Number(p[1]);
    const m = /<fill_image [^>]*transform="([^"]+)"/.exec(line);
    if (!m) continue;
    const [a, , , d, e, f] = m[1]!.split(/\s+/).map(Number);
    out.push({ page, x0: e!, x1: e! + a!, y0: f!, y1: f! + d! });
  }
  return out;
}
