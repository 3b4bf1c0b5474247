import { PDFArray, PDFDocument, PDFHexString, PDFName, PDFNumber } from 'pdf-lib';
import { createHash } from 'node:crypto';
import type { BookMeta } from '../model/book.js';
import { pageRects } from './boxes.js';

/**
 * Post-processes Chromium's PDF: document info and Lang from book.yaml, dates from the build date
 * (reproducible), exact trim boxes, a content-derived /ID, and viewer hints for a booklet.
 * @example const bytes = await finishPdf(raw, book.meta, { creator: 'Folio 0.1.0' });
 */
export async function finishPdf(raw: Uint8Array, meta: BookMeta, opts: { creator: string; subject?: string }): Promise<Uint8Array> {
  const doc = await PDFDocument.load(raw, { updateMetadata: false });
  applyInfo(doc, meta, opts);
  // The layout carries the bleed (shared with the press PDF); the booklet is the trim alone.
  for (const page of doc.getPages()) {
    const { trim } = pageRects(page.getMediaBox().height, meta.trim, meta.press.bleed);
    const box = doc.context.obj(trim.map((n) => PDFNumber.of(n))) as PDFArray;
    for (const name of ['MediaBox', 'CropBox', 'TrimBox', 'BleedBox']) page.node.set(PDFName.of(name), box);
  }
  return doc.save({ useObjectStreams: false, updateFieldAppearances: false });
}

/** Document info, /Lang, reproducible dates and a content-derived /ID: shared by every PDF Folio writes. */
export function applyInfo(doc: PDFDocument, meta: BookMeta, opts: { creator: string; subject?: string }): void {
  doc.setTitle(meta.subtitle ? `${meta.title}——${meta.subtitle}` : meta.title, { showInWindowTitleBar: true });
  doc.setAuthor(meta.authors.join('、'));
  doc.setSubject(opts.subject ?? meta.description ?? meta.subtitle ?? meta.title);
  doc.setKeywords([meta.title, ...(meta.subtitle ? [meta.subtitle] : []), meta.identifier]);
  doc.setCreator(opts.creator);
  doc.setProducer(`${opts.creator} (Chromium Skia/PDF, pdf-lib)`);
  doc.setLanguage(meta.language);
  doc.setCreationDate(meta.buildDate);
  doc.setModificationDate(meta.buildDate);
  doc.catalog.set(PDFName.of('PageLayout'), PDFName.of('TwoPageRight'));
  // The file identifier is derived from the content, never random (ISO 32000 §14.4).
  const id = createHash('md5').update(meta.contentHash).update(meta.buildDate.toISOString()).update(opts.creator).update(opts.subject ?? '').digest('hex');
  doc.context.trailerInfo.ID = doc.context.obj([PDFHexString.of(id), PDFHexString.of(id)]);
}

