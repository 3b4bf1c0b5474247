import path from 'node:path';
import type { MarkdownIt, Token } from 'markdown-it';
import type { Reporter } from '../diagnostics/diagnostic.js';
import { type Position, toDataSrc } from '../diagnostics/position.js';
import { escapeMessage } from '../manuscript/confine.js';
import { checkImage } from '../manuscript/image.js';
import { displayPath, type ImageFile, type SourceFile } from '../manuscript/load.js';
import { hrefOf, PATH_MESSAGES, resolveInside } from '../manuscript/paths.js';
import { isFpoPng } from '../manuscript/png.js';
import { checkHtml } from '../markdown/html-policy.js';
import { attr } from '../markdown/token.js';
import type { Block, Chapter, Figure, Heading } from './book.js';
import { classifyLink, inlineSegments, type LinkRef, segmentText } from './content.js';

/** Limits that keep one block from breaking the layout engine; beyond them the manuscript is wrong. */
export const LIMITS = { headingChars: 200, paragraphChars: 20_000 };

/** Lists and block quotes nested deeper than this are refused: the booklet lost everything past 9 levels. */
export const NESTING_MAX = 8;

/** A block while the book is parsed: its inline tokens are kept until links are resolved. */
export type DraftBlock = Block & { tokens?: Token[] };

export interface ParsedChapter {
  chapter: Omit<Chapter, 'html' | 'printHtml' | 'notes' | 'blocks'> & { blocks: DraftBlock[] };
  tokens: Token[];
  env: Record<string, unknown>;
  links: LinkRef[];
}

/** What the walk over one chapter's tokens reads from and collects into. */
interface ChapterWalk {
  id: string;
  file: SourceFile;
  root: string;
  images: Map<string, ImageFile>;
  reporter: Reporter;
  /** The chapter's source lines, to find an inline token's column. */
  lines: string[];
  headings: Heading[];
  figures: Figure[];
  blocks: DraftBlock[];
  links: LinkRef[];
  /** The footnote whose paragraphs are being read. */
  note?: DraftBlock;
  sectionCount: number;
  title: string;
  /** Inside the chapter's first top-level kicker (`::: kicker`), and whether one was seen. */
  kicker?: boolean;
  kickerSeen?: boolean;
}

/**
 * One chapter into the document model, in one walk over markdown-it's tokens: `data-src` positions on
 * blocks, ids on headings, images checked and turned into figures, the blocks the fidelity check compares,
 * internal links kept for the book's second pass. Content problems go to the reporter.
 */
export function parseChapter(
  file: SourceFile,
  index: number,
  { root, images }: { root: string; images: Map<string, ImageFile> },
  md: MarkdownIt,
  reporter: Reporter,
): ParsedChapter {
  const id = `ch${index + 1}`;
  const env: Record<string, unknown> = { docId: id };
  const tokens = md.parse(file.text, env);
  const w: ChapterWalk = {
    id,
    file,
    root,
    images,
    reporter,
    lines: file.text.split('\n'),
    headings: [],
    figures: [],
    blocks: [],
    links: [],
    sectionCount: 0,
    title: '',
  };
  checkNesting(tokens, file, reporter);
  checkReservedNames(tokens, file, reporter);
  for (let i = 0; i < tokens.length; i++) readToken(w, tokens, i);
  const title = w.title || untitled(w);
  const { headings, figures, blocks, links } = w;
  return { chapter: { id, index, file, title, headings, figures, blocks }, tokens, env, links };
}

/** One block-level token: the step its type calls for (most types call for none). */
function readToken(w: ChapterWalk, tokens: Token[], i: number): void {
  const t = tokens[i]!;
  const next = tokens[i + 1];
  const line = (t.map?.[0] ?? 0) + 1;
  if (t.type === 'html_block') checkRaw(w, t.content, line, t.content);
  if (t.nesting === 1 && t.map && t.block) t.attrSet('data-src', toDataSrc(where(w, t)));
  if (t.type === 'inline' && t.children) walkInline(w, t.children, line);
  if (t.type === 'heading_open') readHeading(w, t, next!, line);
  if (t.type === 'footnote_open') openNote(w, t);
  if (t.type === 'footnote_close') w.note = undefined;
  if (t.type === 'container_kicker_open' && t.level === 0) [w.kicker, w.kickerSeen] = [!w.kickerSeen, true];
  if (t.type === 'container_kicker_close') w.kicker = false;
  if ((t.type === 'td_open' || t.type === 'th_open') && next?.type === 'inline') {
    const cell = textBlock('cell', t, next, w);
    // a header cell: print repeats it on every page its table continues on
    if (t.type === 'th_open') cell.head = true;
    w.blocks.push(cell);
  }
  if (t.type === 'table_caption_open') w.blocks.push(textBlock('caption', t, next!, w));
  if (t.type === 'paragraph_open') readParagraph(w, t, next!, line);
  if (t.type === 'figure_open') readFigure(w, t, next);
}

