import { forgetTempDir, makeTempDir } from '../output/cleanup.js';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import {
  PDFArray,
  PDFBool,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  type PDFObject,
  PDFObjectCopier,
  type PDFPageLeaf,
  PDFRawStream,
  PDFRef,
  PDFStream,
} from 'pdf-lib';
import { cacheKey, openCache } from '../cache/cache.js';

const run = promisify(execFile);

/** What the cache keeps of a converted image: the dictionary entries that describe its bytes, and the bytes. */
interface Converted {
  width: number;
  height: number;
  colorSpace: 'DeviceCMYK';
  filter: string;
  /** Flate predictor parameters, numbers only. */
  decodeParms?: Record<string, number>;
  data: Buffer;
}

/**
 * Stand-ins go through Ghostscript in place of the converted images: DeviceCMYK, one row of blank
 * pixels, told apart by their width (PLACEHOLDER_WIDTH + n). Wide enough never to be written inline.
 */
const PLACEHOLDER_WIDTH = 2048;

export interface CmykImageReport {
  /** RGB image objects found and replaced by their CMYK conversion. */
  images: number;
  /** …of which came from the cache. */
  hits: number;
  /** Images left to Ghostscript (alpha, masks, unusual encodings). */
  skipped: number;
}

/**
 * Converts every RGB image *object* of a PDF to CMYK once, with Ghostscript and the same colour
 * settings as the PDF/X pass, and keeps the result in a content-keyed cache.
 *
 * Why: Ghostscript's pdfwrite converts an image each time a page draws it (~0.25 s for 1.5 Mpx, plus
 * ~0.3 s choosing a filter). A book that repeats a logo, or is rebuilt after a text edit, pays that
 * again and again. Here each distinct image is converted once per content, ever; the PDF/X pass then
 * meets DeviceCMYK images.
 *
 * Even a DeviceCMYK image costs pdfwrite a decode and a Flate re-encode each time a page draws it
 * (130 pages with 100 photos: ~5 s). So by default the PDF/X pass does not see the pixels at all:
 * each converted image is replaced by a one-row stand-in, and `restore` puts the converted image back
 * into Ghostscript's output. The document is changed in place.
 * @example const prepared = await precomputeCmykImages(doc, gsColourArgs, '10.00.0', iccBytes);
 *          …gs…; prepared.restore(outputDoc);
 */
export async function precomputeCmykImages(
  doc: PDFDocument,
  gsArgs: string[],
  gsVersion: string,
  icc: Uint8Array,
  opts: { placeholders?: boolean } = {},
): Promise<PreparedImages> {
  const settings = cacheKey('folio-cmyk-image-2', gsVersion, gsArgs.join(' '), icc);
  const { found, skipped } = findRgbImages(doc, settings);
  const stand: StandIns = new Map();
  const restore = (out: PDFDocument) => restoreImages(out, stand);
  if (!found.length) return { images: 0, hits: 0, skipped, restore };
  const { converted, hits } = await convertCached(doc, found, gsArgs);
  const images = placeImages(doc, found, converted, stand, opts.placeholders !== false);
  return { images, hits: Math.min(hits, images), skipped: skipped + found.length - images, restore };
}

/** An RGB image object of the document, with its cache key. */
interface FoundImage {
  ref: PDFRef;
  stream: PDFRawStream;
  key: string;
}

/** Stand-in width → the converted image it stands for, with the rendering hints to put back. */
type StandIns = Map<number, { c: Converted; extra: [string, PDFObject][] }>;

/** Step 1: every RGB image object Folio converts ahead, and how many other colour images stay with Ghostscript. */
function findRgbImages(doc: PDFDocument, settings: string): { found: FoundImage[]; skipped: number } {
  const found: FoundImage[] = [];
  let skipped = 0;
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream) || obj.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
    const key = rgbImageKey(doc, obj, settings);
    if (key) found.push({ ref, stream: obj, key });
    else if (isColourImage(doc, obj)) skipped++;
  }
  return { found, skipped };
}

