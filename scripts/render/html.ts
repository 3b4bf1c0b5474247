import { hrefOf } from '../manuscript/paths.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mustache from 'mustache';
import type { Book } from '../model/book.js';
import { identification, imprintFigures, imprintLines, imprintNotes } from '../model/imprint.js';
import { initialPlan, type PagePlan } from '../model/plan.js';
import { coverArt } from './cover-art.js';
import { escapeXml } from './escape.js';
import { bookTexts } from './texts.js';
import { addText, faceUsage, type Usage } from '../fonts/usage.js';
import { printFonts, type FontMount, type LazyFile, type PrintFonts } from './fonts.js';
import { computeGeometry, COVER_COLOUR, type Geometry, MM, pageCss } from './geometry.js';

import { FOLIO_VERSION } from '../version.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/** Everything the browser may load: in-memory files plus read-only folders mounted under a prefix. */
export interface HtmlBundle {
  entry: string;
  files: Map<string, string | Uint8Array>;
  mounts: FontMount[];
  /** Files made when first requested (the font subsets). */
  lazy?: Map<string, LazyFile>;
  geometry: Geometry;
  /** The faces the booklet uses and their characters; characters no face has (font-missing-glyph). */
  fonts?: PrintFonts['faces'];
  usage?: Usage;
}

/**
 * Renders the booklet HTML. Reads no manuscript file (the model carries everything); its only reads are
 * Folio's own templates (`templatesDir/booklet`) and the pinned fonts' CSS (render/fonts.ts).
 * @example const bundle = renderHtml(book); bundle.files.get('index.html')
 */
export function renderHtml(
  book: Book,
  templatesDir = TEMPLATES_DIR,
  plan: PagePlan = initialPlan(book.chapters.length),
): HtmlBundle {
  const dir = path.join(templatesDir, 'booklet');
  const template = readFileSync(path.join(dir, 'book.html'), 'utf8');
  const { meta } = book;
  const geometry = computeGeometry(meta.trim);
  const css = readFileSync(path.join(dir, 'booklet.css'), 'utf8');
  const coverHref = book.cover ? `m/${hrefOf(book.root, book.cover)}` : undefined;
  const view = {
    meta,
    version: FOLIO_VERSION,
    authorsJoined: meta.authors.join('　'),
    titleLines: meta.title.split(/\s+/).filter(Boolean).map(displayHtml),
    titleHtml: displayHtml(meta.title),
    subtitleHtml: displayHtml(meta.subtitle ?? ''),
    // 印张 and 字数 are set again from the final page count before printing (paginate's `finalize`)
    imprint: imprintLines(meta, figuresFor(book, plan.pages ?? 0)),
    imprintNotes: imprintNotes(meta),
    cip: meta.imprint?.cip,
    backLines: backCoverLines(meta),
    plan: {
      toc: plan.toc,
      blanks: Array.from({ length: plan.blanks }, (_, i) => i),
      bodyClass: plan.chapterStart === 'page' ? 'plan-chapter-any' : 'plan-chapter-right',
      // the break rules match the chapter sections (Paged.js looks for them inside the body)
      chapterClass: plan.chapterStart === 'page' ? ' chapter-any' : '',
    },
    coverHref,
    toc: book.headings.filter((h) => h.level <= 2),
    chapters: book.chapters,
  };
  const html = Mustache.render(template, view, {}, { escape: escapeXml });
  const pages = pageCss(geometry, meta.title, {
    bleedMm: meta.press.bleed,
    coverBackground: coverHref
      ? `${COVER_COLOUR} url(${coverHref}) center / cover no-repeat`
      : `${COVER_COLOUR} url(cover-art.svg) center / cover no-repeat`,
  });
  const content = contentCss(book);
  const usage = bookletUsage(html, book);
  const fonts = printFonts(usage);
  const files = new Map<string, string | Uint8Array>([
    ['index.html', html],
    ['booklet.css', css],
    ['page.css', pages],
    ['content.css', content],
    ['fonts.css', fonts.css],
    ['cover-art.svg', coverArt(geometry.width, geometry.height, meta.press.bleed * MM)],
  ]);
  return { entry: 'index.html', files, mounts: [], lazy: fonts.lazy, geometry, fonts: fonts.faces, usage };
}

