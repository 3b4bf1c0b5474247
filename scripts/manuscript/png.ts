import { crc32 } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The marker Folio's placeholders carry, so preflight can report "FPO" instead of "photo". */
export const FPO_KEY = 'Folio';
export const FPO_VALUE = 'FPO placeholder';

/** `tEXt` chunks of a PNG as key → value; empty for anything that is not a PNG. */
export function pngText(png: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) return out;
  for (let at = 8; at + 8 <= png.length; ) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'tEXt') {
      const data = png.subarray(at + 8, at + 8 + len);
      const nul = data.indexOf(0);
      if (nul > 0) out[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
    }
    if (type === 'IEND') break;
    at += 12 + len;
  }
  return out;
}

/** Inserts a `tEXt` chunk right after IHDR. Keys and values are Latin-1, as the PNG spec says. */
export function withPngText(png: Buffer, key: string, value: string): Buffer {
  const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
  const data = Buffer.from(`${key}\0${value}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}

/** A placeholder Folio made: the PNG's tEXt chunk, or the JPEG's comment segment, carries the marker. */
export const isFpoPng = (bytes: Buffer): boolean =>
  pngText(bytes)[FPO_KEY] === FPO_VALUE || jpegComment(bytes) === `${FPO_KEY}: ${FPO_VALUE}`;

/** Inserts a COM (comment) segment right after the JPEG's SOI marker. */
export function withJpegComment(jpeg: Buffer, text: string): Buffer {
  const data = Buffer.from(text, 'latin1');
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xfffe, 0);
  head.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, data, jpeg.subarray(2)]);
}

/** The text of a COM segment right after SOI, where withJpegComment puts it. */
function jpegComment(b: Buffer): string | undefined {
  if (b.length < 6 || b[0] !== 0xff || b[1] !== 0xd8 || b[2] !== 0xff || b[3] !== 0xfe) return undefined;
  return b.toString('latin1', 6, 4 + b.readUInt16BE(4));
}

/** Pixel size of a PNG, JPEG, GIF or WebP from its header; undefined if the bytes are not one of them. */
export function imageSize(b: Buffer): { width: number; height: number; type: string } | undefined {
  if (b.length >= 24 && b.subarray(0, 8).equals(SIGNATURE) && b.toString('latin1', 12, 16) === 'IHDR') {
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), type: 'png' };
  }
  if (b.length >= 10 && b.toString('latin1', 0, 6).match(/^GIF8[79]a$/))
    return { width: b.readUInt16LE(6), height: b.readUInt16LE(8), type: 'gif' };
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    /* eslint-disable no-bitwise -- WebP dimension bit fields */
    const kind = b.toString('latin1', 12, 16);
    if (kind === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3), type: 'webp' };
    if (kind === 'VP8 ')
      return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff, type: 'webp' };
    if (kind === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff), type: 'webp' };
    }
    /* eslint-enable no-bitwise */
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // walk the JPEG segments to the first start-of-frame
    for (let at = 2; at + 9 < b.length; ) {
      if (b[at] !== 0xff) return undefined;
      const marker = b[at + 1]!;
      const len = b.readUInt16BE(at + 2);
      const startOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (startOfFrame) return { width: b.readUInt16BE(at + 7), height: b.readUInt16BE(at + 5), type: 'jpeg' };
      at += 2 + len;
    }
  }
  return undefined;
}
