import { deflateSync, inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, type PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFRef } from 'pdf-lib';
import type { Rgb } from './rgb.js';

/** Paper: what a figure's transparent pixels show in print. */
export const PAPER: Rgb = [255, 255, 255];

/** An image with a soft mask that could not be flattened, for the diagnostic. */
export interface TransparentImage {
  width: number;
  height: number;
  /** 1-based pages that draw it. */
  pages: number[];
  why: string;
}

export interface FlattenReport {
  /** Images whose soft mask was composited onto their backdrop and removed. */
  flattened: number;
  refused: TransparentImage[];
}

/**
 * PDF/X-3 has no transparency: Ghostscript meeting an image with a soft mask (an RGBA, grey + alpha or
 * tRNS PNG, as Chromium prints it) flattens the whole page into one raster, so its text is no longer
 * text. Each such image is composited here onto what lies under it and its mask removed, so the page
 * keeps live text and vector fonts. Under a figure lies paper (white); under the cover picture, a page
 * background, the cover colour: `backdrops` gives the pages whose background is not paper. Done on the
 * image's own samples in its own colour space (sRGB from Chromium), as a viewer blends it.
 * An image that cannot be flattened faithfully (a mask of another size or encoding, a premultiplied
 * `/Matte`, drawn on pages of different backdrops) is left and reported.
 */
export function flattenImageAlpha(doc: PDFDocument, backdrops: ReadonlyMap<number, Rgb> = new Map()): FlattenReport {
  const drawnOn = imagePages(doc);
  const report: FlattenReport = { flattened: 0, refused: [] };
  const masks = new Set<PDFRef>();
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    if (!isImage(obj) || !obj.dict.get(PDFName.of('SMask'))) continue;
    const pages = [...(drawnOn.get(ref) ?? [])].sort((a, b) => a - b);
    const width = num(doc, obj.dict, 'Width') ?? 0;
    const height = num(doc, obj.dict, 'Height') ?? 0;
    const colours = new Set(pages.map((p) => (backdrops.get(p) ?? PAPER).join(',')));
    const backdrop = pages.length ? (backdrops.get(pages[0]!) ?? PAPER) : PAPER;
    const why = colours.size > 1 ? 'it is drawn on pages of different background colours' : undefined;
    const result = why ?? flattenOne(doc, ref, obj, backdrop);
    if (typeof result === 'string') report.refused.push({ width, height, pages, why: result });
    else {
      masks.add(result);
      report.flattened++;
    }
  }
  // a mask no image refers to any more is dropped, so Ghostscript does not read it
  const stillUsed = new Set<PDFRef>();
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    const m = obj instanceof PDFRawStream ? obj.dict.get(PDFName.of('SMask')) : undefined;
    if (m instanceof PDFRef) stillUsed.add(m);
  }
  for (const m of masks) if (!stillUsed.has(m)) doc.context.delete(m);
  return report;
}

/** Composites one image onto the backdrop; the mask's reference, or why it cannot be done. */
function flattenOne(doc: PDFDocument, ref: PDFRef, img: PDFRawStream, backdrop: Rgb): PDFRef | string {
  const maskRef = img.dict.get(PDFName.of('SMask'));
  const mask = maskRef instanceof PDFRef ? doc.context.lookup(maskRef) : undefined;
  if (!(maskRef instanceof PDFRef) || !isImage(mask)) return 'its soft mask is not an image object';
  const width = num(doc, img.dict, 'Width');
  const height = num(doc, img.dict, 'Height');
  if (num(doc, mask.dict, 'Width') !== width || num(doc, mask.dict, 'Height') !== height)
    return 'its soft mask has another pixel size than the image';
  if (mask.dict.get(PDFName.of('Matte'))) return 'its colours are premultiplied (/Matte)';
  const channels = colourChannels(doc, img.dict);
  if (!channels) return 'its colour space is neither RGB nor grey';
  const alpha = samples(doc, mask, 1, width!, height!);
  const colour = samples(doc, img, channels, width!, height!);
  if (!alpha || !colour) return 'its samples are not 8-bit Flate data of the size it declares';
  const under =
    channels === 3 ? backdrop : [Math.round(0.299 * backdrop[0] + 0.587 * backdrop[1] + 0.114 * backdrop[2])];
  const out = Buffer.alloc(colour.length);
  for (let p = 0; p < alpha.length; p++) {
    const a = alpha[p]!;
    for (let k = 0; k < channels; k++) {
      const i = p * channels + k;
      // c·a + backdrop·(1 − a), rounded, in 0–255 integers
      out[i] = Math.floor((colour[i]! * a + under[k]! * (255 - a) + 127) / 255);
    }
  }
  const dict = img.dict.clone(doc.context);
  dict.delete(PDFName.of('SMask'));
  dict.delete(PDFName.of('DecodeParms'));
  dict.set(PDFName.of('Filter'), PDFName.of('FlateDecode'));
  doc.context.assign(ref, PDFRawStream.of(dict, deflateSync(out)));
  return maskRef;
}

