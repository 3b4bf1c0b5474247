import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { cacheKey, openCache } from '../cache/cache.js';

const require = createRequire(import.meta.url);

export type Family = 'serif' | 'sans' | 'mono';
export type FaceId = `${Family}-${'regular' | 'bold'}`;

export interface Face {
  id: FaceId;
  family: Family;
  /** The CSS family name the templates use; the PDF shows the font's own PostScript name. */
  css: string;
  weight: 400 | 700;
  pkg: string;
  file: string;
}

/**
 * The faces Folio sets type in: static TrueType-outline fonts (glyf, not CFF), pinned npm packages,
 * so Chromium embeds them as CID TrueType, never Type 3. Their PostScript names say their weight
 * (NotoSerifSC-Bold, JetBrainsMono-Regular …): the PDF's font list reads as the faces it uses.
 */
export const FACES: readonly Face[] = [
  face('serif', 400, '@expo-google-fonts/noto-serif-sc', '400Regular/NotoSerifSC_400Regular.ttf'),
  face('serif', 700, '@expo-google-fonts/noto-serif-sc', '700Bold/NotoSerifSC_700Bold.ttf'),
  face('sans', 400, '@expo-google-fonts/noto-sans-sc', '400Regular/NotoSansSC_400Regular.ttf'),
  face('sans', 700, '@expo-google-fonts/noto-sans-sc', '700Bold/NotoSansSC_700Bold.ttf'),
  face('mono', 400, '@expo-google-fonts/jetbrains-mono', '400Regular/JetBrainsMono_400Regular.ttf'),
  face('mono', 700, '@expo-google-fonts/jetbrains-mono', '700Bold/JetBrainsMono_700Bold.ttf'),
];

function face(family: Family, weight: 400 | 700, pkg: string, file: string): Face {
  const css = { serif: 'Folio Serif', sans: 'Folio Sans', mono: 'Folio Mono' }[family];
  return { id: `${family}-${weight === 700 ? 'bold' : 'regular'}`, family, css, weight, pkg, file };
}

/**
 * Each family's fallback order. Every stack ends in embedded faces, never a system font: Chinese in
 * code falls to the sans (as in an editor), a character the serif lacks to the sans and back.
 */
export const STACKS: Record<Family, Family[]> = {
  serif: ['serif', 'sans'],
  sans: ['sans', 'serif'],
  mono: ['mono', 'sans', 'serif'],
};

/** A CSS font-family value for a family: only embedded faces. */
export function cssStack(family: Family): string {
  return STACKS[family].map((f) => `'${faceOf(f, 400).css}'`).join(', ');
}

export function faceOf(family: Family, weight: number): Face {
  const bold = weight >= 600;
  return FACES.find((f) => f.family === family && f.weight === (bold ? 700 : 400))!;
}

/**
 * Characters a Latin face must leave to the CJK face after it: Chinese quotes drawn by a Latin font are
 * narrow and off-centre (typography.md), and full-width marks must pair within the CJK font.
 */
const CJK_ONLY = new Set([...'“”‘’—…·'].map((c) => c.codePointAt(0)!));

export function faceFile(f: Face): string {
  return path.join(path.dirname(require.resolve(`${f.pkg}/package.json`)), f.file);
}

const bytes = new Map<FaceId, Buffer>();
const cmaps = new Map<FaceId, { hasGlyphForCodePoint(cp: number): boolean }>();

export function faceBytes(f: Face): Buffer {
  let b = bytes.get(f.id);
  if (!b) bytes.set(f.id, (b = readFileSync(faceFile(f))));
  return b;
}

/** Whether the face's source font draws the code point (its cmap, read with fontkit). */
export function covers(f: Face, cp: number): boolean {
  if (f.family === 'mono' && CJK_ONLY.has(cp)) return false;
  let font = cmaps.get(f.id);
  if (!font) cmaps.set(f.id, (font = fontkit.create(faceBytes(f))));
  return font.hasGlyphForCodePoint(cp);
}

/** Code points that need no glyph: controls, joiners and variation selectors (spaces do: Chromium draws them). */
export function isIgnorable(cp: number): boolean {
  return (
    cp < 0x20 ||
    cp === 0xad ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

/** The face that draws a code point set in `family` at `weight`: the first in its stack that covers it. */
export function resolveFace(family: Family, weight: number, cp: number): Face | undefined {
  for (const fam of STACKS[family]) {
    const f = faceOf(fam, weight);
    if (covers(f, cp)) return f;
  }
  return undefined;
}

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

/**
 * One harfbuzz subset of a face (all its layout features kept: halt/chws for 标点挤压), cached by font,
 * characters, format and subsetter. Characters are sorted, so the same text always gives the same bytes.
 * @example const ttf = await subsetFace(faceOf('serif', 400), '缘藏30载', 'sfnt');
 */
export async function subsetFace(f: Face, text: string, format: 'sfnt' | 'woff2'): Promise<Buffer> {
  const chars = [...new Set(text)].sort().join('');
  const full = faceBytes(f);
  const cache = openCache('font-subsets');
  const key = cacheKey('folio-font-subset-2', SUBSETTER, full, chars, format);
  let data = await cache.get(key);
  if (!data) {
    const { default: subsetFont } = await import('subset-font');
    data = await subsetFont(full, chars, { targetFormat: format });
    await cache.put(key, data);
  }
  return data;
}

export function faceLicense(f: Face): string {
  return readFileSync(path.join(path.dirname(require.resolve(`${f.pkg}/package.json`)), 'LICENSE_FONT'), 'utf8');
}

/** An @font-face rule for a face's file. */
export function fontFaceRule(f: Face, url: string, format: 'truetype' | 'woff2', display?: 'block'): string {
  const lines = [
    `font-family: '${f.css}';`,
    `src: url(${url}) format('${format}');`,
    `font-weight: ${f.weight};`,
    'font-style: normal;',
    ...(display ? [`font-display: ${display};`] : []),
  ];
  return `@font-face {\n${lines.map((l) => `  ${l}\n`).join('')}}\n`;
}
