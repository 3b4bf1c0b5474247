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
export function fontCss(usedText?: string): { css: string; mounts: FontMount[] } {
  const used = usedText === undefined ? undefined : new Set([...usedText].map((c) => c.codePointAt(0)!));
  const mounts: FontMount[] = [];
  let css = '';
  for (const { pkg, weights } of FONT_PACKAGES) {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    const name = pkg.split('/')[1]!;
    const prefix = `fonts/${name}/`;
    mounts.push({ prefix, dir: path.join(dir, 'files') });
    for (const w of weights) {
      let src = readFileSync(path.join(dir, `${w}.css`), 'utf8');
      // Paged.js loads every declared face before it lays out: declare only the slices the book uses
      if (used)
        src = src
          .split(/(?=\/\* [^*]+ \*\/\n@font-face)/)
          .filter((block) => coversAny(block, used))
          .join('');
      css += src
        .replace(/,\s*url\(\.\/files\/[^)]+\.woff\) format\('woff'\)/g, '')
        .replace(/url\(\.\/files\//g, `url(${prefix}`)
        .replace(/font-display: swap;/g, 'font-display: block;');
    }
  }
  return { css, mounts };
}

/** Whether an @font-face block's unicode-range contains any of the code points. */
function coversAny(block: string, used: Set<number>): boolean {
  const range = /unicode-range:\s*([^;]+);/.exec(block)?.[1];
  if (!range) return true;
  for (const part of range.split(',')) {
    const m = /U\+([0-9a-f?]+)(?:-([0-9a-f]+))?/i.exec(part.trim());
    if (!m) continue;
    const lo = parseInt(m[1]!.replace(/\?/g, '0'), 16);
    const hi = m[2] ? parseInt(m[2], 16) : parseInt(m[1]!.replace(/\?/g, 'f'), 16);
    for (const cp of used) if (cp >= lo && cp <= hi) return true;
  }
  return false;
}
