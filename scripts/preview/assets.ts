import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAGED_HANDLERS } from '../paginate/handlers.js';
import type { HtmlBundle } from '../render/html.js';
import { analyzeTypography } from '../typography/analyze.js';
import { balanceParagraphs } from '../typography/balance.js';
import { fitGrid } from '../typography/grid.js';
import { fitTablesSource } from '../typography/tables.js';
import { MAX_GAP_FRACTION, measureLayout } from '../typography/measure.js';

const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));
const EPUB_CSS = fileURLToPath(new URL('../../templates/epub/epub.css', import.meta.url));

/** The preview's own scripts, in load order; core first (it sets up Paged.js's hooks), Paged.js last. */
const PAGED_SCRIPTS = ['typography.js', 'core.js', 'measure.js', 'chrome.js', 'viewer.js', 'panel.js'];
const EBOOK_SCRIPTS = ['core.js', 'chrome.js', 'reader.js', 'panel.js'];

export type View = 'booklet' | 'press' | 'ebook';
export const VIEWS: readonly View[] = ['booklet', 'press', 'ebook'];

/** What the in-page passes take: the stretch limit, the line grid (the book's line pitch, pt), the figure gap. */
export interface TypographyOptions {
  stretchEm: number;
  gridPt: number;
  maxGapFraction: number;
}

/**
 * The build's in-page passes as one script, serialised from the build's own functions: the paragraph
 * tracking, the table columns, the line grid and Folio's Paged.js handlers that run before Paged.js, and
 * the typography check and page measures that run after it, exactly as `folio build` and
 * `folio check --typography` run them (scripts/paginate/).
 * tsx keeps function names through an `__name` helper; the script defines it.
 */
export function typographyScript(opts: TypographyOptions): string {
  return `(function () {
  'use strict';
  var __name = function (f) { return f; };
  window.FolioTypography = {
    analyze: ${analyzeTypography.toString()},
    balance: ${balanceParagraphs.toString()},
    grid: ${fitGrid.toString()},
    tables: ${fitTablesSource()},
    handlers: [${PAGED_HANDLERS.map((h) => h.toString()).join(', ')}],
    measure: ${measureLayout.toString()},
    options: ${JSON.stringify(opts)},
  };
})();
`;
}

/**
 * Files the preview serves under /_folio/ besides Paged.js: the client, the typography passes, the EPUB css.
 * The grid defaults to the A5 book's 18 pt line; the server serves each book's own (`typographyScript`).
 */
export function clientFiles(opts: { stretchEm: number; gridPt?: number }): Map<string, { body: string; type: string }> {
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  const files = new Map<string, { body: string; type: string }>();
  for (const name of new Set([...PAGED_SCRIPTS, ...EBOOK_SCRIPTS]))
    if (name !== 'typography.js')
      files.set(name, { body: readFileSync(path.join(CLIENT_DIR, name), 'utf8'), type: js });
  const typography = { stretchEm: opts.stretchEm, gridPt: opts.gridPt ?? 18, maxGapFraction: MAX_GAP_FRACTION };
  files.set('typography.js', { body: typographyScript(typography), type: js });
  files.set('preview.css', { body: readFileSync(path.join(CLIENT_DIR, 'preview.css'), 'utf8'), type: css });
  // the EPUB's stylesheet without its @font-face: the preview has the book's fonts, not the EPUB's subset
  const epub = readFileSync(EPUB_CSS, 'utf8').replace(/@font-face\s*\{[^}]*\}/g, '');
  files.set('epub.css', { body: epub, type: css });
  return files;
}

/**
 * The page rules for the press view: the booklet's with crop and cross marks. Paged.js sets its page
 * variables (size, bleed, marks) only from the sheet that sizes the page, so the marks go into that
 * sheet's first `@page` rule; a separate `@page { marks }` sheet would be parsed and ignored.
 * @example pressPageCss('@page {\n  size: A5;\n}') // '@page {\n  marks: crop cross;\n  size: A5;\n}'
 */
export function pressPageCss(pageCss: string): string {
  return pageCss.replace(/@page\s*\{/, '@page {\n  marks: crop cross;');
}

/**
 * The book page with the preview's scripts and styles: Paged.js for booklet and press (press with the
 * crop and cross marks), the EPUB stylesheet and no Paged.js for the e-book view.
 * @example previewHtml(bundle, 'press').includes('press-page.css') // true
 */
export function previewHtml(bundle: HtmlBundle, view: View): string {
  const html = String(bundle.files.get('index.html'));
  const tags = (names: string[]) => names.map((n) => `<script src="_folio/${n}"></script>`).join('');
  // data-pagedjs-ignore: Paged.js would otherwise take the preview's own sheet in as book styles
  const ui = '<link rel="stylesheet" href="_folio/preview.css" media="screen" data-pagedjs-ignore>';
  const link = (name: string) => new RegExp(`<link rel="stylesheet" href="${name}"\\s*/?>`);
  if (!link('page\\.css').test(html)) throw new Error('preview: the book template has no page.css link');
  if (view === 'ebook')
    return html
      .replace(link('booklet\\.css'), '<link rel="stylesheet" href="_folio/epub.css">')
      .replace(link('page\\.css'), ui)
      .replace('</head>', `${tags(EBOOK_SCRIPTS)}\n</head>`);
  const pageCss = view === 'press' ? 'press-page.css' : 'page.css';
  return html
    .replace(link('page\\.css'), `<link rel="stylesheet" href="${pageCss}">${ui}`)
    .replace('</head>', `${tags(PAGED_SCRIPTS)}<script src="_folio/paged.polyfill.js"></script>\n</head>`);
}
