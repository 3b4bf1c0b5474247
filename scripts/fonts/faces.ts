import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { cacheKey, openCache, syncEntries } from '../cache/cache.js';

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
const digests = new Map<FaceId, Buffer>();
const cmaps = new Map<FaceId, Uint32Array>();

export function faceBytes(f: Face): Buffer {
  let b = bytes.get(f.id);
  if (!b) bytes.set(f.id, (b = readFileSync(faceFile(f))));
  return b;
}

/** The face file's size in bytes, without reading it. */
export const faceSize = (f: Face): number => statSync(faceFile(f)).size;

/**
 * SHA-256 of the face file: what the caches of its character map and subsets are keyed by. Remembered
 * by the file's identity (path, size, modification time, inode), as git trusts its index, so a build
 * reads and hashes the 10–15 MB files only when one changed; otherwise the bytes themselves.
 */
export function faceDigest(f: Face): Buffer {
  let d = digests.get(f.id);
  if (d) return d;
  const file = faceFile(f);
  const st = statSync(file);
  const identity = cacheKey('folio-face-digest-1', file, `${st.size} ${st.mtimeMs} ${st.ino}`);
  d = syncEntries.get('face-digests', identity);
  if (d?.byteLength !== 32) {
    d = createHash('sha256').update(faceBytes(f)).digest();
    syncEntries.put('face-digests', identity, d);
  }
  digests.set(f.id, d);
  return d;
}

/** fontkit's version: part of the character map's cache key. */
const FONTKIT = `@pdf-lib/fontkit@${packageVersion('@pdf-lib/fontkit')}`;

/**
 * The code points a face draws, as sorted [first, last] ranges: read once from its cmap with fontkit
 * (loaded only then: it costs ~0.15 s to load), then kept in the cache by the face's digest.
 */
function cmapOf(f: Face): Uint32Array {
  let ranges = cmaps.get(f.id);
  if (ranges) return ranges;
  const key = cacheKey('folio-cmap-1', FONTKIT, faceDigest(f));
  const kept = syncEntries.get('face-cmaps', key);
  if (kept && kept.byteLength % 8 === 0) {
    ranges = new Uint32Array(kept.byteLength / 4);
    for (let i = 0; i < ranges.length; i++) ranges[i] = kept.readUInt32LE(i * 4);
  } else {
    ranges = readCmap(faceBytes(f));
    const out = Buffer.alloc(ranges.length * 4);
    ranges.forEach((v, i) => out.writeUInt32LE(v, i * 4));
    syncEntries.put('face-cmaps', key, out);
  }
  cmaps.set(f.id, ranges);
  return ranges;
}

/** The code points with a glyph in the font's cmap, as sorted [first, last] ranges. */
export function readCmap(font: Buffer): Uint32Array {
  const fontkit = require('@pdf-lib/fontkit') as typeof import('@pdf-lib/fontkit');
  const parsed = fontkit.create(font);
  const points = [...new Set(parsed.characterSet)]
    .filter((cp) => parsed.hasGlyphForCodePoint(cp))
    .sort((a, b) => a - b);
  const ranges: number[] = [];
  for (const cp of points) {
    if (ranges.length && ranges.at(-1) === cp - 1) ranges[ranges.length - 1] = cp;
    else ranges.push(cp, cp);
  }
  return Uint32Array.from(ranges);
}

/** Whether the face's source font draws the code point (its cmap). */
export function covers(f: Face, cp: number): boolean {
  if (f.family === 'mono' && CJK_ONLY.has(cp)) return false;
  const r = cmapOf(f);
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (cp < r[mid * 2]!) hi = mid - 1;
    else if (cp > r[mid * 2 + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
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
  const cache = openCache('font-subsets');
  const key = cacheKey('folio-font-subset-3', SUBSETTER, faceDigest(f), chars, format);
  let data = await cache.get(key);
  if (!data) {
    data = await subsetInWorker(faceFile(f), chars, format);
    await cache.put(key, data);
  }
  return data;
}

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();

/** One subset made in the subsetting worker (scripts/fonts/subset-worker.js), started on first use. */
function subsetInWorker(file: string, chars: string, format: 'sfnt' | 'woff2'): Promise<Buffer> {
  if (!worker) {
    const w = new Worker(new URL('./subset-worker.js', import.meta.url));
    w.unref(); // idle between requests: it never keeps the process alive
    w.on('message', ({ id, data, error }: { id: number; data?: Uint8Array; error?: string }) => {
      const job = waiting.get(id);
      waiting.delete(id);
      if (!waiting.size) w.unref();
      if (error !== undefined || !data) job?.reject(new Error(`font subsetting failed: ${error}`));
      else job?.resolve(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    });
    const fail = (e: Error) => {
      worker = undefined;
      for (const job of waiting.values()) job.reject(e);
      waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the font subsetting worker exited (${code})`)));
    worker = w;
  }
  const id = nextId++;
  const w = worker;
  w.ref(); // a request pending: the process waits for its answer
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, file, chars, format });
  });
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
