import { Parser } from 'htmlparser2';
import { type FaceId, type Family, isIgnorable, resolveFace } from './faces.js';

/**
 * Which face each element's text is set in, as the templates' CSS says (booklet.css, epub.css): one table
 * for both, kept true by tests that compare it with Chromium's computed styles on laid-out pages.
 */
const SANS = [
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'figcaption', 'caption', 'th', 'dt', 'blockquote', '.fn-again'],
  ...['.kicker', '.byline', '.dek', '.pullquote', '.cover', '.tp-title', '.tp-subtitle', '.toc-title', '.toc-l1'],
  '.back-title',
];
const MONO = ['code', 'pre', 'kbd', 'samp'];
/** Footnotes float out of their paragraph: set in the regular serif wherever they are called. */
const SERIF_REGULAR = ['.footnote'];
const BOLD = [
  ...['strong', 'b', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'th', 'caption'],
  ...['.tp-title', '.toc-title', '.toc-l1', '.cover-title'],
];
/** Text the CSS generates inside an element (::before, ::marker, emphasis marks), set in its face. */
const GENERATED: Record<string, string> = {
  em: '•', // text-emphasis: filled dot draws U+2022 in the element's font
  li: '•.0123456789',
};

/** Text a template's CSS generates for an element beyond the table above (a caption mark, a page reference). */
export type Generated = (tag: string, attribs: Record<string, string>) => string | undefined;
const SKIP = new Set(['head', 'script', 'style', 'template', 'title']);

interface Ctx {
  family: Family;
  weight: number;
  skip: boolean;
}

export interface Usage {
  /** Characters each face draws. */
  faces: Map<FaceId, Set<string>>;
  /** Characters no face in their stack draws, with the text around their first use. */
  missing: Map<string, string>;
}

const matches = (sel: string, tag: string, classes: string[]) =>
  sel.startsWith('.') ? classes.includes(sel.slice(1)) : sel === tag;

function enter(parent: Ctx, tag: string, classes: string[]): Ctx {
  const has = (list: string[]) => list.some((s) => matches(s, tag, classes));
  if (has(SERIF_REGULAR)) return { family: 'serif', weight: 400, skip: parent.skip || SKIP.has(tag) };
  return {
    family: has(MONO) ? 'mono' : has(SANS) ? 'sans' : parent.family,
    weight: has(BOLD) ? 700 : parent.weight,
    skip: parent.skip || SKIP.has(tag),
  };
}

/** Adds text set in a family and weight to the faces that draw it (the first in the stack that covers). */
export function addText(usage: Usage, family: Family, weight: number, text: string): void {
  // white space collapses to U+0020, which Chromium draws with the face like any other character
  for (const ch of text.replace(/[\t\n\r\f]/g, ' ')) {
    const cp = ch.codePointAt(0)!;
    if (isIgnorable(cp)) continue;
    const face = resolveFace(family, weight, cp);
    if (!face) {
      if (!usage.missing.has(ch)) usage.missing.set(ch, text.trim().slice(0, 24));
      continue;
    }
    let set = usage.faces.get(face.id);
    if (!set) usage.faces.set(face.id, (set = new Set()));
    set.add(ch);
  }
}

export function emptyUsage(): Usage {
  return { faces: new Map(), missing: new Map() };
}

/**
 * The characters each face draws in an HTML document (or fragment), following the face table above.
 * @example const u = faceUsage('<h1>援藏</h1><p>三十年</p>'); u.faces.get('sans-bold') // Set {援, 藏}
 */
export function faceUsage(html: string, usage: Usage = emptyUsage(), generated?: Generated): Usage {
  const stack: Ctx[] = [{ family: 'serif', weight: 400, skip: false }];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const ctx = enter(stack.at(-1)!, name, (attribs.class ?? '').split(/\s+/).filter(Boolean));
        stack.push(ctx);
        const extra = `${GENERATED[name] ?? ''}${generated?.(name, attribs) ?? ''}`;
        if (extra && !ctx.skip) addText(usage, ctx.family, ctx.weight, extra);
      },
      ontext(text) {
        const ctx = stack.at(-1)!;
        if (!ctx.skip) addText(usage, ctx.family, ctx.weight, text);
      },
      onclosetag() {
        if (stack.length > 1) stack.pop();
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  return usage;
}