/** Step 2: each distinct image from the cache, or converted by one Ghostscript run and cached. */
async function convertCached(
  doc: PDFDocument,
  found: FoundImage[],
  gsArgs: string[],
): Promise<{ converted: Map<string, Converted>; hits: number }> {
  const cache = openCache('cmyk-images');
  const converted = new Map<string, Converted>();
  for (const f of found) {
    const hit = await cache.get(f.key);
    const c = hit && decodeEntry(hit);
    if (c) converted.set(f.key, c);
  }
  const hits = converted.size;
  const misses = [...new Map(found.filter((f) => !converted.has(f.key)).map((f) => [f.key, f])).values()];
  if (misses.length) {
    // two Ghostscript processes on halves of the misses (a first build converts every photo: ~0.45 s each)
    const half = Math.ceil(misses.length / 2);
    const groups =
      misses.length >= 2 && availableParallelism() >= 2 ? [misses.slice(0, half), misses.slice(half)] : [misses];
    const runs = await Promise.all(
      groups.map((g) =>
        convertWithGhostscript(
          doc,
          g.map((m) => m.stream),
          gsArgs,
        ),
      ),
    );
    const fresh = runs.flat();
    for (const [i, m] of misses.entries()) {
      const c = fresh[i];
      if (!c) continue;
      converted.set(m.key, c);
      await cache.put(m.key, encodeEntry(c));
    }
  }
  return { converted, hits };
}

/**
 * Step 3: each converted image into the document, as itself or (placeholders) as a one-row stand-in
 * recorded in `stand`; returns how many objects were replaced.
 */
function placeImages(
  doc: PDFDocument,
  found: FoundImage[],
  converted: Map<string, Converted>,
  stand: StandIns,
  placeholders: boolean,
): number {
  let images = 0;
  const slots = new Map<string, number>();
  for (const f of found) {
    const c = converted.get(f.key);
    if (!c) continue;
    // rendering hints travel with the image; only direct values (a reference would point into this document)
    const extra = ['Interpolate', 'Intent']
      .map((k) => [k, f.stream.dict.get(PDFName.of(k))] as const)
      .filter((e): e is [string, PDFObject] => e[1] instanceof PDFName || e[1] instanceof PDFBool);
    if (!placeholders) doc.context.assign(f.ref, imageStream(doc, c, extra));
    else {
      const slot = slots.get(f.key) ?? slots.size;
      slots.set(f.key, slot);
      const width = PLACEHOLDER_WIDTH + slot;
      stand.set(width, { c, extra });
      const dict = doc.context.obj({
        Type: 'XObject',
        Subtype: 'Image',
        Width: width,
        Height: 1,
        BitsPerComponent: 8,
        ColorSpace: 'DeviceCMYK',
        Filter: 'FlateDecode',
      }) as PDFDict;
      doc.context.assign(f.ref, PDFRawStream.of(dict, deflateSync(Buffer.alloc(width * 4))));
    }
    images++;
  }
  return images;
}

export interface PreparedImages extends CmykImageReport {
  /** Puts the converted images in place of their stand-ins in Ghostscript's output; returns how many objects. */
  restore(out: PDFDocument): number;
}

function imageStream(doc: PDFDocument, c: Converted, extra: [string, PDFObject][]): PDFRawStream {
  const dict = doc.context.obj({
    Type: 'XObject',
    Subtype: 'Image',
    Width: c.width,
    Height: c.height,
    BitsPerComponent: 8,
    ColorSpace: c.colorSpace,
    Filter: c.filter,
    ...(c.decodeParms ? { DecodeParms: c.decodeParms } : {}),
  }) as PDFDict;
  for (const [k, v] of extra) dict.set(PDFName.of(k), v);
  return PDFRawStream.of(dict, c.data);
}

/**
 * Swaps every stand-in in Ghostscript's output for its converted image. Every stand-in the input had
 * must come back (Ghostscript merges identical ones, never drops a drawn one): otherwise the PDF/X
 * would go out with blank pictures, and this throws.
 */
