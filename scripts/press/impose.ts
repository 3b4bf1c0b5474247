import { PDFArray, PDFDocument, PDFName, PDFObjectCopier, type PDFPage } from 'pdf-lib';
import type { BookMeta } from '../model/book.js';
import type { PageInfo } from '../paginate/paginate.js';
import { grow, type Rect } from '../pdf/boxes.js';
import { applyInfo } from '../pdf/finish.js';
import { MM } from '../render/geometry.js';
import {
  drawColourBar,
  drawCropMarks,
  drawRegistration,
  drawSlug,
  embedSlugFont,
  MARK,
  REGISTRATION,
} from './marks.js';
import { setBox } from './press.js';
import { SHEETS, sheetFit } from './sheet.js';
import { saveDeflated } from '../pdf/zlib.js';

export interface Imposition {
  data: Uint8Array;
  /** Booklet page numbers in reading order after padding; 0 = an added blank page. */
  sequence: number[];
  /** [left, right] booklet page numbers per sheet side, printer's order (front, back, front, back …). */
  sides: [number, number][];
  blanksAdded: number;
  sheets: number;
}

/**
 * Saddle-stitch imposition, 2-up, of the CMYK PDF/X (its colours are the printer's): for n pages
 * (a multiple of 4) sheet k carries n−2k | 1+2k on the front and 2+2k | n−1−2k on the back. Each
 * page keeps its outer bleed and is cut at the spine; creep moves the pages of inner sheets towards
 * the spine by `creep` mm per sheet. Crop, fold and registration marks and a colour bar lie outside
 * the sheet's trim; the PDF/X's OutputIntent is carried over.
 * @example (await impose(pdfx, meta, pages, 'x.pdf', 'Folio')).sides // [[8,1],[2,7],[6,3],[4,5]] for 8 pages
 */
export async function impose(
  pdfx: Uint8Array,
  meta: BookMeta,
  pages: Pick<PageInfo, 'number' | 'name'>[],
  fileName: string,
  creator: string,
): Promise<Imposition> {
  const misfit = sheetFit(meta.trim, meta.press.sheet);
  if (misfit) throw new Error(misfit);
  const sequence = paddedSequence(pages);
  const n = sequence.length;
  const sides = saddleSides(sequence);

  const src = await PDFDocument.load(pdfx, { updateMetadata: false });
  const doc = await PDFDocument.create({ updateMetadata: false });
  applyInfo(doc, meta, { creator, subject: `${meta.title} — saddle-stitch imposition, ${n / 4} sheets` });
  copyOutputIntents(src, doc);
  const font = await embedSlugFont(doc);
  const geo = sheetGeometry(meta);
  // Every page is embedded in one call: pdf-lib then copies shared resources (the fonts) once.
  // Page by page, each copy carried its own fonts: 618 pages made a 125 MB file instead of ~5 MB.
  const placements = placePages(src, sides, meta.press.creep * MM);
  const embedded = await doc.embedPages(
    placements.map((p) => p.srcPage),
    placements.map((p) => p.box),
  );
  const date = meta.buildDate.toISOString().slice(0, 10);
  for (const [i, [left, right]] of sides.entries()) {
    const sheet = Math.floor(i / 2);
    const creep = meta.press.creep * MM * sheet;
    const page = doc.addPage([geo.trim[2] + geo.area, geo.trim[3] + geo.area]);
    setBox(doc, page, 'TrimBox', geo.trim);
    setBox(doc, page, 'BleedBox', grow(geo.trim, geo.bleed));
    for (const [k, p] of placements.entries()) {
      if (p.side !== i) continue;
      const y = geo.trim[1] + (geo.trim[3] - geo.trim[1] - (p.trim[3] - p.trim[1])) / 2 - (p.trim[1] - p.box.bottom);
      const x = p.at === 'left' ? geo.spine - (p.box.right - p.box.left) : geo.spine;
      page.drawPage(embedded[k]!, { x, y });
    }
    drawSheetMarks(page, geo);
    const side = i % 2 ? 'back' : 'front';
    const shift = creep ? `   creep ${(creep / MM).toFixed(2)} mm` : '';
    const label =
      `${fileName}   ${date}   sheet ${sheet + 1} of ${n / 4} ${side}   ` +
      `pages ${left || 'blank'} | ${right || 'blank'}${shift}   ${creator}`;
    drawSlug(page, label, geo.trim[0], 2.5 * MM, font);
  }
  return {
    data: await saveDeflated(doc, { useObjectStreams: false }),
    sequence,
    sides,
    blanksAdded: n - pages.length,
    sheets: n / 4,
  };
}

interface SheetGeometry {
  trim: Rect;
  spine: number;
  bleed: number;
  offset: number;
  area: number;
}

