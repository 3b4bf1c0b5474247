import { FACES, faceSize, fontFaceRule, faceLicense, subsetFace } from '../fonts/faces.js';
import { faceUsage, type Usage } from '../fonts/usage.js';

export interface EpubFonts {
  /** fonts/<name> → bytes: one WOFF2 subset per face the book uses, and the licences. */
  files: Map<string, Buffer>;
  /** @font-face rules and the family stacks (custom properties are not for EPUB 2 readers: literal). */
  css: string;
  /** Bytes of the full fonts and of the subsets, and the characters, for the build report. */
  before: number;
  after: number;
  glyphs: number;
  /** The font names, for the imprint line. */
  names: string[];
}

/** epub.css with the @font-face rules after its @namespace rule (which must come first). */
export function epubCss(template: string, fontFaces: string): string {
  const ns = /^@namespace[^\n]*\n/m.exec(template);
  if (!ns) return `${fontFaces}${template}`;
  const at = ns.index + ns[0].length;
  return `${template.slice(0, at)}${fontFaces}${template.slice(at)}`;
}

/** The families a usage needs, by their names, for the imprint's font line. */
export function familyNames(usage: Usage): string[] {
  return [...new Set(FACES.filter((f) => usage.faces.get(f.id)?.size).map((f) => FAMILY_NAMES[f.family]))];
}

/**
 * The EPUB's fonts: like print, one harfbuzz subset per face (serif, its bold, sans, mono) of exactly the
 * characters the EPUB sets in that face (the face table of fonts/usage.ts, which epub.css follows), WOFF2.
 * @example const f = await epubFonts(['<h1>援藏</h1><p>三十年</p>']); [...f.files.keys()]
 */
export async function epubFonts(html: string[], usage: Usage = faceUsage(html.join('\n'))): Promise<EpubFonts> {
  const files = new Map<string, Buffer>();
  let css = '';
  let before = 0;
  let after = 0;
  let glyphs = 0;
  const licences = new Map<string, string>();
  for (const f of FACES) {
    const set = usage.faces.get(f.id);
    if (!set?.size) continue;
    const chars = [...set].sort().join('');
    const data = await subsetFace(f, chars, 'woff2');
    const name = `${f.id}.woff2`;
    files.set(name, data);
    before += faceSize(f);
    after += data.byteLength;
    glyphs += set.size;
    licences.set(f.pkg, faceLicense(f));
    css += fontFaceRule(f, `fonts/${name}`, 'woff2');
  }
  files.set('OFL.txt', Buffer.from([...licences.values()].join('\n\n')));
  return { files, css, before, after, glyphs, names: familyNames(usage) };
}

const FAMILY_NAMES = { serif: 'Noto Serif SC', sans: 'Noto Sans SC', mono: 'JetBrains Mono' } as const;