function restoreImages(out: PDFDocument, stand: StandIns): number {
  const seen = new Set<number>();
  let objects = 0;
  for (const [ref, obj] of out.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream) || obj.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
    const width = num(out, obj.dict, 'Width');
    const s = width === undefined ? undefined : stand.get(width);
    if (!s || num(out, obj.dict, 'Height') !== 1) continue;
    out.context.assign(ref, imageStream(out, s.c, s.extra));
    seen.add(width!);
    objects++;
  }
  const lost = [...stand.keys()].filter((w) => !seen.has(w));
  if (lost.length) throw new Error(`PDF/X: ${lost.length} converted image(s) did not come back from Ghostscript`);
  return objects;
}

/**
 * A cache key for an 8-bit RGB image without alpha or masks (what Chromium writes for photos), or
 * undefined for anything else, which stays with Ghostscript.
 */
function rgbImageKey(doc: PDFDocument, img: PDFRawStream, settings: string): string | undefined {
  const d = img.dict;
  if (
    d.get(PDFName.of('ImageMask')) ||
    d.get(PDFName.of('SMask')) ||
    d.get(PDFName.of('Mask')) ||
    d.get(PDFName.of('Decode'))
  )
    return undefined;
  if (num(doc, d, 'BitsPerComponent') !== 8) return undefined;
  const cs = doc.context.lookup(d.get(PDFName.of('ColorSpace')));
  let profile: Uint8Array | undefined;
  if (cs === PDFName.of('DeviceRGB')) profile = new Uint8Array();
  else if (cs instanceof PDFArray && cs.get(0) === PDFName.of('ICCBased')) {
    const icc = doc.context.lookup(cs.get(1));
    if (!(icc instanceof PDFRawStream) || num(doc, icc.dict, 'N') !== 3) return undefined;
    profile = icc.contents;
  } else return undefined;
  const filter = doc.context.lookup(d.get(PDFName.of('Filter')));
  const parms = doc.context.lookup(d.get(PDFName.of('DecodeParms')));
  const describe = (o: unknown) => (o === undefined ? '' : String(o));
  return cacheKey(
    settings,
    `${describe(d.get(PDFName.of('Width')))}x${describe(d.get(PDFName.of('Height')))}`,
    describe(filter),
    describe(parms),
    profile,
    img.contents,
  );
}

function num(doc: PDFDocument, d: PDFDict, key: string): number | undefined {
  const v = doc.context.lookup(d.get(PDFName.of(key)));
  return v instanceof PDFNumber ? v.asNumber() : undefined;
}

function isColourImage(doc: PDFDocument, img: PDFRawStream): boolean {
  const cs = doc.context.lookup(img.dict.get(PDFName.of('ColorSpace')));
  return cs !== undefined && cs !== PDFName.of('DeviceGray') && cs !== PDFName.of('DeviceCMYK');
}

/**
 * One Ghostscript run for every image not in the cache: each on its own page of a scratch PDF, drawn
 * once; the converted image object is read back from the output page by page.
 */
async function convertWithGhostscript(
  src: PDFDocument,
  images: PDFStream[],
  gsArgs: string[],
): Promise<(Converted | undefined)[]> {
  const scratch = await scratchPdf(src, images);
  const dir = await makeTempDir('folio-cmyk-');
  try {
    const input = path.join(dir, 'in.pdf');
    const output = path.join(dir, 'out.pdf');
    await writeFile(input, await scratch.save({ useObjectStreams: false }));
    await run('gs', ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', ...gsArgs, `-sOutputFile=${output}`, input], {
      maxBuffer: 16 * 2 ** 20,
    });
    // qpdf writes direct /Length values: pdf-lib, meeting Ghostscript's indirect ones, drops a last
    // data byte that happens to be a newline (see runGhostscript in pdfx.ts)
    const direct = path.join(dir, 'direct.pdf');
    await run('qpdf', ['--warning-exit-0', output, direct], { maxBuffer: 16 * 2 ** 20 });
    const out = await PDFDocument.load(await readFile(direct), { updateMetadata: false });
    return out.getPages().map((page, i) => convertedImage(out, page.node, src, images[i]!));
  } finally {
    await rm(dir, { recursive: true, force: true });
    forgetTempDir(dir);
  }
}

