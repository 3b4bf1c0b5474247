import { createHash } from 'node:crypto';
import path from 'node:path';
import type { MarkdownIt, Token } from 'markdown-it';
import type { BookYaml } from '../config/schema.js';
import { FolioError, Reporter } from '../diagnostics/diagnostic.js';
import { type Position, toDataSrc } from '../diagnostics/position.js';
import { escapeMessage } from '../manuscript/confine.js';
import { displayPath, type ImageFile, type Manuscript, type SourceFile } from '../manuscript/load.js';
import { hrefOf, PATH_MESSAGES, resolveInside } from '../manuscript/paths.js';
import { checkImage } from '../manuscript/image.js';
import { isFpoPng } from '../manuscript/png.js';

/** Limits that keep one block from breaking the layout engine; beyond them the manuscript is wrong. */
export const LIMITS = { headingChars: 200, paragraphChars: 20_000 };
import { checkHtml } from '../markdown/html-policy.js';
import { createMarkdown } from '../markdown/md.js';
import { attr } from '../markdown/token.js';
import {
  classifyLink,
  declaredIds,
  inlineSegments,
  type LinkRef,
  renderChapter,
  resolveLinks,
  type Segment,
  segmentText,
} from './content.js';
import { slugFromTitle } from './slug.js';

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

/** Lists and block quotes nested deeper than this are refused: the booklet lost everything past 9 levels. */
export const NESTING_MAX = 8;
const CONTAINERS = new Set(['blockquote_open', 'bullet_list_open', 'ordered_list_open']);
const CONTAINERS_CLOSE = new Set(['blockquote_close', 'bullet_list_close', 'ordered_list_close']);

/** The first list or block quote past NESTING_MAX levels is an error at its line: never silently dropped. */
function checkNesting(tokens: Token[], file: SourceFile, reporter: Reporter): void {
  let depth = 0;
  for (const t of tokens) {
    if (CONTAINERS_CLOSE.has(t.type)) depth--;
    if (!CONTAINERS.has(t.type) || ++depth <= NESTING_MAX) continue;
    reporter.error({
      file: file.display,
      line: (t.map?.[0] ?? 0) + 1,
      column: 1,
      message: `Lists and block quotes nested ${depth} levels deep (the limit is ${NESTING_MAX})`,
      ruleId: 'nesting-too-deep',
      hint: 'Flatten the structure: deeper levels cannot be laid out and would be lost.',
    });
    return;
  }
}

/**
 * Paged.js finds its pages, areas and break tokens by `pagedjs_*` classes and ids: one written in
 * the manuscript ({.pagedjs_page}) is taken for a page and breaks the page count and imposition.
 */
