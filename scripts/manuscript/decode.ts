import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { crc32, inflateSync } from 'node:zlib';
import type { ImageKind } from './image.js';
import { cacheKey, marks } from '../cache/cache.js';

/** What is wrong with an image's bytes: cut short (`image-truncated`) or damaged inside (`image-unreadable`). */
export interface DecodeProblem {
  problem: string;
  ruleId: 'image-truncated' | 'image-unreadable';
}

/**
 * Reads a raster image to its end before any stage uses it, so that a truncated or damaged file is an
 * error naming it instead of half a picture on the page. Returns what is wrong, or undefined.
 *
 * First the structure, for a precise message: PNG: every chunk's CRC, IHDR first, IEND present, the
 * IDAT stream inflated (zlib) to the full size its rows need (Adam7 counted pass by pass); JPEG: the
 * marker structure from SOI through the entropy-coded scans to EOI; GIF: the trailer byte; WebP: the
 * RIFF length against the file's. Then PNG and JPEG are decoded to their last pixel by a decoder
 * library (pngjs: every row's filter; jpeg-js, not tolerant: every MCU of every scan, each Huffman
 * code valid): a scan that ends early although an EOI follows, or an invalid code, is found here.
 */
export function decodeProblem(bytes: Buffer, kind: ImageKind): DecodeProblem | undefined {
  if (!decoded.has(bytes)) decoded.set(bytes, readRemembered(bytes, kind));
  return decoded.get(bytes);
}

/** The decoders, by version: a new version's verdict is its own. */
const DECODERS = 'decode-v1 pngjs 7.0.0 jpeg-js 0.4.4';

/** The cache key of an image's verdict (its bytes, its kind, the decoders). */
export const decodedKey = (bytes: Buffer, kind: ImageKind) => cacheKey(DECODERS, kind, bytes);

/**
 * Bytes that decoded to their last pixel once need not be decoded again (the cache remembers the
 * verdict by their SHA-256 and the decoders'): an everyday rebuild skips ~40 ms a photo. A problem
 * is never remembered: it is found again, with its message.
 */
function readRemembered(bytes: Buffer, kind: ImageKind): DecodeProblem | undefined {
  const key = decodedKey(bytes, kind);
  if (marks.has('decoded-images', key)) return undefined;
  const problem = readToEnd(bytes, kind);
  if (!problem) marks.set('decoded-images', key);
  return problem;
}

/**
 * Each image file is read once (the manuscript stage keeps its bytes) but may be used by many figures:
 * read to its end once per file, not once per use (an anthology with 100 figures of 5 photos: 5 decodes).
 */
const decoded = new WeakMap<Buffer, DecodeProblem | undefined>();

function readToEnd(bytes: Buffer, kind: ImageKind): DecodeProblem | undefined {
  let truncated: string | undefined;
  try {
    if (kind === 'png') truncated = pngProblem(bytes);
    else if (kind === 'jpeg') truncated = jpegProblem(bytes);
    else if (kind === 'gif') truncated = bytes.at(-1) === 0x3b ? undefined : 'the GIF has no trailer (truncated)';
    else if (kind === 'webp')
      truncated = bytes.readUInt32LE(4) + 8 <= bytes.length ? undefined : 'the WebP is shorter than its header says';
  } catch (e) {
    truncated = `it cannot be read to its end (${(e as Error).message})`;
  }
  if (truncated) return { problem: truncated, ruleId: 'image-truncated' };
  const damaged = decodePixels(bytes, kind);
  return damaged ? { problem: damaged, ruleId: 'image-unreadable' } : undefined;
}

/** Decodes every pixel with the decoder library; the decoder's complaint, or undefined. */
function decodePixels(bytes: Buffer, kind: ImageKind): string | undefined {
  try {
    if (kind === 'png') PNG.sync.read(bytes, { checkCRC: true });
    else if (kind === 'jpeg')
      jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        tolerantDecoding: false,
        // the image limits (60 MP) are checked before; 3 bytes a pixel
        maxResolutionInMP: 61,
        maxMemoryUsageInMB: 1024,
      });
    return undefined;
  } catch (e) {
    return `its ${kind === 'png' ? 'PNG' : 'JPEG'} data is damaged (the decoder says: ${(e as Error).message})`;
  }
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function pngProblem(b: Buffer): string | undefined {
  const idat: Buffer[] = [];
  let ihdr: Buffer | undefined;
  let at = 8;
  for (;;) {
    if (at + 12 > b.length) return 'the PNG ends before its IEND chunk (truncated)';
    const len = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    if (at + 12 + len > b.length) return `the PNG's ${type} chunk is cut off (truncated)`;
    if (crc32(b.subarray(at + 4, at + 8 + len)) !== b.readUInt32BE(at + 8 + len))
      return `the PNG's ${type} chunk is damaged (CRC mismatch)`;
    const data = b.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
    if (type === 'IEND') break;
  }
  if (!ihdr || !idat.length) return 'the PNG has no IHDR or no image data';
  const expected = pngRawSize(ihdr);
  const raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  if (raw.length >= expected) return undefined;
  return `the PNG's image data holds ${raw.length} of ${expected} bytes (truncated)`;
}

/** Bytes of the inflated image data: per row a filter byte and the packed samples; Adam7 in 7 passes. */
function pngRawSize(ihdr: Buffer): number {
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const bits = ihdr[8]! * (CHANNELS[ihdr[9]!] ?? 4);
  const rows = (w: number, h: number) => (w && h ? h * (1 + Math.ceil((w * bits) / 8)) : 0);
  if (ihdr[12] !== 1) return rows(width, height);
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ];
  return passes.reduce(
    (n, [x, y, dx, dy]) => n + rows(Math.ceil((width - x!) / dx!), Math.ceil((height - y!) / dy!)),
    0,
  );
}

function jpegProblem(b: Buffer): string | undefined {
  let at = 2;
  while (at + 2 <= b.length) {
    if (b[at] !== 0xff) return 'the JPEG has a damaged segment';
    const marker = b[at + 1]!;
    if (marker === 0xd9) return undefined; // EOI
    if (at + 4 > b.length) break;
    if (marker === 0xff || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    const len = b.readUInt16BE(at + 2);
    at += 2 + len;
    if (marker === 0xda) at = skipScan(b, at);
  }
  return 'the JPEG ends before its end-of-image marker (truncated)';
}

/** From after a SOS header to the next marker that is not a stuffed 0xFF00 or a restart. */
function skipScan(b: Buffer, at: number): number {
  for (let i = at; i + 1 < b.length; i++) {
    if (b[i] !== 0xff) continue;
    const next = b[i + 1]!;
    if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) return i;
  }
  return b.length;
}