/** A scratch PDF with each image on its own page, drawn once, at a tenth of its pixel size in points. */
async function scratchPdf(src: PDFDocument, images: PDFStream[]): Promise<PDFDocument> {
  const scratch = await PDFDocument.create({ updateMetadata: false });
  const copier = PDFObjectCopier.for(src.context, scratch.context);
  for (const img of images) {
    const ref = scratch.context.register(copier.copy(img));
    const w = num(src, img.dict, 'Width')!;
    const h = num(src, img.dict, 'Height')!;
    const page = scratch.addPage([w / 10, h / 10]);
    page.node.setXObject(PDFName.of('Im0'), ref);
    const content = scratch.context.flateStream(`q ${w / 10} 0 0 ${h / 10} 0 0 cm /Im0 Do Q`);
    page.node.set(PDFName.of('Contents'), scratch.context.register(content));
  }
  return scratch;
}

/**
 * The one image of a page of Ghostscript's output, if it is the source image converted as a whole:
 * DeviceCMYK, 8 bits, the same pixel size, one named filter with numeric parameters, no mask.
 */
function convertedImage(out: PDFDocument, page: PDFPageLeaf, src: PDFDocument, img: PDFStream): Converted | undefined {
  const xobjects = page.Resources()?.lookupMaybe(PDFName.of('XObject'), PDFDict);
  const streams = xobjects
    ? xobjects
        .values()
        .map((v) => out.context.lookup(v))
        .filter((v): v is PDFRawStream => v instanceof PDFRawStream)
    : [];
  if (streams.length !== 1) return undefined; // split or rasterised: leave this one to the PDF/X pass
  const d = streams[0]!.dict;
  const same = (k: string) => num(out, d, k) === num(src, img.dict, k);
  const filter = out.context.lookup(d.get(PDFName.of('Filter')));
  if (
    out.context.lookup(d.get(PDFName.of('ColorSpace'))) !== PDFName.of('DeviceCMYK') ||
    !same('Width') ||
    !same('Height') ||
    num(out, d, 'BitsPerComponent') !== 8
  )
    return undefined;
  if (!(filter instanceof PDFName) || d.get(PDFName.of('SMask')) || d.get(PDFName.of('Decode'))) return undefined;
  let decodeParms: Record<string, number> | undefined;
  const parms = out.context.lookup(d.get(PDFName.of('DecodeParms')));
  if (parms instanceof PDFDict) {
    decodeParms = {};
    for (const [k, v] of parms.entries()) {
      const n = out.context.lookup(v);
      if (!(n instanceof PDFNumber)) return undefined;
      decodeParms[k.decodeText()] = n.asNumber();
    }
  } else if (parms !== undefined) return undefined;
  return {
    width: num(out, d, 'Width')!,
    height: num(out, d, 'Height')!,
    colorSpace: 'DeviceCMYK' as const,
    filter: filter.decodeText(),
    decodeParms,
    data: Buffer.from(streams[0]!.contents),
  };
}

/** Cache entry: 4-byte length, JSON header, image bytes. */
function encodeEntry(c: Converted): Buffer {
  const head = Buffer.from(
    JSON.stringify({
      width: c.width,
      height: c.height,
      colorSpace: c.colorSpace,
      filter: c.filter,
      decodeParms: c.decodeParms,
    }),
  );
  const len = Buffer.alloc(4);
  len.writeUInt32BE(head.byteLength);
  return Buffer.concat([len, head, c.data]);
}

function decodeEntry(b: Buffer): Converted | undefined {
  try {
    const n = b.readUInt32BE(0);
    const head = JSON.parse(b.subarray(4, 4 + n).toString()) as Omit<Converted, 'data'>;
    if (
      head.colorSpace !== 'DeviceCMYK' ||
      !Number.isInteger(head.width) ||
      !Number.isInteger(head.height) ||
      typeof head.filter !== 'string'
    )
      return undefined;
    if (
      head.decodeParms !== undefined &&
      (typeof head.decodeParms !== 'object' || Object.values(head.decodeParms).some((v) => typeof v !== 'number'))
    )
      return undefined;
    return { ...head, data: b.subarray(4 + n) };
  } catch {
    return undefined;
  }
}