function checkReservedNames(tokens: Token[], file: SourceFile, reporter: Reporter): void {
  for (const t of tokens.flatMap((x) => [x, ...(x.children ?? [])])) {
    for (const name of ['class', 'id']) {
      const value = t.attrGet(name);
      if (!value || !/(^|\s)pagedjs/i.test(String(value))) continue;
      reporter.error({
        file: file.display,
        line: (t.map?.[0] ?? 0) + 1,
        column: 1,
        message: `The ${name} "${value}" is reserved for Paged.js (pagedjs_…)`,
        ruleId: 'attr-reserved',
        hint: 'Choose another name: Paged.js marks its own pages with pagedjs_ classes.',
      });
    }
  }
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

function inlineText(token: Token | undefined): string {
  return segmentText(inlineSegments(token));
}

interface ParsedChapter {
  chapter: Omit<Chapter, 'html' | 'printHtml' | 'notes' | 'blocks'> & { blocks: (Block & { tokens?: Token[] })[] };
  tokens: Token[];
  env: Record<string, unknown>;
  links: LinkRef[];
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

function parseChapter(
  file: SourceFile,
  index: number,
  { root, images }: { root: string; images: Map<string, ImageFile> },
  md: MarkdownIt,
  reporter: Reporter,
): ParsedChapter {
  const id = `ch${index + 1}`;
  const env: Record<string, unknown> = { docId: id };
  const tokens = md.parse(file.text, env);
  const headings: Heading[] = [];
  const figures: Figure[] = [];
  const blocks: (Block & { tokens?: Token[] })[] = [];
  const links: LinkRef[] = [];
  let note: (Block & { tokens?: Token[] }) | undefined;
  const where = (t: Token): Position => ({ file: file.display, line: (t.map?.[0] ?? 0) + 1, column: 1 });
  let sectionCount = 0;
  let title = '';

  const walkInline = (children: Token[], line: number) => {
    for (const [ci, c] of children.entries()) {
      if (c.type === 'link_open')
        classifyLink(
          children,
          ci,
          { chapterId: id, file: file.display, line, column: columnOf(line, attr(c, 'href') ?? '') },
          links,
        );
      if (c.type === 'html_inline') checkRaw(c.content, line, c.content, columnOf(line, c.content));
      if (c.type === 'image') {
        const src = attr(c, 'src') ?? '';
        const resolved = resolveInside(root, src);
        const pos = { file: file.display, line, column: columnOf(line, src) };
        if (!resolved.ok) {
          const m = PATH_MESSAGES[resolved.problem];
          reporter.error({ ...pos, message: `${m.message}: ${src}`, ruleId: m.ruleId, hint: m.hint });
          c.attrSet('src', '');
          continue;
        }
        // read by the manuscript stage (loadImages): confined after symlinks, bytes if it is a file
        const image = images.get(resolved.path);
        const real = image?.confined;
        if (real && !real.ok) {
          reporter.error({ ...pos, ...escapeMessage(`Image ${src}`, real, displayPath(root)) });
          c.attrSet('src', '');
          continue;
        }
        if (!real || !image.bytes) {
          reporter.error({
            ...pos,
            message: `Image not found: ${src}`,
            ruleId: 'image-missing',
            hint: 'Put the file under manuscript/images/ or correct the path.',
          });
          continue;
        }
        const bytes = image.bytes;
        const checked = checkImage(bytes, src, pos, displayPath(real.path));
        for (const d of checked.problems) reporter.add(d);
        if (checked.problems.length) continue;
        const href = hrefOf(root, resolved.path);
        c.attrSet('src', `m/${href}`);
        const caption = attr(c, 'title') ?? '';
        figures.push({
          id: `${id}-fig${figures.length + 1}`,
          file: real.path,
          href,
          alt: inlineText(c),
          caption,
          source: { file: file.display, line, column: 1 },
          fpo: isFpoPng(bytes),
          pixels: checked.size,
        });
        c.attrSet('data-figure', `${id}-fig${figures.length}`);
        c.meta = { ...c.meta, size: checked.size };
      }
    }
  };
  const lines = file.text.split('\n');
  // Inline tokens carry only their block's first line: find the text on the lines of that block.
  const columnOf = (line: number, needle: string) => Math.max(1, (lines[line - 1] ?? '').indexOf(needle) + 1);
  const checkRaw = (html: string, line: number, shown: string, column = 1) => {
    const problem = checkHtml(html);
    if (problem) {
      reporter.error({
        file: file.display,
        line,
        column,
        message: `Raw HTML refused (${problem}): ${shown.trim().slice(0, 60)}`,
        ruleId: 'html-unsafe',
        hint: 'Use Markdown, or only the inline tags listed in the README (sup, sub, ruby, span …).',
      });
    }
  };

  checkNesting(tokens, file, reporter);
  checkReservedNames(tokens, file, reporter);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const line = (t.map?.[0] ?? 0) + 1;
    if (t.type === 'html_block') checkRaw(t.content, line, t.content);
    if (t.nesting === 1 && t.map && t.block) t.attrSet('data-src', toDataSrc(where(t)));
    if (t.type === 'inline' && t.children) walkInline(t.children, line);
    if (t.type === 'heading_open') {
      const level = Number(t.tag.slice(1));
      const text = inlineText(tokens[i + 1]).trim();
      if (!text)
        reporter.warn({
          file: file.display,
          line,
          column: 1,
          message: 'Empty heading',
          ruleId: 'heading-empty',
          hint: 'Write the heading text or remove the line.',
        });
      if ([...text].length > LIMITS.headingChars)
        reporter.error({
          file: file.display,
          line,
          column: 1,
          message: `Heading of ${[...text].length} characters (the limit is ${LIMITS.headingChars})`,
          ruleId: 'heading-too-long',
          hint: 'A heading is a line, not a paragraph: is a blank line missing after it?',
        });
      let hid = attr(t, 'id');
      if (!hid) {
        hid = level === 1 && !title ? `${id}-title` : `${id}-s${++sectionCount}`;
        t.attrSet('id', hid);
      }
      if (level === 1 && !title) title = text;
      const heading = { id: hid, level, text, chapterId: id, source: where(t) };
      t.meta = { ...t.meta, folioHeading: heading };
      headings.push(heading);
      blocks.push({ kind: 'heading', text, segments: [], tokens: [tokens[i + 1]!], source: where(t) });
    }
    if (t.type === 'footnote_open') {
      note = {
        kind: 'footnote',
        text: '',
        segments: [],
        tokens: [],
        source: where(t),
        n: (t.meta as { id: number }).id + 1,
      };
      blocks.push(note);
    }
    if (t.type === 'footnote_close') note = undefined;
    if ((t.type === 'td_open' || t.type === 'th_open') && tokens[i + 1]?.type === 'inline') {
      const text = inlineText(tokens[i + 1]);
      blocks.push({ kind: 'cell', text, segments: [], tokens: [tokens[i + 1]!], source: where(t) });
    }
    if (t.type === 'table_caption_open') {
      const text = inlineText(tokens[i + 1]);
      blocks.push({ kind: 'caption', text, segments: [], tokens: [tokens[i + 1]!], source: where(t) });
    }
    if (t.type === 'paragraph_open' && note) {
      note.text += inlineText(tokens[i + 1]);
      note.tokens!.push(tokens[i + 1]!);
      if (note.tokens!.length === 1) note.source = where(t);
    } else if (t.type === 'paragraph_open') {
      const text = inlineText(tokens[i + 1]);
      if ([...text].length > LIMITS.paragraphChars)
        reporter.error({
          file: file.display,
          line,
          column: 1,
          message: `Paragraph of ${[...text].length} characters (the limit is ${LIMITS.paragraphChars})`,
          ruleId: 'paragraph-too-long',
          hint: 'Blank lines separate paragraphs in Markdown: the extraction probably lost them.',
        });
      blocks.push({ kind: 'paragraph', text, segments: [], tokens: [tokens[i + 1]!], source: where(t) });
    }
    if (t.type === 'figure_open') {
      const img = tokens[i + 1]?.children?.find((c) => c.type === 'image');
      const caption = img ? attr(img, 'title') : null;
      if (caption) blocks.push({ kind: 'caption', text: caption, segments: [caption], source: where(t) });
      const size = img?.meta as { size?: { width: number; height: number } } | undefined;
      if (size?.size) t.attrJoin('class', size.size.width > size.size.height ? 'landscape' : 'portrait');
    }
  }
  if (!title) {
    reporter.warn({
      file: file.display,
      line: 1,
      column: 1,
      message: 'Chapter has no "# " title',
      ruleId: 'chapter-title',
      hint: 'Start the chapter with a level-1 heading; it feeds the contents and running heads.',
    });
    title = path.basename(file.path, '.md');
  }
  return { chapter: { id, index, file, title, headings, figures, blocks }, tokens, env, links };
}
