import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { convert } from 'fontverter';
import {
  clip,
  cmyk,
  endPath,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  type PDFDocument,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib';
import type { Rect } from '../pdf/boxes.js';
import { MM } from '../render/geometry.js';

const require = createRequire(import.meta.url);

/** Registration colour: full coverage of all four process inks, so marks show on every plate. */
export const REGISTRATION = cmyk(1, 1, 1, 1);
/** Marks start at the bleed edge and run 5 mm outward; the slug sits beyond them. */
export const MARK = { offset: 3 * MM, length: 5 * MM, area: 13 * MM, stroke: 0.25 };

/**
 * The slug font: Noto Sans SC's Latin slice (pinned npm file), embedded as a subset — never a non-embedded
 * base-14 font.
 */
export async function embedSlugFont(doc: PDFDocument): Promise<PDFFont> {
  doc.registerFontkit(fontkit);
  return doc.embedFont(await slugFont(), { subset: true });
}

let sfnt: Promise<Buffer> | undefined;

/**
 * The slug font as TrueType: fontkit inflates a WOFF's tables again at every glyph it reads (~0.1 s of a
 * build's press and imposition), so the WOFF is unpacked once (fontverter, the subsetter's converter).
 */
const slugFont = () => {
  const dir = path.join(path.dirname(require.resolve('@fontsource/noto-sans-sc/package.json')), 'files');
  sfnt ??= convert(readFileSync(path.join(dir, 'noto-sans-sc-latin-400-normal.woff')), 'sfnt', 'woff');
  return sfnt;
};

/** Crop marks at the four corners of `trim`, outside the bleed. */
export function drawCropMarks(page: PDFPage, trim: Rect, offset = MARK.offset): void {
  const [x0, y0, x1, y1] = trim;
  const { length, stroke } = MARK;
  const line = (ax: number, ay: number, bx: number, by: number) =>
    page.drawLine({ start: { x: ax, y: ay }, end: { x: bx, y: by }, thickness: stroke, color: REGISTRATION });
  for (const y of [y0, y1]) {
    line(x0 - offset - length, y, x0 - offset, y);
    line(x1 + offset, y, x1 + offset + length, y);
  }
  for (const x of [x0, x1]) {
    line(x, y0 - offset - length, x, y0 - offset);
    line(x, y1 + offset, x, y1 + offset + length);
  }
}

/** A registration target (circle and cross) centred at (cx, cy). */
export function drawRegistration(page: PDFPage, cx: number, cy: number, r = 2 * MM): void {
  page.drawCircle({ x: cx, y: cy, size: r * 0.6, borderColor: REGISTRATION, borderWidth: MARK.stroke });
  page.drawLine({
    start: { x: cx - r, y: cy },
    end: { x: cx + r, y: cy },
    thickness: MARK.stroke,
    color: REGISTRATION,
  });
  page.drawLine({
    start: { x: cx, y: cy - r },
    end: { x: cx, y: cy + r },
    thickness: MARK.stroke,
    color: REGISTRATION,
  });
}

/** Registration targets at the middle of each side of `trim`, in the mark zone. */
export function drawRegistrationMarks(page: PDFPage, trim: Rect, offset = MARK.offset): void {
  const [x0, y0, x1, y1] = trim;
  const d = offset + MARK.length / 2;
  drawRegistration(page, (x0 + x1) / 2, y1 + d);
  drawRegistration(page, (x0 + x1) / 2, y0 - d);
  drawRegistration(page, x0 - d, (y0 + y1) / 2);
  drawRegistration(page, x1 + d, (y0 + y1) / 2);
}

/**
 * A colour bar: solids of each process ink, their 50 % tints, C+M+Y, and K at 25/50/75 %, in 4 mm
 * patches from (x, y) rightwards; it shows the press operator each plate's density.
 */
export const COLOUR_BAR: [number, number, number, number][] = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
  [0.5, 0, 0, 0],
  [0, 0.5, 0, 0],
  [0, 0, 0.5, 0],
  [1, 1, 1, 0],
  [0, 0, 0, 0.25],
  [0, 0, 0, 0.5],
  [0, 0, 0, 0.75],
];

export function drawColourBar(page: PDFPage, x: number, y: number, size = 4 * MM): void {
  for (const [i, [c, m, yy, k]] of COLOUR_BAR.entries())
    page.drawRectangle({ x: x + i * size, y, width: size, height: size, color: cmyk(c, m, yy, k) });
}

export function drawSlug(page: PDFPage, text: string, x: number, y: number, font: PDFFont): void {
  page.drawText(text, { x, y, size: 6, font, color: REGISTRATION });
}

/** Clips everything already on the page to `rect` (e.g. the bleed box), so nothing spills into the marks. */
export function clipContent(doc: PDFDocument, page: PDFPage, rect: Rect): void {
  const [x0, y0, x1, y1] = rect;
  const start = doc.context.register(
    doc.context.contentStream([pushGraphicsState(), rectangle(x0, y0, x1 - x0, y1 - y0), clip(), endPath()]),
  );
  const end = doc.context.register(doc.context.contentStream([popGraphicsState()]));
  page.node.wrapContentStreams(start, end);
}