const isImage = (o: unknown): o is PDFRawStream =>
  o instanceof PDFRawStream && o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image');

function num(doc: PDFDocument, d: PDFDict, key: string): number | undefined {
  const v = doc.context.lookup(d.get(PDFName.of(key)));
  return v instanceof PDFNumber ? v.asNumber() : undefined;
}

/** 3 for DeviceRGB or an RGB ICC space, 1 for DeviceGray or a grey one; undefined for anything else. */
function colourChannels(doc: PDFDocument, d: PDFDict): 1 | 3 | undefined {
  const cs = doc.context.lookup(d.get(PDFName.of('ColorSpace')));
  if (cs === PDFName.of('DeviceRGB')) return 3;
  if (cs === PDFName.of('DeviceGray')) return 1;
  if (!(cs instanceof PDFArray) || cs.get(0) !== PDFName.of('ICCBased')) return undefined;
  const icc = doc.context.lookup(cs.get(1));
  const n = icc instanceof PDFRawStream ? num(doc, icc.dict, 'N') : undefined;
  return n === 3 || n === 1 ? n : undefined;
}

/** The decoded 8-bit samples of an image: Flate without a predictor (as Chromium writes), or unfiltered. */
function samples(doc: PDFDocument, img: PDFRawStream, channels: number, w: number, h: number): Buffer | undefined {
  if (num(doc, img.dict, 'BitsPerComponent') !== 8 || img.dict.get(PDFName.of('Decode'))) return undefined;
  const filter = doc.context.lookup(img.dict.get(PDFName.of('Filter')));
  const parms = doc.context.lookup(img.dict.get(PDFName.of('DecodeParms')));
  const predictor = parms instanceof PDFDict ? num(doc, parms, 'Predictor') : undefined;
  if (predictor !== undefined && predictor !== 1) return undefined;
  const size = w * h * channels;
  let data: Buffer;
  if (filter === undefined) data = Buffer.from(img.contents);
  else if (filter === PDFName.of('FlateDecode')) {
    try {
      data = inflateSync(img.contents, { maxOutputLength: size + 1 });
    } catch {
      return undefined;
    }
  } else return undefined;
  return data.length === size ? data : undefined;
}

/** Image object → the 1-based pages that draw it, directly or through form XObjects. */
function imagePages(doc: PDFDocument): Map<PDFRef, Set<number>> {
  const found = new Map<PDFRef, Set<number>>();
  const visit = (resources: PDFDict | undefined, page: number, seen: Set<PDFRef>) => {
    const xobjects = resources?.lookupMaybe(PDFName.of('XObject'), PDFDict);
    for (const value of xobjects?.values() ?? []) {
      if (!(value instanceof PDFRef) || seen.has(value)) continue;
      seen.add(value);
      const obj = doc.context.lookup(value);
      if (isImage(obj)) found.set(value, (found.get(value) ?? new Set()).add(page));
      else if (obj instanceof PDFRawStream) visit(obj.dict.lookupMaybe(PDFName.of('Resources'), PDFDict), page, seen);
    }
  };
  for (const [i, p] of doc.getPages().entries()) visit(p.node.Resources(), i + 1, new Set());
  return found;
}
