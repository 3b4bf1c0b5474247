import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOK_SCHEMA_FILE } from '../config/json-schema.js';
import { parseBookYaml } from '../config/load.js';
import { type Diagnostic, FolioError } from '../diagnostics/diagnostic.js';
import { slugFromTitle, uniqueSlug } from '../model/slug.js';
import { bookYamlText } from './book-yaml.js';
import { removeOnSignal } from '../output/cleanup.js';
import { makeDirs } from '../output/out-dir.js';

/** The files a new book starts from (shipped in the package: templates/new/). */
const TEMPLATE = fileURLToPath(new URL('../../templates/new/', import.meta.url));

export interface NewBookOptions {
  title?: string;
  authors?: string[];
  /** Raw newspaper text to import as the first chapter (`folio import`). */
  from?: string;
}

export interface NewBookResult {
  /** The project folder and the manuscript folder inside it. */
  dir: string;
  manuscript: string;
  title: string;
  slug: string;
  /** True when book.yaml sets the slug: the title's own was taken on the desk, or the title gives none. */
  slugWritten: boolean;
  slugReason?: SlugReason;
  /** Files written, relative to `dir`. */
  files: string[];
  /** What the user still has to do (placeholder authors, import review items). */
  notes: string[];
}

const usage = (file: string, message: string, ruleId: string, hint: string): FolioError =>
  new FolioError([{ file, line: 0, column: 0, severity: 'error', message, ruleId, hint } satisfies Diagnostic], 2);

/** `folio new` refuses a folder that holds anything, so it never overwrites a line of anyone's work. */
async function checkTarget(dir: string): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) return;
  if (!st.isDirectory())
    throw usage(dir, 'Not a folder', 'new-not-folder', 'Give the name of a new folder, e.g. folio new 新的一本书.');
  const entries = await readdir(dir);
  if (entries.length)
    throw usage(
      dir,
      `The folder is not empty (${entries.length} entries: ` +
        `${entries.slice(0, 4).join(', ')}${entries.length > 4 ? ', …' : ''})`,
      'new-not-empty',
      'Choose a new folder name, or empty this one first; folio new never overwrites files.',
    );
}

/**
 * The slugs the other books of the desk use: the desk is the folder that holds the new book, its
 * books are the sibling folders with a book.yaml (in manuscript/ or at their top).
 */
export async function deskSlugs(desk: string, except: string): Promise<Set<string>> {
  const taken = new Set<string>();
  const entries = await readdir(desk, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isDirectory() || path.join(desk, e.name) === except) continue;
    for (const file of [path.join(desk, e.name, 'manuscript', 'book.yaml'), path.join(desk, e.name, 'book.yaml')]) {
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      try {
        const config = parseBookYaml(text, file);
        taken.add(config.slug ?? slugFromTitle(config.title, createHash('sha256').update(text).digest('hex')));
      } catch {
        /* a broken book.yaml names no slug */
      }
    }
  }
  return taken;
}

function today(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const d = epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  return d.toISOString().slice(0, 10);
}

/** What `folio import` made of the raw text: its book.yaml fields, its report's review notes. */
async function importInto(
  raw: string,
  manuscript: string,
): Promise<{ values: Record<string, unknown>; notes: string[] }> {
  const { importRaw } = await import('../import/import.js');
  const { report, files } = await importRaw(raw, manuscript);
  const imported = parseBookYaml(files['book.yaml']!, path.join(manuscript, 'book.yaml'));
  const notes = report.review.map((r) => `${r.file}: ${r.note}`);
  const { makePlaceholders } = await import('../tools/placeholders.js');
  await makePlaceholders(manuscript);
  return {
    values: {
      title: imported.title,
      subtitle: imported.subtitle,
      authors: imported.authors,
      chapters: imported.chapters,
    },
    notes,
  };
}