/** Where a block token is in the manuscript. */
function where(w: ChapterWalk, t: Token): Position {
  return { file: w.file.display, line: (t.map?.[0] ?? 0) + 1, column: 1 };
}

/** Inline tokens carry only their block's first line: find the text on the lines of that block. */
function columnOf(w: ChapterWalk, line: number, needle: string): number {
  return Math.max(1, (w.lines[line - 1] ?? '').indexOf(needle) + 1);
}

/** A block of the text of one inline token (a cell, a table caption, a paragraph). */
function textBlock(kind: Block['kind'], t: Token, inline: Token, w: ChapterWalk): DraftBlock {
  return { kind, text: inlineText(inline), segments: [], tokens: [inline], source: where(w, t) };
}

function inlineText(token: Token | undefined): string {
  return segmentText(inlineSegments(token));
}

/** Links kept for resolution, raw HTML checked, images turned into figures. */
function walkInline(w: ChapterWalk, children: Token[], line: number): void {
  for (const [ci, c] of children.entries()) {
    if (c.type === 'link_open') {
      const column = columnOf(w, line, attr(c, 'href') ?? '');
      classifyLink(children, ci, { chapterId: w.id, file: w.file.display, line, column }, w.links);
    }
    if (c.type === 'html_inline') checkRaw(w, c.content, line, c.content, columnOf(w, line, c.content));
    if (c.type === 'image') readImage(w, c, line);
  }
}

/** Raw HTML outside the policy (html-policy.ts) is an error at its position. */
function checkRaw(w: ChapterWalk, html: string, line: number, shown: string, column = 1): void {
  const problem = checkHtml(html);
  if (!problem) return;
  w.reporter.error({
    file: w.file.display,
    line,
    column,
    message: `Raw HTML refused (${problem}): ${shown.trim().slice(0, 60)}`,
    ruleId: 'html-unsafe',
    hint: 'Use Markdown, or only the inline tags listed in the README (sup, sub, ruby, span …).',
  });
}

/** An image: found inside the manuscript and valid, it becomes a figure and its token points at it. */
function readImage(w: ChapterWalk, c: Token, line: number): void {
  const src = attr(c, 'src') ?? '';
  const pos = { file: w.file.display, line, column: columnOf(w, line, src) };
  const found = findImage(w, c, src, pos);
  if (!found) return;
  const checked = checkImage(found.bytes, src, pos, displayPath(found.real));
  for (const d of checked.problems) w.reporter.add(d);
  if (checked.problems.length) return;
  const href = hrefOf(w.root, found.path);
  c.attrSet('src', `m/${href}`);
  const caption = attr(c, 'title') ?? '';
  w.figures.push({
    id: `${w.id}-fig${w.figures.length + 1}`,
    file: found.real,
    href,
    alt: inlineText(c),
    caption,
    source: { file: w.file.display, line, column: 1 },
    fpo: isFpoPng(found.bytes),
    pixels: checked.size,
  });
  c.attrSet('data-figure', `${w.id}-fig${w.figures.length}`);
  c.meta = { ...c.meta, size: checked.size };
}

/**
 * The image file a `src` names, as the manuscript stage read it (loadImages: confined after symlinks,
 * bytes if it is a file); a path outside the manuscript, one that escapes it by a link, or no file is
 * an error, and the first two also empty the token's src.
 */
function findImage(
  w: ChapterWalk,
  c: Token,
  src: string,
  pos: Position,
): { path: string; real: string; bytes: Buffer } | undefined {
  const resolved = resolveInside(w.root, src);
  if (!resolved.ok) {
    const m = PATH_MESSAGES[resolved.problem];
    w.reporter.error({ ...pos, message: `${m.message}: ${src}`, ruleId: m.ruleId, hint: m.hint });
    c.attrSet('src', '');
    return undefined;
  }
  const image = w.images.get(resolved.path);
  const real = image?.confined;
  if (real && !real.ok) {
    w.reporter.error({ ...pos, ...escapeMessage(`Image ${src}`, real, displayPath(w.root)) });
    c.attrSet('src', '');
    return undefined;
  }
  if (!real || !image.bytes) {
    w.reporter.error({
      ...pos,
      message: `Image not found: ${src}`,
      ruleId: 'image-missing',
      hint: 'Put the file under manuscript/images/ or correct the path.',
    });
    return undefined;
  }
  return { path: resolved.path, real: real.path, bytes: image.bytes };
}

