import { bookTexts } from '../render/texts.js';
import { createHash } from 'node:crypto';
import type { MarkdownIt } from 'markdown-it';
import type { BookYaml } from '../config/schema.js';
import { FolioError, type Reporter } from '../diagnostics/diagnostic.js';
import type { Position } from '../diagnostics/position.js';
import type { Manuscript, SourceFile } from '../manuscript/load.js';
import { createMarkdown } from '../markdown/md.js';
import { attr } from '../markdown/token.js';
import { parseChapter, type ParsedChapter } from './chapter.js';
import { declaredIds, inlineSegments, renderChapter, resolveLinks, type Segment } from './content.js';
import { slugFromTitle } from './slug.js';

export { LIMITS, NESTING_MAX } from './chapter.js';

export interface Heading {
  id: string;
  level: number;
  text: string;
  chapterId: string;
  /** Where the heading is in the manuscript. */
  source: Position;
}

export interface Figure {
  id: string;
  /** Absolute path of the image file. */
  file: string;
  /** Path relative to the manuscript root, as served to the renderer. */
  href: string;
  alt: string;
  caption: string;
  source: Position;
  /** A placeholder (FPO), not the photo: Folio's placeholders carry a PNG marker. */
  fpo: boolean;
  /** The image's size in pixels (1 × 1 for an SVG). */
  pixels?: { width: number; height: number };
}

export interface Chapter {
  id: string;
  index: number;
  file: SourceFile;
  title: string;
  /** The chapter as the EPUB reads it: footnotes after the text. */
  html: string;
  /** The chapter for print: each footnote at its call, floated to the foot of the page. */
  printHtml: string;
  /** How many footnotes the chapter has. */
  notes: number;
  headings: Heading[];
  figures: Figure[];
  /** Every block (paragraph, heading, caption, footnote), in order: the fidelity reference. */
  blocks: Block[];
}

export interface Block {
  /** A cell is compared only when long enough to be told apart (see scripts/check/fidelity.ts). */
  kind: 'paragraph' | 'heading' | 'caption' | 'footnote' | 'cell';
  /** The author's words. */
  text: string;
  /** The same with what outputs add (calls, page references, addresses), see {@link Segment}. */
  segments: Segment[];
  source: Position;
  /** A footnote's number in its chapter. */
  n?: number;
  /** A header cell: print repeats it on every page its table continues on. */
  head?: boolean;
  /** The chapter's title, or its kicker (引题): print sets the kicker above the title (typography/grid.ts). */
  opener?: 'title' | 'kicker';
}

export interface BookMeta {
  title: string;
  subtitle?: string;
  authors: string[];
  publisher?: string;
  language: string;
  date?: string;
  identifier: string;
  edition?: string;
  rights?: string;
  description?: string;
  slug: string;
  trim: { width: number; height: number; name?: string };
  footnotes: { numbering: 'chapter' | 'page' };
  captions: { mark: string };
  /** Print-shop settings (mm, %), from book.yaml `press`. */
  press: BookYaml['press'];
  /** Booklet page count asked for: a multiple of 4, or auto. */
  pages: BookYaml['pages'];
  /** 版权页 fields from book.yaml `imprint` (computed ones come from the layout). */
  imprint?: BookYaml['imprint'];
  /** Build time: SOURCE_DATE_EPOCH, else the book's date. */
  buildDate: Date;
  /** Hash of every input, shown in the build stamp. */
  contentHash: string;
}

export interface Book {
  meta: BookMeta;
  root: string;
  cover?: string;
  chapters: Chapter[];
  headings: Heading[];
  figures: Figure[];
}

/**
 * Parses every chapter into the document model: ids on headings, validated images,
 * source positions on blocks. Content problems are collected on the manuscript's reporter.
 * @example const book = buildBook(await loadManuscript('manuscript')); book.headings[0].text
 */
