import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cacheKey, openCache } from '../cache/cache.js';

const require = createRequire(import.meta.url);
/** The subsetter and its harfbuzz, as installed: part of the cache key. */
const SUBSETTER = ['subset-font', 'harfbuzzjs'].map((p) => `${p}@${packageVersion(p)}`).join(' ');

function packageVersion(name: string): string {
  // harfbuzzjs does not export its package.json: walk up from its entry point
  for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === name) return pkg.version ?? '?';
    } catch {
      /* no package.json here */
    }
  }
  return '?';
}

/** The full Noto Serif SC (Google Fonts static TTF, OFL 1.1), pinned as an npm dependency. */
export const TEXT_FONT = {
  pkg: '@expo-google-fonts/noto-serif-sc',
  file: '400Regular/NotoSerifSC_400Regular.ttf',
  family: 'Folio Noto Serif SC',
  name: 'noto-serif-sc-subset.woff2',
};

export interface SubsetFont {
  data: Buffer;
  /** Bytes of the full font and of the subset, for the build report. */
  before: number;
  after: number;
  glyphs: number;
  license: string;
}

/**
 * Subsets the text font to the characters the book uses (harfbuzz via subset-font), as WOFF2.
 * @example const f = await subsetTextFont('缘藏30载'); f.after < f.before
 */
export async function subsetTextFont(text: string): Promise<SubsetFont> {
  const dir = path.dirname(require.resolve(`${TEXT_FONT.pkg}/package.json`));
  const full = await readFile(path.join(dir, TEXT_FONT.file));
  const license = await readFile(path.join(dir, 'LICENSE_FONT'), 'utf8');
  // Characters in order of first use; spaces and ASCII digits/punctuation always, for the reader's UI.
  const chars = [...new Set([...text, ...' 0123456789.,:;!?()[]-–—/%'])]
    .filter((c) => c !== '\n')
    .sort()
    .join('');
  // harfbuzz on a 14 MiB font takes about a second: keep subsets by font, characters and subsetter
  const cache = openCache('font-subsets');
  const key = cacheKey('folio-font-subset-1', SUBSETTER, full, chars, 'woff2');
  let data = await cache.get(key);
  if (!data) {
    const { default: subsetFont } = await import('subset-font');
    data = await subsetFont(full, chars, { targetFormat: 'woff2' });
    await cache.put(key, data);
  }
  return { data, before: full.byteLength, after: data.byteLength, glyphs: [...chars].length, license };
}
