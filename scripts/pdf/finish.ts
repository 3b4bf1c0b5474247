import { PDFArray, PDFDocument, PDFHexString, PDFName, PDFNumber } from 'pdf-lib';
import { createHash } from 'node:crypto';
import type { BookMeta } from '../model/book.js';
import { pageRects } from './boxes.js';
import { escapeXml } from '../render/escape.js';
import { saveDeflated } from './zlib.js';

/**
 * Post-processes Chromium's PDF: document info and Lang from book.yaml, dates from the build date
 * (reproducible), exact trim boxes, a content-derived /ID, and viewer hints for a booklet.
 * @example const bytes = await finishPdf(raw, book.meta, { creator: 'Folio 0.1.0' });
 */
export async function finishPdf(
  raw: Uint8Array,
  meta: BookMeta,
  opts: { creator: string; subject?: string },
): Promise<Uint8Array> {
  const doc = await PDFDocument.load(raw, { updateMetadata: false });
  applyInfo(doc, meta, opts);
  // The layout carries the bleed (shared with the press PDF); the booklet is the trim alone.
  for (const page of doc.getPages()) {
    const { trim } = pageRects(page.getMediaBox().height, meta.trim, meta.press.bleed);
    const box = doc.context.obj(trim.map((n) => PDFNumber.of(n))) as PDFArray;
    for (const name of ['MediaBox', 'CropBox', 'TrimBox', 'BleedBox']) page.node.set(PDFName.of(name), box);
  }
  return saveDeflated(doc, { useObjectStreams: false, updateFieldAppearances: false });
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
  setXmp(doc, meta, { creator: opts.creator });
  // The file identifier is derived from the content, never random (ISO 32000 §14.4).
  const id = createHash('md5')
    .update(meta.contentHash)
    .update(meta.buildDate.toISOString())
    .update(opts.creator)
    .update(opts.subject ?? '')
    .digest('hex');
  doc.context.trailerInfo.ID = doc.context.obj([PDFHexString.of(id), PDFHexString.of(id)]);
}

const xml = escapeXml;

/**
 * An XMP packet with the same title, authors and dates as the Info dictionary (dates from the build
 * date, so SOURCE_DATE_EPOCH governs them) and a document id derived from the content.
 */
export function setXmp(doc: PDFDocument, meta: BookMeta, opts: { creator: string; pdfx?: string }): void {
  const date = meta.buildDate.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const h = createHash('sha1')
    .update(meta.contentHash)
    .update(opts.pdfx ?? '')
    .digest('hex');
  const uuid = `uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  const pdfxVersion = opts.pdfx ? `\n<pdfxid:GTS_PDFXVersion>${opts.pdfx}</pdfxid:GTS_PDFXVersion>` : '';
  const title = meta.subtitle ? `${meta.title}——${meta.subtitle}` : meta.title;
  const packet = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" \
xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"\
${opts.pdfx ? ' xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"' : ''}>
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${xml(title)}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq>${meta.authors.map((a) => `<rdf:li>${xml(a)}</rdf:li>`).join('')}</rdf:Seq></dc:creator>
<dc:language><rdf:Bag><rdf:li>${xml(meta.language)}</rdf:li></rdf:Bag></dc:language>
<xmp:CreateDate>${date}</xmp:CreateDate>
<xmp:ModifyDate>${date}</xmp:ModifyDate>
<xmp:MetadataDate>${date}</xmp:MetadataDate>
<xmp:CreatorTool>${xml(opts.creator)}</xmp:CreatorTool>
<pdf:Producer>${xml(opts.creator)}</pdf:Producer>
<xmpMM:DocumentID>${uuid}</xmpMM:DocumentID>
<xmpMM:InstanceID>${uuid}</xmpMM:InstanceID>${pdfxVersion}
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
  const stream = doc.context.stream(Buffer.from(packet, 'utf8'), { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(stream));
}