export function buildBook(manuscript: Manuscript, md: MarkdownIt = createMarkdown()): Book {
  const reporter = manuscript.diagnostics;
  const { root, images } = manuscript;
  const parsed = manuscript.chapters.map((file, index) => parseChapter(file, index, { root, images }, md, reporter));
  // print sets an external link's address after it as text, in the book's language
  for (const p of parsed) p.env.urlWords = bookTexts(manuscript.config.language).url;
  const chapters = linkChapters(parsed, md, reporter);
  const { config } = manuscript;
  const hash = createHash('sha256');
  hash.update(manuscript.configFile.text);
  for (const c of manuscript.chapters) hash.update(c.text);
  const contentHash = hash.digest('hex');
  const meta: BookMeta = {
    title: config.title,
    subtitle: config.subtitle,
    authors: config.authors,
    publisher: config.imprint?.publisher ?? config.publisher,
    language: config.language,
    date: config.date,
    identifier: config.identifier ?? contentUrn(config.title, config.authors, contentHash),
    edition: config.edition,
    rights: config.rights,
    description: config.description,
    slug: config.slug ?? slugFromTitle(config.title, contentHash),
    trim: manuscript.trim,
    footnotes: config.footnotes,
    captions: config.captions,
    press: config.press,
    pages: config.pages,
    imprint: config.imprint,
    buildDate: buildDate(config.date),
    contentHash,
  };
  return {
    meta,
    root: manuscript.root,
    cover: manuscript.cover,
    chapters,
    headings: chapters.flatMap((c) => c.headings),
    figures: chapters.flatMap((c) => c.figures),
  };
}

/** SOURCE_DATE_EPOCH wins (reproducible builds), then the book's date, then the epoch. */
export function buildDate(bookDate?: string): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch) return new Date(sourceDateEpoch(epoch) * 1000);
  if (bookDate) return new Date(`${bookDate}T00:00:00Z`);
  return new Date(0);
}

/** Seconds up to 9999-12-31T23:59:59Z: what a PDF date and an EPUB dcterms:modified can write. */
const EPOCH_MAX = 253_402_300_799;

/** SOURCE_DATE_EPOCH as seconds: whole, non-negative, at most year 9999; anything else a usage error. */
export function sourceDateEpoch(raw: string): number {
  const n = /^\d{1,12}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (Number.isSafeInteger(n) && n <= EPOCH_MAX) return n;
  throw new FolioError(
    [
      {
        file: 'SOURCE_DATE_EPOCH',
        line: 0,
        column: 0,
        severity: 'error',
        message: `SOURCE_DATE_EPOCH is "${raw.slice(0, 40)}", not whole seconds from 0 to ${EPOCH_MAX} (year 9999)`,
        ruleId: 'usage-source-date-epoch',
        hint: "Set it to a Unix time such as $(git log -1 --format=%ct), or unset it to use the book's date.",
      },
    ],
    2,
  );
}

/** A name-based UUID (RFC 4122 v5 layout) from the content, so the identifier never changes at random. */
function contentUrn(title: string, authors: string[], contentHash: string): string {
  const h = createHash('sha1')
    .update(`folio:${title}:${authors.join(',')}:${contentHash}`)
    .digest('hex');
  // eslint-disable-next-line no-bitwise -- RFC 4122 variant bits
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const [a, b, c, d, e] = [h.slice(0, 8), h.slice(8, 12), h.slice(13, 16), h.slice(17, 20), h.slice(20, 32)];
  return `urn:uuid:${a}-${b}-5${c}-${variant}${d}-${e}`;
}

/** Second pass over the book: heading ids made unique, internal links resolved, then each chapter rendered. */
function linkChapters(parsed: ParsedChapter[], md: MarkdownIt, reporter: Reporter): Chapter[] {
  const ids = new Map<string, string>();
  for (const p of parsed) {
    for (const h of p.chapter.headings) {
      if (!ids.has(h.id)) {
        ids.set(h.id, p.chapter.id);
        continue;
      }
      let k = 2;
      while (ids.has(`${h.id}-${k}`)) k++;
      reporter.warn({
        ...h.source,
        message: `Heading id "${h.id}" is already used; this heading gets "${h.id}-${k}"`,
        ruleId: 'heading-id-duplicate',
        hint: 'Give each heading its own {#id}: links to the id reach the first one.',
      });
      const token = p.tokens.find(
        (t) => t.type === 'heading_open' && attr(t, 'id') === h.id && t.meta?.folioHeading === h,
      );
      token?.attrSet('id', `${h.id}-${k}`);
      h.id = `${h.id}-${k}`;
      ids.set(h.id, p.chapter.id);
    }
  }
  for (const p of parsed) for (const id of declaredIds(p.tokens)) if (!ids.has(id)) ids.set(id, p.chapter.id);
  resolveLinks(
    parsed.flatMap((p) => p.links),
    ids,
    parsed.flatMap((p) => p.chapter.headings),
    reporter,
  );
  return parsed.map((p) => {
    // segments are read after resolution: an internal link's page reference needs its target
    for (const b of p.chapter.blocks) if (b.tokens) b.segments = b.tokens.flatMap((t) => inlineSegments(t));
    for (const b of p.chapter.blocks) delete b.tokens;
    return { ...p.chapter, ...renderChapter(md, p.tokens, p.env) };
  });
}