/** A heading: checked (empty, too long), given an id, the chapter's title if it is the first `#`. */
function readHeading(w: ChapterWalk, t: Token, inline: Token, line: number): void {
  const level = Number(t.tag.slice(1));
  const text = inlineText(inline).trim();
  const at = { file: w.file.display, line, column: 1 };
  // Nothing but spaces and invisible format characters: the contents, the running heads, the EPUB's navigation
  // and the fidelity check have no text for it. Punctuation alone (`## ……`, `## ＊＊＊`) is text and builds.
  if (!/[^\p{White_Space}\p{Cf}]/u.test(text)) {
    w.reporter.error({
      ...at,
      message: 'Empty heading',
      ruleId: 'heading-empty',
      hint: 'Write the heading text after the #, or remove the line (a blank line is not a heading).',
    });
  }
  if ([...text].length > LIMITS.headingChars) {
    w.reporter.error({
      ...at,
      message: `Heading of ${[...text].length} characters (the limit is ${LIMITS.headingChars})`,
      ruleId: 'heading-too-long',
      hint: 'A heading is a line, not a paragraph: is a blank line missing after it?',
    });
  }
  let hid = attr(t, 'id');
  if (!hid) {
    hid = level === 1 && !w.title ? `${w.id}-title` : `${w.id}-s${++w.sectionCount}`;
    t.attrSet('id', hid);
  }
  const opener = level === 1 && !w.title && t.level === 0 ? { opener: 'title' as const } : {};
  if (level === 1 && !w.title) w.title = text;
  const heading = { id: hid, level, text, chapterId: w.id, source: where(w, t) };
  t.meta = { ...t.meta, folioHeading: heading };
  w.headings.push(heading);
  w.blocks.push({ kind: 'heading', text, segments: [], tokens: [inline], source: where(w, t), ...opener });
}

/** A footnote's block: its paragraphs are added to it until it closes. */
function openNote(w: ChapterWalk, t: Token): void {
  w.note = {
    kind: 'footnote',
    text: '',
    segments: [],
    tokens: [],
    source: where(w, t),
    n: (t.meta as { id: number }).id + 1,
  };
  w.blocks.push(w.note);
}

/** A paragraph: part of the open footnote, else a block of its own (refused past LIMITS.paragraphChars). */
function readParagraph(w: ChapterWalk, t: Token, inline: Token, line: number): void {
  const note = w.note;
  if (note) {
    note.text += inlineText(inline);
    note.tokens!.push(inline);
    if (note.tokens!.length === 1) note.source = where(w, t);
    return;
  }
  const block = textBlock('paragraph', t, inline, w);
  if (w.kicker) block.opener = 'kicker';
  const length = [...block.text].length;
  if (length > LIMITS.paragraphChars) {
    w.reporter.error({
      file: w.file.display,
      line,
      column: 1,
      message: `Paragraph of ${length} characters (the limit is ${LIMITS.paragraphChars})`,
      ruleId: 'paragraph-too-long',
      hint: 'Blank lines separate paragraphs in Markdown: the extraction probably lost them.',
    });
  }
  w.blocks.push(block);
}

/** A figure: its caption is a block; its class says whether the image is landscape or portrait. */
function readFigure(w: ChapterWalk, t: Token, inline: Token | undefined): void {
  const img = inline?.children?.find((c) => c.type === 'image');
  const caption = img ? attr(img, 'title') : null;
  if (caption) w.blocks.push({ kind: 'caption', text: caption, segments: [caption], source: where(w, t) });
  const size = img?.meta as { size?: { width: number; height: number } } | undefined;
  if (size?.size) t.attrJoin('class', size.size.width > size.size.height ? 'landscape' : 'portrait');
}

/** A chapter without a `#` title: a warning, and the file's name stands in for it. */
function untitled(w: ChapterWalk): string {
  w.reporter.warn({
    file: w.file.display,
    line: 1,
    column: 1,
    message: 'Chapter has no "# " title',
    ruleId: 'chapter-title',
    hint: 'Start the chapter with a level-1 heading; it feeds the contents and running heads.',
  });
  return path.basename(w.file.path, '.md');
}

/** The first list or block quote past NESTING_MAX levels is an error at its line: never silently dropped. */
function checkNesting(tokens: Token[], file: SourceFile, reporter: Reporter): void {
  const open = new Set(['blockquote_open', 'bullet_list_open', 'ordered_list_open']);
  const close = new Set(['blockquote_close', 'bullet_list_close', 'ordered_list_close']);
  let depth = 0;
  for (const t of tokens) {
    if (close.has(t.type)) depth--;
    if (!open.has(t.type) || ++depth <= NESTING_MAX) continue;
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
