import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cssStack, FACES, type FaceId, fontFaceRule, subsetFace } from '../fonts/faces.js';
import type { Usage } from '../fonts/usage.js';

const require = createRequire(import.meta.url);

export interface FontMount {
  /** URL prefix under the build origin, e.g. `fonts/noto-serif-sc/`. */
  prefix: string;
  dir: string;
}

/** A file the browser may ask for, made when first asked (a font subset): bytes, then kept. */
export type LazyFile = () => Promise<Uint8Array>;

export interface PrintFonts {
  /** @font-face rules, one per face the book uses, and the family stacks as custom properties. */
  css: string;
  /** `fonts/<face>.ttf` → its subset, made by harfbuzz when Chromium first requests it. */
  lazy: Map<string, LazyFile>;
  /** Characters per face, for the build report and the tests. */
  faces: { id: FaceId; chars: string }[];
}

/**
 * The print booklet's fonts: one harfbuzz subset per face of exactly the characters the book sets in
 * that face, TrueType (sfnt) so Chromium embeds CID TrueType. One file per face keeps a pair of
 * full-width marks in one font, where `text-spacing-trim` can compress it (标点挤压).
 * @example const f = printFonts(faceUsage(html)); f.css.includes("font-family: 'Folio Serif'")
 */
export function printFonts(usage: Usage): PrintFonts {
  const lazy = new Map<string, LazyFile>();
  const faces: PrintFonts['faces'] = [];
  const stacks = (['serif', 'sans', 'mono'] as const).map((f) => `  --${f}: ${cssStack(f)};\n`);
  let css = `:root {\n${stacks.join('')}}\n`;
  for (const f of FACES) {
    const set = usage.faces.get(f.id);
    if (!set?.size) continue;
    const chars = [...set].sort().join('');
    const file = `fonts/${f.id}.ttf`;
    let made: Promise<Uint8Array> | undefined;
    lazy.set(file, () => (made ??= subsetFace(f, chars, 'sfnt')));
    faces.push({ id: f.id, chars });
    css += fontFaceRule(f, file, 'truetype', 'block');
  }
  return { css, lazy, faces };
}

/** The @fontsource Noto faces as unicode-range slices: only for screen images (placeholders, test pages). */
export const FONT_PACKAGES = [
  { pkg: '@fontsource/noto-serif-sc', weights: [400, 700] },
  { pkg: '@fontsource/noto-sans-sc', weights: [400, 700, 900] },
] as const;

/**
 * @font-face rules pointing at the pinned @fontsource slices (woff2), served from the build origin, for
 * pages that are screenshots, not print: a slice splits pairs of marks across files, so no PDF uses this.
 */
export function sliceFontCss(): { css: string; mounts: FontMount[] } {
  const mounts: FontMount[] = [];
  let css = '';
  for (const { pkg, weights } of FONT_PACKAGES) {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    const prefix = `fonts/${pkg.split('/')[1]!}/`;
    mounts.push({ prefix, dir: path.join(dir, 'files') });
    for (const w of weights)
      css += readFileSync(path.join(dir, `${w}.css`), 'utf8')
        .replace(/,\s*url\(\.\/files\/[^)]+\.woff\) format\('woff'\)/g, '')
        .replace(/url\(\.\/files\//g, `url(${prefix}`)
        .replace(/font-display: swap;/g, 'font-display: block;');
  }
  return { css, mounts };
}
