// PNGs with transparency for the PDF/X tests: RGBA and grey + alpha written by pngjs; a paletted PNG with
// a tRNS chunk assembled chunk by chunk (pngjs writes no palettes).
import { PNG } from 'pngjs';
import { crc32, deflateSync } from 'node:zlib';

/** Alpha rises from 0 at the left edge to 255 at the right; the colour changes along both axes. */
export function alphaGradientPng(width: number, height: number, kind: 'rgba' | 'grey'): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = Math.floor((x * 255) / width);
      const g = kind === 'grey' ? r : Math.floor((y * 255) / height);
      const b = kind === 'grey' ? r : 128;
      png.data.set([r, g, b, Math.floor((x * 255) / (width - 1))], (y * width + x) * 4);
    }
  }
  return PNG.sync.write(png, { colorType: kind === 'rgba' ? 6 : 4, inputHasAlpha: true });
}

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
export const pngChunk = (type: string, data: Buffer): Buffer => {
  const c = Buffer.alloc(12 + data.length);
  c.writeUInt32BE(data.length, 0);
  c.write(type, 4, 'latin1');
  data.copy(c, 8);
  c.writeUInt32BE(crc32(c.subarray(4, 8 + data.length)), 8 + data.length);
  return c;
};

/** 8-bit paletted: 4 colours, the first fully transparent (tRNS), stripes of 40 px. */
export function palettedTrnsPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 3, 0, 0, 0], 8);
  const palette = Buffer.from([0, 0, 0, 200, 30, 30, 30, 120, 200, 240, 200, 40]);
  const trns = Buffer.from([0, 255, 160, 255]);
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = Math.floor(x / 40) % 4;
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('PLTE', palette),
    pngChunk('tRNS', trns),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
