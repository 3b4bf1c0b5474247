// The PDF/X's alpha flattening on a PDF made here: the arithmetic, the backdrop per page, and the images
// it refuses (reported for an image-transparency diagnostic, never flattened wrongly).
import { deflateSync, inflateSync } from 'node:zlib';
import { PDFDict, PDFDocument, PDFName, PDFRawStream, type PDFRef } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { flattenImageAlpha } from '../scripts/press/flatten.js';

/** A one-page PDF drawing one 2 × 1 RGB image [red, blue] with a soft mask of the given size and alphas. */
async function pdfWithMask(alphas: number[], maskWidth = 2, matte = false) {
  const d = await PDFDocument.create();
  const mask = d.context.register(
    PDFRawStream.of(
      d.context.obj({
        Type: 'XObject',
        Subtype: 'Image',
        Width: maskWidth,
        Height: 1,
        BitsPerComponent: 8,
        ColorSpace: 'DeviceGray',
        Filter: 'FlateDecode',
        ...(matte ? { Matte: [0, 0, 0] } : {}),
      }) as PDFDict,
      deflateSync(Buffer.from(alphas)),
    ),
  );
  const dict = d.context.obj({
    Type: 'XObject',
    Subtype: 'Image',
    Width: 2,
    Height: 1,
    BitsPerComponent: 8,
    ColorSpace: 'DeviceRGB',
    Filter: 'FlateDecode',
  }) as PDFDict;
  dict.set(PDFName.of('SMask'), mask);
  const image = d.context.register(PDFRawStream.of(dict, deflateSync(Buffer.from([255, 0, 0, 0, 0, 255]))));
  d.addPage([100, 100]).node.setXObject(PDFName.of('Im0'), image);
  return { doc: d, image, mask };
}

const pixels = (doc: PDFDocument, ref: PDFRef) => [...inflateSync((doc.context.lookup(ref) as PDFRawStream).contents)];

describe('flattenImageAlpha', () => {
  it('composites onto paper: c·a + 255·(1 − a); the mask is gone', async () => {
    const { doc, image, mask } = await pdfWithMask([0, 128]);
    expect(flattenImageAlpha(doc)).toEqual({ flattened: 1, refused: [] });
    expect(pixels(doc, image)).toEqual([255, 255, 255, 127, 127, 255]);
    expect((doc.context.lookup(image) as PDFRawStream).dict.get(PDFName.of('SMask'))).toBeUndefined();
    expect(doc.context.lookup(mask)).toBeUndefined();
  });

  it('composites onto the backdrop of the page that draws it (the cover colour)', async () => {
    const { doc, image } = await pdfWithMask([0, 255]);
    flattenImageAlpha(doc, new Map([[1, [0x12, 0x3a, 0x5e] as const]]));
    expect(pixels(doc, image)).toEqual([0x12, 0x3a, 0x5e, 0, 0, 255]);
  });

  it('refuses a mask of another size or with premultiplied colours, and keeps the image as it was', async () => {
    for (const [maskWidth, matte, why] of [
      [3, false, /another pixel size/],
      [2, true, /premultiplied/],
    ] as const) {
      const { doc, image } = await pdfWithMask(maskWidth === 3 ? [0, 1, 2] : [0, 9], maskWidth, matte);
      const r = flattenImageAlpha(doc);
      expect(r.flattened).toBe(0);
      expect(r.refused).toEqual([{ width: 2, height: 1, pages: [1], why: expect.stringMatching(why) }]);
      expect((doc.context.lookup(image) as PDFRawStream).dict.get(PDFName.of('SMask'))).toBeDefined();
    }
  });
});
