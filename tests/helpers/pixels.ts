// Pixels of a screenshot, decoded by the browser itself (no PNG library): an <img> drawn on a canvas.
import type { Browser } from 'puppeteer-core';

export type Rgb = [number, number, number];

/** The RGB of each pixel along horizontal runs of a PNG: runs[i] = { y, x0, x1 } → x0 … x1 inclusive. */
export async function pixelRuns(
  browser: Browser,
  png: Uint8Array,
  runs: { y: number; x0: number; x1: number }[],
): Promise<Rgb[][]> {
  const page = await browser.newPage();
  try {
    const url = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
    return await page.evaluate(
      async (src, want) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        return want.map(({ y, x0, x1 }) => {
          const d = ctx.getImageData(Math.round(x0), Math.round(y), Math.round(x1) - Math.round(x0) + 1, 1).data;
          const out: [number, number, number][] = [];
          for (let i = 0; i < d.length; i += 4) out.push([d[i]!, d[i + 1]!, d[i + 2]!]);
          return out;
        });
      },
      url,
      runs,
    );
  } finally {
    await page.close();
  }
}

/** Near-white paper. */
export const isPaper = ([r, g, b]: Rgb): boolean => r > 245 && g > 245 && b > 245;
/** The preview's neutral grey (#7d8084), not paper and not ink. */
export const isGrey = ([r, g, b]: Rgb): boolean =>
  Math.abs(r - 0x7d) < 12 && Math.abs(g - 0x80) < 12 && Math.abs(b - 0x84) < 12;
