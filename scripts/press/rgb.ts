// Colours without pdf-lib: the build's output stage reads them before pdf-lib is loaded (off the start-up path).

/** An 8-bit RGB colour, 0–255 a channel. */
export type Rgb = readonly [number, number, number];

/** `#rrggbb` as 0–255 channels. */
export const hexRgb = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb;
