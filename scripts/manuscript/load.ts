import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type PositionOf, readBookYaml } from '../config/load.js';
import { BAD_CHARACTER, TRIMS, type BookYaml } from '../config/schema.js';
import { FolioError, positionAt, Reporter } from '../diagnostics/diagnostic.js';
import { createMarkdown } from '../markdown/md.js';
import { attr } from '../markdown/token.js';
import { confine, type Confinement, escapeMessage } from './confine.js';
import { checkImage } from './image.js';
import { PATH_MESSAGES, resolveInside } from './paths.js';

export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** Path as shown in diagnostics: relative to the working directory. */
  display: string;
  text: string;
}

export interface Manuscript {
  root: string;
  config: BookYaml;
  configFile: SourceFile;
  /** Trim size in millimetres. */
  trim: { width: number; height: number; name?: string };
  chapters: SourceFile[];
  cover?: string;
  /** Every image the chapters refer to, by resolved absolute path: read here so later stages need no disk. */
  images: Map<string, ImageFile>;
  diagnostics: Reporter;
}

/** An image a chapter refers to: where it really leads after symlinks, and its bytes if it is a file there. */
export interface ImageFile {
  confined: Confinement;
  bytes?: Buffer;
}

export const displayPath = (abs: string): string => path.relative(process.cwd(), abs) || abs;

/**
 * Reads `book.yaml`, every chapter and every image the chapters refer to; validates encoding, schema and
 * paths. The one stage that reads the manuscript folder: the model and the renderer take what it read.
 * @example const m = await loadManuscript('manuscript'); m.chapters.length // 1
 */
export async function loadManuscript(dir: string): Promise<Manuscript> {
  const root = path.resolve(dir);
  const reporter = new Reporter();
  const configPath = path.join(root, 'book.yaml');
  const configFile = await readSource(configPath, 'book.yaml', undefined, root);
  const { config, positionOf } = readBookYaml(configFile.text, configFile.display);

  const names = config.chapters ?? (await listMarkdown(root));
  if (names.length === 0) {
    throw new FolioError([
      {
        file: configFile.display, line: 1, column: 1, severity: 'error',
        message: 'No chapters: book.yaml lists none and the folder has no *.md file',
        ruleId: 'chapters-missing', hint: 'Add a chapter file such as 01-feature.md.',
      },
    ]);
  }
  const chapters: SourceFile[] = [];
  for (const [i, name] of names.entries()) {
    const where = config.chapters
      ? { file: configFile.display, ...positionOf(['chapters', i]) }
      : { file: displayPath(path.join(root, name)), line: 1, column: 1 };
    const resolved = resolveInside(root, name);
    if (!resolved.ok) {
      const m = PATH_MESSAGES[resolved.problem];
      reporter.error({ ...where, message: `chapters[${i}]: ${m.message}: ${name}`, ruleId: m.ruleId, hint: m.hint });
      continue;
    }
    const real = confine(root, resolved.path);
    if (!real.ok) {
      reporter.error({ ...where, ...escapeMessage(`chapters[${i}]: ${name}`, real, displayPath(root)) });
      continue;
    }
    if (!(await isFile(resolved.path))) {
      reporter.error({
        ...where, message: `chapters[${i}]: Chapter file not found: ${name}`, ruleId: 'chapter-missing',
        hint: `Create ${name} in the manuscript folder or remove it from "chapters".`,
      });
      continue;
    }
    const file = await readSource(resolved.path, 'chapter', reporter, root);
    if (!file.text.trim()) {
      reporter.error({
        file: file.display, line: 1, column: 1, message: 'Chapter is empty', ruleId: 'chapter-empty',
        hint: 'Write the chapter, or remove it from "chapters" in book.yaml.',
      });
    }
    chapters.push(file);
  }

  const cover = config.cover ? await loadCover(root, config.cover, configFile, positionOf, reporter) : undefined;

  const trim = typeof config.trim === 'string' ? { ...TRIMS[config.trim], name: config.trim } : config.trim;
  reporter.throwIfErrors();
  const images = await loadImages(root, chapters);
  return { root, config, configFile, trim, chapters, cover, images, diagnostics: reporter };
}

/**
 * The images of `![…](src)` in every chapter, confined and read. Paths that do not resolve inside the folder
 * are left out: the model stage reports them (it knows the line and column).
 */
async function loadImages(root: string, chapters: SourceFile[]): Promise<Map<string, ImageFile>> {
  const md = createMarkdown();
  const images = new Map<string, ImageFile>();
  for (const chapter of chapters) {
    for (const t of md.parse(chapter.text, {})) {
      for (const c of t.children ?? []) {
        if (c.type !== 'image') continue;
        const resolved = resolveInside(root, attr(c, 'src') ?? '');
        if (!resolved.ok || images.has(resolved.path)) continue;
        const confined = confine(root, resolved.path);
        const bytes = confined.ok && (await isFile(resolved.path)) ? await readFile(confined.path) : undefined;
        images.set(resolved.path, { confined, bytes });
      }
    }
  }
  return images;
}

