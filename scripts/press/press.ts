import { PDFArray, PDFDocument, PDFName, PDFNumber } from 'pdf-lib';
import type { BookMeta } from '../model/book.js';
import { grow, pageRects, type Rect } from '../pdf/boxes.js';
import { applyInfo } from '../pdf/finish.js';
import { clipContent, drawCropMarks, drawRegistrationMarks, drawSlug, embedSlugFont, MARK } from './marks.js';
import { saveDeflated } from '../pdf/zlib.js';

/**
 * The print-ready PDF: the booklet's own pages (the same layout, printed with bleed), with
 * TrimBox = trim, BleedBox = trim + bleed, MediaBox = bleed + mark area, crop and registration
 * marks outside the bleed and a slug line (file, build date, page).
 * @example const bytes = await makePressPdf(pagination.pdf, book.meta, 'book-press.pdf', 'Folio 0.1.0');
 */
export async function makePressPdf(
  raw: Uint8Array,
  meta: BookMeta,
  fileName: string,
  creator: string,
): Promise<Uint8Array> {
  return (await makePressDoc(raw, meta, fileName, creator)).data;
}

/** The press PDF's bytes and the document they were saved from (the PDF/X pass goes on with it). */
export async function makePressDoc(
  raw: Uint8Array,
  meta: BookMeta,
  fileName: string,
  creator: string,
): Promise<{ data: Uint8Array; doc: PDFDocument }> {
  const doc = await PDFDocument.load(raw, { updateMetadata: false });
  applyInfo(doc, meta, {
    creator,
    subject:
      `${meta.title} — press PDF ` + `(trim ${meta.trim.width} × ${meta.trim.height} mm, bleed ${meta.press.bleed} mm)`,
  });
  const font = await embedSlugFont(doc);
  const pages = doc.getPages();
  const date = meta.buildDate.toISOString().slice(0, 10);
  for (const [i, page] of pages.entries()) {
    const { trim, bleed } = pageRects(page.getMediaBox().height, meta.trim, meta.press.bleed);
    const offset = Math.max(MARK.offset, bleed[3] - trim[3]);
    const media = grow(trim, offset + MARK.area - MARK.offset);
    clipContent(doc, page, bleed);
    setBox(doc, page, 'MediaBox', media);
    setBox(doc, page, 'CropBox', media);
    setBox(doc, page, 'BleedBox', bleed);
    setBox(doc, page, 'TrimBox', trim);
    drawCropMarks(page, trim, offset);
    drawRegistrationMarks(page, trim, offset);
    drawSlug(
      page,
      `${fileName}   ${date}   page ${i + 1} of ${pages.length}   ` +
        `${meta.trim.width} x ${meta.trim.height} mm, bleed ${meta.press.bleed} mm   ${creator}`,
      trim[0],
      media[1] + 2.5 * (MARK.area / 13),
      font,
    );
    // the book's identifier and the build stamp belong here, on the slug, not on the 版权页
    drawSlug(page, buildStamp(meta, creator), trim[0], media[3] - 4.5 * (MARK.area / 13), font);
  }
  return { data: await saveDeflated(doc, { useObjectStreams: false, updateFieldAppearances: false }), doc };
}

/** "urn:uuid:…   build 0123456789ab   Folio 0.1.0": what identifies this build of the book. */
export function buildStamp(meta: BookMeta, creator: string): string {
  return `${meta.identifier}   build ${meta.contentHash.slice(0, 12)}   ${creator}`;
}

export function setBox(
  doc: PDFDocument,
  page: { node: { set(k: PDFName, v: PDFArray): void } },
  name: string,
  r: Rect,
): void {
  page.node.set(PDFName.of(name), doc.context.obj(r.map((n) => PDFNumber.of(Math.round(n * 1000) / 1000))) as PDFArray);
}
