import { PDFDocument } from 'pdf-lib';
import type { BookMeta } from '../model/book.js';
import type { PageInfo } from '../paginate/paginate.js';
import { grow, pageRects, type Rect } from '../pdf/boxes.js';
import { applyInfo } from '../pdf/finish.js';
import { MM } from '../render/geometry.js';
import { drawCropMarks, drawSlug, embedSlugFont, MARK, REGISTRATION } from './marks.js';
import { setBox } from './press.js';

const SHEETS = { A4: { width: 297, height: 210 }, A3: { width: 420, height: 297 } } as const;

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
 * Saddle-stitch imposition, 2-up: for n pages (a multiple of 4) sheet k carries n−2k | 1+2k on the
 * front and 2+2k | n−1−2k on the back. Blank pages are added before the back cover. Creep moves the
 * pages of inner sheets towards the spine by `creep` mm per sheet.
 * @example (await impose(raw, meta, pages, 'x.pdf', 'Folio')).sides // [[8,1],[2,7],[6,3],[4,5]] for 8 pages
 */
export async function impose(
  raw: Uint8Array,
  meta: BookMeta,
  pages: PageInfo[],
  fileName: string,
  creator: string,
): Promise<Imposition> {
  const sequence = paddedSequence(pages);
  const n = sequence.length;
  const sides = saddleSides(sequence);

  const src = await PDFDocument.load(raw, { updateMetadata: false });
  const doc = await PDFDocument.create({ updateMetadata: false });
  applyInfo(doc, meta, { creator, subject: `${meta.title} — saddle-stitch imposition, ${n / 4} sheets` });
  const font = await embedSlugFont(doc);
  const sheetMm = SHEETS[meta.press.sheet];
  const bleed = meta.press.bleed * MM;
  const offset = Math.max(MARK.offset, bleed);
  const area = offset + MARK.area - MARK.offset;
  const sheetTrim: Rect = [area, area, area + sheetMm.width * MM, area + sheetMm.height * MM];
  const spine = (sheetTrim[0] + sheetTrim[2]) / 2;
  const date = meta.buildDate.toISOString().slice(0, 10);

  // Every page is embedded in one call: pdf-lib then copies shared resources (the fonts) once.
  // Page by page, each copy carried its own fonts: 618 pages made a 125 MB file instead of ~5 MB.
  const placements = sides.flatMap(([left, right], i) => {
    const creep = meta.press.creep * MM * Math.floor(i / 2);
    return (
      [
        [left, 'left'],
        [right, 'right'],
      ] as const
    )
      .filter(([num]) => num !== 0)
      .map(([num, side]) => {
        const srcPage = src.getPage(num - 1);
        const r = pageRects(srcPage.getMediaBox().height, meta.trim, meta.press.bleed);
        // keep the outer, top and bottom bleed; cut at the spine (less the creep shift)
        const box =
          side === 'left'
            ? { left: r.bleed[0], bottom: r.bleed[1], right: r.trim[2] - creep, top: r.bleed[3] }
            : { left: r.trim[0] + creep, bottom: r.bleed[1], right: r.bleed[2], top: r.bleed[3] };
        return { side: i, srcPage, box, r, at: side };
      });
  });
  const embedded = await doc.embedPages(
    placements.map((p) => p.srcPage),
    placements.map((p) => p.box),
  );

  for (const [i, [left, right]] of sides.entries()) {
    const sheet = Math.floor(i / 2);
    const creep = meta.press.creep * MM * sheet;
    const page = doc.addPage([sheetTrim[2] + area, sheetTrim[3] + area]);
    setBox(doc, page, 'TrimBox', sheetTrim);
    setBox(doc, page, 'BleedBox', grow(sheetTrim, bleed));
    for (const [k, p] of placements.entries()) {
      if (p.side !== i) continue;
      const y =
        sheetTrim[1] + (sheetTrim[3] - sheetTrim[1] - (p.r.trim[3] - p.r.trim[1])) / 2 - (p.r.trim[1] - p.r.bleed[1]);
      const x = p.at === 'left' ? spine - (p.box.right - p.box.left) : spine;
      page.drawPage(embedded[k]!, { x, y });
    }
    drawCropMarks(page, sheetTrim, offset);
    // fold marks at the spine, top and bottom
    for (const [a, b] of [
      [sheetTrim[3] + offset, sheetTrim[3] + offset + MARK.length],
      [sheetTrim[1] - offset - MARK.length, sheetTrim[1] - offset],
    ]) {
      page.drawLine({
        start: { x: spine, y: a! },
        end: { x: spine, y: b! },
        thickness: MARK.stroke,
        color: REGISTRATION,
        dashArray: [2, 1.5],
      });
    }
    const label =
      `${fileName}   ${date}   sheet ${sheet + 1} of ${n / 4} ${i % 2 ? 'back' : 'front'}   ` +
      `pages ${left || 'blank'} | ${right || 'blank'}` +
      `${creep ? `   creep ${(creep / MM).toFixed(2)} mm` : ''}   ${creator}`;
    drawSlug(page, label, sheetTrim[0], 2.5 * MM, font);
  }
  return {
    data: await doc.save({ useObjectStreams: false }),
    sequence,
    sides,
    blanksAdded: n - pages.length,
    sheets: n / 4,
  };
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
