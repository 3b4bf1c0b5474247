import { MM } from '../render/geometry.js';

export type Rect = [x0: number, y0: number, x1: number, y1: number];

export interface PageRects {
  trim: Rect;
  bleed: Rect;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Where trim and bleed lie on a page Chromium printed at trim + 2 × bleed. Anchored at the top-left
 * corner, where Chromium starts drawing (its page sizes are rounded to whole CSS pixels).
 * @example pageRects(612, { width: 148, height: 210 }, 3).trim // [8.504, 8.22, 428.031, 603.496]
 */
export function pageRects(pageHeight: number, trimMm: { width: number; height: number }, bleedMm: number): PageRects {
  const b = bleedMm * MM;
  const w = trimMm.width * MM;
  const h = trimMm.height * MM;
  const top = pageHeight - b;
  return {
    trim: [r3(b), r3(top - h), r3(b + w), r3(top)],
    bleed: [0, r3(top - h - b), r3(w + 2 * b), r3(pageHeight)],
  };
}

export const grow = (r: Rect, d: number): Rect => [r3(r[0] - d), r3(r[1] - d), r3(r[2] + d), r3(r[3] + d)];