/**
 * Every character the booklet shows, by face: the HTML's text (faces as booklet.css assigns them) and
 * what the CSS generates (contentCss, page.css): the caption mark, page references and link addresses
 * after links, running heads (book and chapter titles, sans), folios, contents page numbers (sans) and
 * footnote numbers (digits).
 */
function bookletUsage(html: string, book: Book): Usage {
  const t = bookTexts(book.meta.language);
  const digits = '0123456789';
  const usage = faceUsage(html, undefined, (tag, attribs) => {
    const cls = ` ${attribs.class ?? ''} `;
    if (tag === 'figcaption') return book.meta.captions.mark ? `${book.meta.captions.mark} ` : '';
    if (tag === 'a' && cls.includes(' xref ')) return `${t.seePage.join('')}${digits}`;
    return undefined;
  });
  const titles = book.headings.filter((h) => h.level === 1).map((h) => h.text);
  addText(usage, 'sans', 400, `${book.meta.title}${titles.join('')}${digits}`);
  addText(usage, 'sans', 700, digits);
  // the 版权页's 印张 (0.375) and 字数 are set after layout, from the final page count
  addText(usage, 'serif', 400, `${digits}.`);
  return usage;
}

/**
 * The stylesheet rules that depend on the book: the caption mark, footnote numbers (per chapter: the
 * number written on each note; per page: Paged.js counters started again on every page) and the words
 * of page references (after internal links in the text and in footnotes), in the book's language.
 */
export function contentCss(book: Book): string {
  const { meta } = book;
  const t = bookTexts(meta.language);
  const str = (s: string) => JSON.stringify(s);
  const rules = [
    `:root { --caption-mark: ${meta.captions.mark ? str(`${meta.captions.mark} `) : 'none'}; }`,
    // a note is floated out of .chapter into the page's footnote area: its links get the page too
    `.chapter a.xref::after, .footnote a.xref::after { content: ${str(t.seePage[0])} ` +
      `target-counter(attr(href url), page) ${str(t.seePage[1])}; }`,
  ];
  if (meta.footnotes.numbering === 'page') {
    // the counters start again on every page (pageNoteNumbersHandler); a note continued from the page before
    // carries no number of its own there
    rules.push('.footnote[data-footnote-marker]::before { content: counter(footnote-marker); }');
    rules.push('.footnote[data-footnote-marker][data-split-from]::before { content: none; }');
  } else {
    const most = Math.max(0, ...book.chapters.map((c) => c.notes));
    for (let n = 1; n <= most; n++) rules.push(`[data-footnote-call].fn-${n}::after { content: '${n}'; }`);
    rules.push('.footnote[data-footnote-marker]::before { content: attr(data-n); }');
  }
  return `${rules.join('\n')}\n`;
}

/**
 * Display text (titles on cover, title page and back cover) escaped, with runs of digits and Latin letters
 * in `<span class="nosp">`: the display letter-spacing opens up Chinese, but "30" must stay one number.
 * @example displayHtml('缘藏30载') // '缘藏<span class="nosp">30</span>载'
 */
export function displayHtml(text: string): string {
  return text
    .split(/([0-9A-Za-z]+(?:[.,:/-][0-9A-Za-z]+)*)/)
    .map((part, i) => (i % 2 ? `<span class="nosp">${escapeXml(part)}</span>` : escapeXml(part)))
    .join('');
}

/** 开本, 印张 and 字数 of the booklet at `pages` pages, from its character grid. */
export function figuresFor(book: Book, pages: number) {
  const g = computeGeometry(book.meta.trim);
  return imprintFigures(book.meta.trim, { chars: g.chars, lines: g.lines }, pages);
}

/** The foot of the back cover: 书号 and 定价, or 准印证号 and 内部资料\u3000免费交流, or 非卖品. */
function backCoverLines(meta: Book['meta']): string[] {
  const id = identification(meta);
  const price = meta.imprint?.price;
  return [
    ...(id.isbn ? [`ISBN ${id.isbn}`] : []),
    ...(id.permit ? [`准印证号：${id.permit}`] : []),
    ...imprintNotes(meta),
    ...(price !== undefined ? [`定价：${price.toFixed(2)} 元`] : []),
  ];
}

/** 2026-11-29 → 2026年11月29日 (GB/T 15835: Arabic numerals). */
export function formatChineseDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}
