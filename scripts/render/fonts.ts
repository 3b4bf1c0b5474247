import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The fonts Folio typesets with: TrueType-outline CJK faces, so Chromium embeds CID TrueType, never Type 3. */
export const FONT_PACKAGES = [
  { pkg: '@fontsource/noto-serif-sc', weights: [400, 700] },
  { pkg: '@fontsource/noto-sans-sc', weights: [400, 700, 900] },
] as const;

export interface FontMount {
  /** URL prefix under the build origin, e.g. `fonts/noto-serif-sc/`. */
  prefix: string;
  dir: string;
}

/**
 * @font-face rules pointing at the pinned npm font files, woff2 only, served from the build origin.
 * Chromium fetches only the unicode-range slices the text uses.
 */
export function fontCss(): { css: string; mounts: FontMount[] } {
  const mounts: FontMount[] = [];
  let css = '';
  for (const { pkg, weights } of FONT_PACKAGES) {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    const name = pkg.split('/')[1]!;
    const prefix = `fonts/${name}/`;
    mounts.push({ prefix, dir: path.join(dir, 'files') });
    for (const w of weights) {
      const src = readFileSync(path.join(dir, `${w}.css`), 'utf8');
      css += src
        .replace(/,\s*url\(\.\/files\/[^)]+\.woff\) format\('woff'\)/g, '')
        .replace(/url\(\.\/files\//g, `url(${prefix}`)
        .replace(/font-display: swap;/g, 'font-display: block;');
    }
  }
  return { css, mounts };
}