/** The cover's real path, once it is confined, present and really a PNG or JPEG (sniffed from its bytes). */
async function loadCover(
  root: string,
  ref: string,
  configFile: SourceFile,
  positionOf: PositionOf,
  reporter: Reporter,
) {
  const where = { file: configFile.display, ...positionOf(['cover']) };
  const resolved = resolveInside(root, ref);
  if (!resolved.ok) {
    const m = PATH_MESSAGES[resolved.problem];
    reporter.error({ ...where, message: `cover: ${m.message}: ${ref}`, ruleId: m.ruleId, hint: m.hint });
    return undefined;
  }
  const real = confine(root, resolved.path);
  if (!real.ok) {
    reporter.error({ ...where, ...escapeMessage(`cover: ${ref}`, real, displayPath(root)) });
    return undefined;
  }
  if (!(await isFile(real.path))) {
    const hint = 'Put the cover image under manuscript/images/.';
    reporter.error({ ...where, message: `cover: Image not found: ${ref}`, ruleId: 'image-missing', hint });
    return undefined;
  }
  const checked = checkImage(await readFile(real.path), ref, where, displayPath(real.path), ['png', 'jpeg']);
  for (const d of checked.problems) reporter.add({ ...d, message: `cover: ${d.message}` });
  return checked.problems.length ? undefined : real.path;
}

async function listMarkdown(root: string): Promise<string[]> {
  return (await readdir(root)).filter((n) => n.endsWith('.md') && !/^readme\.md$/i.test(n)).sort();
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}


// ignoreBOM keeps a BOM in the text so that it can be reported, not silently eaten.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads a manuscript text file; the bytes come from its real path, which must lie inside `root`. */
async function readSource(
  abs: string,
  what: string,
  reporter: Reporter | undefined,
  root: string,
): Promise<SourceFile> {
  const display = displayPath(abs);
  const real = confine(root, abs);
  if (!real.ok) {
    const m = escapeMessage(what, real, displayPath(root));
    throw new FolioError([{ file: display, line: 1, column: 1, severity: 'error', ...m }]);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(real.path);
  } catch (e) {
    throw new FolioError([
      {
        file: display, line: 1, column: 1, severity: 'error',
        message: `Cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        ruleId: 'file-unreadable',
        hint:
          what === 'book.yaml'
            ? 'Point --manuscript at a folder that holds book.yaml.'
            : 'Check the path and permissions.',
      },
    ]);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new FolioError([
      {
        file: display, ...bad, severity: 'error', message: 'File is not valid UTF-8', ruleId: 'encoding-utf8',
        hint: 'Re-save the file as UTF-8 (e.g. iconv -f GB18030 -t UTF-8).',
      },
    ]);
  }
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
    // A BOM is invisible in most editors but ends up as a stray character in some tools: refuse it.
    reporter?.error({
      file: display, line: 1, column: 1, message: 'File starts with a byte order mark (BOM)', ruleId: 'encoding-bom',
      hint: "Save the file as UTF-8 without BOM (e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' FILE).",
    });
  }
  const normalized = text.replace(/\r\n?/g, '\n');
  if (reporter) reportBadCharacters(normalized, display, reporter);
  return { path: abs, display, text: normalized };
}

const BAD_CHARACTERS = new RegExp(BAD_CHARACTER.source, 'gu');

/**
 * Control characters (BEL, ESC, …; tab and line feed are fine), noncharacters (U+FFFE, U+FFFF, …)
 * and U+FFFD (left by a lossy conversion) are errors at their position: they cannot be printed, and
 * XML (the EPUB, the PDF's XMP) cannot carry most of them. The first ten of a file are listed.
 */
function reportBadCharacters(text: string, display: string, reporter: Reporter): void {
  let n = 0;
  for (const m of text.matchAll(BAD_CHARACTERS)) {
    if (++n > 10) break;
    const cp = m[0].codePointAt(0)!;
    const name = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    const kind = cp === 0xfffd ? 'replacement' : cp < 0xa0 ? 'control' : 'noncharacter';
    reporter.error({
      file: display,
      ...positionAt(text, m.index),
      message:
        kind === 'replacement'
          ? `${name} (the replacement character): text lost in an earlier conversion`
          : `${kind === 'control' ? 'Control character' : 'Noncharacter'} ${name} in the text`,
      ruleId: kind === 'replacement' ? 'text-replacement-char' : `text-${kind}-char`,
      hint:
        kind === 'replacement'
          ? 'Convert the original file again with the right encoding (folio import detects it), or retype the text.'
          : 'Delete it: it is invisible in most editors (look for it at this line and column).',
    });
  }
}

function firstInvalidUtf8(bytes: Buffer): { line: number; column: number } {
  // The lossy decoding marks the first bad sequence with U+FFFD; the text before it is what the file says.
  const lossy = bytes.toString('utf8');
  const prefix = lossy.slice(0, Math.max(0, lossy.indexOf('\uFFFD')));
  const lines = prefix.split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/** The chapters of a manuscript as text, without validating images (for tools that create them). */
export async function loadManuscriptText(dir: string): Promise<SourceFile[]> {
  const root = path.resolve(dir);
  const configFile = await readSource(path.join(root, 'book.yaml'), 'book.yaml', undefined, root);
  const { config } = readBookYaml(configFile.text, configFile.display);
  const names = config.chapters ?? (await listMarkdown(root));
  const out: SourceFile[] = [];
  for (const name of names) {
    const r = resolveInside(root, name);
    if (r.ok && (await isFile(r.path))) out.push(await readSource(r.path, 'chapter', undefined, root));
  }
  return out;
}