/** Markdown's backslash escapes for ASCII punctuation: an author's name is text in the byline, never markup. */
const markdownText = (s: string) => s.replace(/[\\`*_{}[\]()<>#+!|~^&:=$"'-]/g, '\\$&');

/** Writes the chapter (its byline naming the authors) and the placeholder a book without `--from` starts with. */
async function copyTemplate(manuscript: string, authors: string[]): Promise<void> {
  await mkdir(path.join(manuscript, 'images'));
  const chapter = await readFile(path.join(TEMPLATE, '01-chapter.md'), 'utf8');
  const byline = `本报记者 ${authors.map(markdownText).join('、')}`;
  await writeFile(
    path.join(manuscript, '01-chapter.md'),
    chapter.replace('本报记者 作者甲', () => byline),
  );
  await copyFile(
    path.join(TEMPLATE, 'images', '01-placeholder.png'),
    path.join(manuscript, 'images', '01-placeholder.png'),
  );
}

/** Why book.yaml sets a slug: the title's own is taken on the desk, or the title gives no pinyin name. */
export type SlugReason = 'taken' | 'title';

/**
 * book.yaml's diagnostics as `folio new` reports them: at the option (or the folder name) the value
 * came from, exit 2; the book.yaml they name does not exist yet (and is never written when it fails).
 */
function asUsage(e: unknown, dirArg: string, titleGiven: boolean): unknown {
  if (!(e instanceof FolioError)) return e;
  const source = (m: string) =>
    /^authors\b/.test(m) ? '--author' : /^title\b/.test(m) && titleGiven ? '--title' : dirArg;
  if (!e.diagnostics.some((d) => path.basename(d.file) === 'book.yaml')) return e; // the import's own: as they are
  return new FolioError(
    e.diagnostics.map((d) =>
      path.basename(d.file) === 'book.yaml' ? { ...d, file: source(d.message), line: 0, column: 0 } : d,
    ),
    2,
  );
}

const bookValues = (title: string, authors: string[], extra: Record<string, unknown> = {}) => ({
  ...extra,
  title,
  authors,
  language: 'zh-CN',
  date: today(),
});

/** The title, authors and folder name given, checked as book.yaml would check them, before anything is written. */
function checkValues(dir: string, dirArg: string, opts: NewBookOptions): void {
  const title = opts.title ?? (opts.from ? '书名' : path.basename(dir));
  const authors = opts.authors?.length ? opts.authors : ['佚名'];
  try {
    parseBookYaml(bookYamlText(bookValues(title, authors), 'schema.json'), path.join(dir, 'book.yaml'));
  } catch (e) {
    throw asUsage(e, dirArg, opts.title !== undefined);
  }
}

/** The nearest existing folder of `p` and its ancestors (where the work folder is made, on the same filesystem). */
async function nearestFolder(p: string): Promise<string> {
  for (;;) {
    if ((await stat(p).catch(() => undefined))?.isDirectory() || p === path.dirname(p)) return p;
    p = path.dirname(p);
  }
}

/**
 * `folio new DIR`: a project folder with `manuscript/` (a commented book.yaml with every field, a
 * first chapter showing the format, an image placeholder) and a .gitignore for the outputs, laid out
 * as `folio build` expects by default. With `from`, the first chapter is imported from raw text.
 * Everything is checked first, then written into a work folder beside DIR and renamed to DIR: a
 * failure leaves nothing behind.
 * @example await createBook('新的一本书', { authors: ['作者甲'] }) // then: cd 新的一本书 && folio build
 */
export async function createBook(dirArg: string, opts: NewBookOptions = {}): Promise<NewBookResult> {
  const dir = path.resolve(dirArg);
  await checkTarget(dir);
  if (opts.from && !(await stat(opts.from).catch(() => undefined))?.isFile())
    throw usage(
      opts.from,
      'Cannot read the raw text to import',
      'new-from-missing',
      'Give the path of a UTF-8 text file.',
    );
  checkValues(dir, dirArg, opts);
  const taken = await deskSlugs(path.dirname(dir), dir);
  const work = await mkdtemp(path.join(await nearestFolder(path.dirname(dir)), '.folio-new-'));
  const forget = removeOnSignal(work);
  try {
    const r = await fillBook(work, dir, opts, taken).catch((e: unknown) => {
      throw asUsage(e, dirArg, opts.title !== undefined);
    });
    await makeDirs(path.dirname(dir));
    await rename(work, dir); // over DIR if it is an empty folder
    return { ...r, files: await listFiles(dir) };
  } finally {
    await rm(work, { recursive: true, force: true });
    forget();
  }
}

/** Writes the book into `work` (renamed to `dir` afterwards). */
async function fillBook(work: string, dir: string, opts: NewBookOptions, taken: Set<string>) {
  const manuscript = path.join(work, 'manuscript');
  await mkdir(manuscript);
  const imported = opts.from ? await importInto(opts.from, manuscript) : undefined;
  const notes = imported?.notes ?? [];
  const title = opts.title ?? (imported?.values.title as string | undefined) ?? path.basename(dir);
  const authors = opts.authors?.length
    ? opts.authors
    : ((imported?.values.authors as string[] | undefined) ?? ['佚名']);
  if (!imported) await copyTemplate(manuscript, authors);
  if (!opts.authors?.length && authors.includes('佚名')) notes.push('book.yaml: fill in authors (now 佚名).');
  const slug = uniqueSlug(title, path.basename(dir), taken);
  const own = slugFromTitle(title, '');
  const slugReason: SlugReason | undefined = own === 'book-' ? 'title' : slug !== own ? 'taken' : undefined;
  const values = bookValues(title, authors, {
    ...imported?.values,
    ...(slugReason ? { slug } : {}),
    chapters: (imported?.values.chapters as string[] | undefined) ?? ['01-chapter.md'],
  });
  // the schema line is relative to where the manuscript will be, not to the work folder
  const schemaRef = path.relative(path.join(dir, 'manuscript'), BOOK_SCHEMA_FILE).split(path.sep).join('/');
  const yaml = bookYamlText(values, schemaRef, { examples: { slug } });
  parseBookYaml(yaml, path.join(dir, 'manuscript', 'book.yaml')); // what we write must load
  await writeFile(path.join(manuscript, 'book.yaml'), yaml);
  await writeFile(path.join(work, '.gitignore'), await readFile(path.join(TEMPLATE, 'gitignore'), 'utf8'));
  return { dir, manuscript: path.join(dir, 'manuscript'), title, slug, slugWritten: !!slugReason, slugReason, notes };
}

async function listFiles(dir: string, sub = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, sub), { withFileTypes: true })) {
    const rel = path.posix.join(sub, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}
