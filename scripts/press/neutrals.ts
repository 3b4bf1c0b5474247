import { deflateSync } from 'node:zlib';
import { PDFArray, type PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFRef } from 'pdf-lib';
import { decodeStream } from '../pdf/zlib.js';

/** What the rewrite changed: content streams touched and colour operators rewritten. */
export interface NeutralReport {
  streams: number;
  colours: number;
}

/** `r g b rg` / `RG` with three numbers: Chromium's (Skia's) way of setting every colour. */
const RGB_OP = /(^|[\s\]>)])(-?\d*\.?\d+)\s+(-?\d*\.?\d+)\s+(-?\d*\.?\d+)\s+(rg|RG)(?=[\s[/<(]|$)/g;

const fmt = (n: number) => String(Math.round(n * 10_000) / 10_000);

/**
 * One content stream's neutral DeviceRGB colours (r = g = b) written as DeviceCMYK with black ink
 * only: `0.1059 0.1059 0.1059 rg` becomes `0 0 0 0.8941 k` (K = 1 − grey level), white becomes no ink.
 * Colours that are not neutral are left to the ICC conversion. Chromium writes text as hex glyph
 * strings, so no text can contain the pattern.
 * @example rewriteNeutrals('.1059 .1059 .1059 rg') // { text: '0 0 0 0.8941 k', count: 1 }
 */
export function rewriteNeutrals(content: string): { text: string; count: number } {
  let count = 0;
  const text = content.replace(RGB_OP, (all, lead: string, r: string, g: string, b: string, op: string) => {
    const [x, y, z] = [Number(r), Number(g), Number(b)];
    if (Math.abs(x - y) > 1e-4 || Math.abs(y - z) > 1e-4) return all;
    count++;
    return `${lead}0 0 0 ${fmt(1 - x)} ${op === 'rg' ? 'k' : 'K'}`;
  });
  return { text, count };
}

/**
 * Every neutral colour of the document's pages and forms as K only, before Ghostscript converts the
 * rest: its ICC conversion turns an RGB grey into four inks (#1b1b1b → C 0.70 M 0.67 Y 0.66 K 0.78,
 * ~280 % ink), which blurs small type at the slightest misregistration. DeviceCMYK passes through
 * the PDF/X conversion unchanged. The document is changed in place.
 */
export function neutralsToBlack(doc: PDFDocument): NeutralReport {
  const report: NeutralReport = { streams: 0, colours: 0 };
  for (const ref of contentStreamRefs(doc)) {
    const stream = doc.context.lookup(ref);
    if (!(stream instanceof PDFRawStream)) continue;
    let content: string;
    try {
      content = Buffer.from(decodeStream(stream)).toString('latin1');
    } catch {
      continue; // an encoding pdf-lib cannot decode: Ghostscript converts it as before
    }
    const { text, count } = rewriteNeutrals(content);
    if (!count) continue;
    const data = deflateSync(Buffer.from(text, 'latin1'));
    const dict = stream.dict.clone(doc.context);
    dict.set(PDFName.of('Filter'), PDFName.of('FlateDecode'));
    dict.delete(PDFName.of('DecodeParms'));
    dict.set(PDFName.of('Length'), PDFNumber.of(data.length));
    doc.context.assign(ref, PDFRawStream.of(dict, data));
    report.streams++;
    report.colours += count;
  }
  return report;
}

/** Page content streams and form XObjects (pdf-lib's embedded pages, Chromium's groups). */
function contentStreamRefs(doc: PDFDocument): PDFRef[] {
  const refs = new Set<PDFRef>();
  for (const page of doc.getPages()) {
    const contents = page.node.get(PDFName.of('Contents'));
    const resolved = contents instanceof PDFRef ? doc.context.lookup(contents) : contents;
    if (contents instanceof PDFRef && !(resolved instanceof PDFArray)) refs.add(contents);
    const array = resolved instanceof PDFArray ? resolved : undefined;
    for (const c of array?.asArray() ?? []) if (c instanceof PDFRef) refs.add(c);
  }
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    if (obj instanceof PDFRawStream && obj.dict.get(PDFName.of('Subtype')) === PDFName.of('Form')) refs.add(ref);
  }
  return [...refs];
}