function sheetGeometry(meta: BookMeta): SheetGeometry {
  const sheetMm = SHEETS[meta.press.sheet];
  const bleed = meta.press.bleed * MM;
  const offset = Math.max(MARK.offset, bleed);
  const area = offset + MARK.area - MARK.offset;
  const trim: Rect = [area, area, area + sheetMm.width * MM, area + sheetMm.height * MM];
  return { trim, spine: (trim[0] + trim[2]) / 2, bleed, offset, area };
}

interface Placement {
  side: number;
  srcPage: PDFPage;
  box: { left: number; bottom: number; right: number; top: number };
  trim: Rect;
  at: 'left' | 'right';
}

/** Which part of which PDF/X page goes where: its own TrimBox and BleedBox, cut at the spine less the creep. */
function placePages(src: PDFDocument, sides: [number, number][], creepStep: number): Placement[] {
  return sides.flatMap(([left, right], i) => {
    const creep = creepStep * Math.floor(i / 2);
    const both: [number, 'left' | 'right'][] = [
      [left, 'left'],
      [right, 'right'],
    ];
    return both
      .filter(([num]) => num !== 0)
      .map(([num, at]) => {
        const srcPage = src.getPage(num - 1);
        const trim = rectOf(srcPage, 'TrimBox');
        const bleed = rectOf(srcPage, 'BleedBox');
        // keep the outer, top and bottom bleed; cut at the spine (less the creep shift)
        const box =
          at === 'left'
            ? { left: bleed[0], bottom: bleed[1], right: trim[2] - creep, top: bleed[3] }
            : { left: trim[0] + creep, bottom: bleed[1], right: bleed[2], top: bleed[3] };
        return { side: i, srcPage, box, trim, at };
      });
  });
}

function rectOf(page: PDFPage, name: 'TrimBox' | 'BleedBox'): Rect {
  const r = page.node.lookup(PDFName.of(name), PDFArray).asRectangle();
  return [r.x, r.y, r.x + r.width, r.y + r.height];
}

/** The printer's condition travels with the sheets (a RIP reads it from the OutputIntents of the file). */
function copyOutputIntents(src: PDFDocument, doc: PDFDocument): void {
  const intents = src.catalog.get(PDFName.of('OutputIntents'));
  if (!intents) return;
  doc.catalog.set(PDFName.of('OutputIntents'), PDFObjectCopier.for(src.context, doc.context).copy(intents));
}

/** Crop marks at the sheet's corners, fold marks at the spine, registration targets, a colour bar. */
function drawSheetMarks(page: PDFPage, geo: SheetGeometry): void {
  const [x0, y0, x1, y1] = geo.trim;
  drawCropMarks(page, geo.trim, geo.offset);
  for (const [a, b] of [
    [y1 + geo.offset, y1 + geo.offset + MARK.length],
    [y0 - geo.offset - MARK.length, y0 - geo.offset],
  ]) {
    page.drawLine({
      start: { x: geo.spine, y: a! },
      end: { x: geo.spine, y: b! },
      thickness: MARK.stroke,
      color: REGISTRATION,
      dashArray: [2, 1.5],
    });
  }
  // registration targets: mid-side left and right, at a quarter of the width top and bottom (the spine has the fold)
  const d = geo.offset + MARK.length / 2;
  drawRegistration(page, x0 - d, (y0 + y1) / 2);
  drawRegistration(page, x1 + d, (y0 + y1) / 2);
  drawRegistration(page, x0 + (x1 - x0) / 4, y1 + d);
  drawRegistration(page, x0 + (3 * (x1 - x0)) / 4, y0 - d);
  drawColourBar(page, geo.spine + 8 * MM, y1 + geo.offset);
}

/** Reading order padded to a multiple of 4; blanks (0) go before the back cover, else at the end. */
export function paddedSequence(pages: Pick<PageInfo, 'number' | 'name'>[]): number[] {
  const nums = pages.map((p) => p.number);
  const blanks = (4 - (nums.length % 4)) % 4;
  const fill = Array<number>(blanks).fill(0);
  return pages.at(-1)?.name === 'back' ? [...nums.slice(0, -1), ...fill, nums.at(-1)!] : [...nums, ...fill];
}

/**
 * Printer's order for one saddle-stitched signature: [left, right] of each sheet side, front then back.
 * @example saddleSides([1, 2, 3, 4, 5, 6, 7, 8]) // [[8, 1], [2, 7], [6, 3], [4, 5]]
 */
export function saddleSides(sequence: number[]): [number, number][] {
  const n = sequence.length;
  if (n % 4 !== 0) throw new Error(`saddle stitching needs a multiple of 4 pages, got ${n}`);
  const sides: [number, number][] = [];
  for (let k = 0; k < n / 4; k++) {
    sides.push([sequence[n - 1 - 2 * k]!, sequence[2 * k]!]);
    sides.push([sequence[2 * k + 1]!, sequence[n - 2 - 2 * k]!]);
  }
  return sides;
}
