import { cssStack } from '../fonts/faces.js';
/** Page geometry on a character grid (版心): whole characters per line, whole lines per page. */
export interface Geometry {
  width: number; // pt
  height: number; // pt
  em: number; // body size, pt
  line: number; // line pitch, pt
  chars: number;
  lines: number;
  top: number;
  bottom: number;
  inner: number;
  outer: number;
}

export const MM = 72 / 25.4;

/**
 * Text block = chars × em wide and lines × pitch high; the inner margin is the larger one
 * (a stapled booklet loses paper to the fold).
 * @example computeGeometry({ width: 148, height: 210 }).chars // 30
 */
export function computeGeometry(trim: { width: number; height: number }, em = 10.5, line = 18): Geometry {
  const width = round(trim.width * MM);
  const height = round(trim.height * MM);
  const chars = Math.max(10, Math.floor((width - width * 0.24) / em));
  const lines = Math.max(10, Math.floor((height - height * 0.21) / line));
  const spareX = width - chars * em;
  const spareY = height - lines * line;
  const inner = round(spareX * 0.57);
  const top = round(spareY * 0.45);
  return {
    width,
    height,
    em,
    line,
    chars,
    lines,
    top,
    bottom: round(spareY - top),
    inner,
    outer: round(spareX - inner),
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** CSS string literal. */
export const cssString = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\A ')}"`;

/** The page backgrounds that are not paper: under the cover picture (or art), and the back cover. */
export const COVER_COLOUR = '#123a5e';
export const BACK_COLOUR = '#1d4f7a';

/** The @page rules: size, margins, running heads and folios. Kept literal because Paged.js parses them. */
export function pageCss(g: Geometry, bookTitle: string, opts: { bleedMm: number; coverBackground: string }): string {
  const head = `font-family: ${cssStack('sans')}; font-size: 8pt; color: #5d5d5d; letter-spacing: 0.1em;`;
  const folio = `font-family: ${cssStack('sans')}; font-size: 8.5pt; color: #1b1b1b;`;
  const none = ['top-left', 'top-right', 'top-center', 'bottom-left', 'bottom-right', 'bottom-center']
    .map((box) => `@${box} { content: none; }`)
    .join(' ');
  // One layout serves booklet and press: the page carries its bleed; the booklet is cropped to the trim.
  return `@page {
  size: ${g.width}pt ${g.height}pt;
  bleed: ${opts.bleedMm}mm;
  margin: ${g.top}pt ${g.outer}pt ${g.bottom}pt ${g.inner}pt;
}
@page :left {
  margin-left: ${g.outer}pt; margin-right: ${g.inner}pt;
  @top-left { content: ${cssString(bookTitle)}; ${head} vertical-align: bottom; padding-bottom: 9pt; }
  @bottom-left { content: counter(page); ${folio} vertical-align: top; padding-top: 12pt; }
}
@page :right {
  margin-left: ${g.inner}pt; margin-right: ${g.outer}pt;
  @top-right { content: string(chapter, first); ${head} vertical-align: bottom; padding-bottom: 9pt; }
  @bottom-right { content: counter(page); ${folio} vertical-align: top; padding-top: 12pt; }
}
@page cover { margin: 0; background: ${opts.coverBackground}; ${none} }
@page back { margin: 0; background: ${BACK_COLOUR}; ${none} }
@page front { ${none} }
@page toc { @top-left { content: none; } @top-right { content: none; } }
@page chapter:first { ${none} }
@page :blank { ${none} }
:root { --text-width: ${g.chars * g.em}pt; --text-height: ${g.lines * g.line}pt; }
`;
}
