import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Document } from 'yaml';
import { decodeRaw, type RawEncoding } from './encoding.js';
import { type Diagnostic, FolioError } from '../diagnostics/diagnostic.js';
import { textContext } from '../lint/lint.js';
import { type Finding, textRule } from '../lint/rules/index.js';
import { confine, escapeMessage } from '../manuscript/confine.js';
import { writeAtomic } from '../output/write.js';
import { makeDirs, validateOutDir } from '../output/out-dir.js';

export interface ImportReport {
  source: string;
  /** The encoding the raw file was read in (converted to UTF-8). */
  encoding?: RawEncoding;
  lines: number;
  /** Every input line, and where it went. */
  accounted: { blank: number; kept: number; repeats: number; pageNumbers: number; joined: number };
  /** Lines removed as repeats (the first copy kept), or as running headers/footers (every copy removed). */
  removedRepeats: { text: string; count: number; lines: number[] }[];
  pageNumbers: number[];
  hyphenJoins: number[];
  displayTitle?: { lines: number[]; text: string; review: string };
  kicker?: { line: number; text: string };
  byline?: { line: number; text: string; authors: string[] };
  subheads: { lines: number[]; text: string }[];
  figures: { line: number; caption: string; image: string; marker: string }[];
  punctuation: { line: number; column: number; from: string; to: string }[];
  /** What an editor still has to do, as find/replace edits where a machine can say it. */
  review: { file: string; find?: string; replace?: string; note: string }[];
}

type Item = {
  kind: 'para' | 'heading' | 'caption' | 'kicker' | 'byline' | 'subhead';
  text: string;
  lines: number[];
  gapBefore: number;
  marker?: string;
  /** A display title joined from short heading lines. */
  display?: boolean;
};

/** The items that become the head of the feature: display title, headline, kicker, byline and its authors. */
interface Head {
  display?: Item;
  headline?: Item;
  kicker?: Item;
  byline?: Item;
  authors: string[];
}

const FINAL = /[。！？；：，、…”』」）》.!?;:,]$/;
const CAPTION_MARK = /^[▲▶◀▼◆]\s*/;

/**
 * Turns raw newspaper text (as extracted from the page-layout system) into a manuscript folder:
 * book.yaml, 01-feature.md, images/PLACEHOLDERS.txt, and an import report that accounts for every line.
 * Steps: lines → items (repeats, page numbers and broken lines dealt with), classify, merge, order and write
 * the Markdown, normalise punctuation, write the folder.
 * @example const r = await importRaw('seed.txt', 'imported'); r.report.removedRepeats.length
 */
export async function importRaw(
  rawFile: string,
  outDir: string,
  opts: { normalize?: boolean; force?: boolean } = {},
): Promise<{ report: ImportReport; files: Record<string, string> }> {
  const source = path.relative(process.cwd(), rawFile);
  const decoded = decodeRaw(await readRawFile(rawFile, source), source);
  const raw = decoded.text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = raw.split('\n');
  const report = emptyReport(source, lines.length);
  report.encoding = decoded.encoding;
  const items = toItems(lines, report);
  for (const [k, it] of items.entries()) classify(it, k);
  const merged = mergeItems(items);
  const head = findHead(merged, report);
  let chapter = writeMarkdown(merged, head, report);
  if (opts.normalize !== false) chapter = normalizePunctuation(chapter, report);
  listTraditional(chapter, report);
  const title = head.display?.text ?? head.headline?.text ?? path.basename(rawFile, path.extname(rawFile));
  const yaml = bookYaml(title, head, report);
  const placeholders =
    '# Photos to supply (one per figure), then run: folio placeholders to make FPO stand-ins\n' +
    `${report.figures.map((f, i) => `${f.image}\t图${i + 1}\t${f.caption}`).join('\n')}\n`;
  const files: Record<string, string> = {
    'book.yaml': yaml,
    '01-feature.md': chapter,
    'images/PLACEHOLDERS.txt': placeholders,
    'import-report.json': `${JSON.stringify(report, null, 2)}\n`,
  };
  const a = report.accounted;
  const total = a.blank + a.kept + a.repeats + a.pageNumbers + a.joined;
  if (total !== lines.length) throw new Error(`import lost track of lines: ${total} of ${lines.length}`);
  await writeManuscript(outDir, files, opts.force);
  return { report, files };
}

/** The raw file's bytes; an unreadable one is an error naming it. */
async function readRawFile(file: string, display: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new FolioError(
      [
        {
          file: display,
          line: 0,
          column: 0,
          severity: 'error',
          message: `Cannot read the raw file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
          ruleId: 'import-input',
          hint: 'Give the path of the text file exported from the layout system.',
        },
      ],
      2,
      { cause: e },
    );
  }
}

function emptyReport(source: string, lines: number): ImportReport {
  return {
    source,
    lines,
    accounted: { blank: 0, kept: 0, repeats: 0, pageNumbers: 0, joined: 0 },
    removedRepeats: [],
    pageNumbers: [],
    hyphenJoins: [],
    subheads: [],
    figures: [],
    punctuation: [],
    review: [],
  };
}

/** A line repeated without sentence punctuation is a running header or footer: every copy goes. */
function runningLines(lines: string[]): (line: string) => boolean {
  const counts = new Map<string, number>();
  for (const l of lines) if (l.trim()) counts.set(l.trim(), (counts.get(l.trim()) ?? 0) + 1);
  return (l) => (counts.get(l) ?? 0) > 1 && !FINAL.test(l) && !/[。！？”]$/.test(l) && !l.startsWith('#');
}

/** Step 1: lines → items. Drops repeats and stray page numbers, joins lines broken inside a paragraph. */
function toItems(lines: string[], report: ImportReport): Item[] {
  const seen = new Map<string, { count: number; lines: number[] }>();
  const items: Item[] = [];
  const isRunning = runningLines(lines);
  let gap = 0;
  let open: Item | undefined;
  for (const [i, rawLine] of lines.entries()) {
    const n = i + 1;
    const line = rawLine.trim();
    if (!line) {
      report.accounted.blank++;
      gap++;
      open = undefined;
    } else if (/^[-–—\s]*\d{1,4}[-–—\s]*$/.test(line)) {
      report.pageNumbers.push(n);
      report.accounted.pageNumbers++;
      gap = 0; // blank lines around an artifact are not a photo gap
    } else if (seen.has(line) || isRunning(line)) {
      const entry = seen.get(line) ?? { count: -1, lines: [] };
      seen.set(line, entry);
      entry.count++;
      entry.lines.push(n);
      report.accounted.repeats++;
      gap = 0;
    } else {
      seen.set(line, { count: 0, lines: [] });
      if (open && continues(open, line)) joinLine(open, line, n, report);
      else {
        report.accounted.kept++;
        open = { kind: 'para', text: line, lines: [n], gapBefore: gap };
        gap = 0;
        items.push(open);
      }
    }
  }
  for (const [text, s] of seen)
    if (s.lines.length) report.removedRepeats.push({ text, count: s.lines.length, lines: s.lines });
  return items;
}

/** Whether `line` continues the open paragraph (which does not end a sentence). */
function continues(open: Item, line: string): boolean {
  return !line.startsWith('#') && !CAPTION_MARK.test(line) && !FINAL.test(open.text) && open.kind === 'para';
}

/** A paragraph broken over lines: Latin hyphenation joins without the hyphen, CJK without a space. */
function joinLine(open: Item, line: string, n: number, report: ImportReport): void {
  const hyphen = /[A-Za-z]-$/.test(open.text) && /^[a-z]/.test(line);
  if (hyphen) report.hyphenJoins.push(n);
  const latin = /[A-Za-z0-9,.;:]$/.test(open.text) && /^[A-Za-z0-9]/.test(line);
  open.text = hyphen ? open.text.slice(0, -1) + line : open.text + (latin ? ' ' : '') + line;
  open.lines.push(n);
  report.accounted.joined++;
}

/** Step 2: what an item is, from its marks, length and the gap before it (`k` is its index). */
function classify(it: Item, k: number): void {
  const t = it.text;
  if (t.startsWith('#')) {
    it.kind = 'heading';
    it.text = t.replace(/^#+\s*/, '');
  } else if (CAPTION_MARK.test(t)) {
    it.kind = 'caption';
    it.marker = t[0];
    it.text = t.replace(CAPTION_MARK, '');
  } else if (k > 0 && it.gapBefore >= 2 && t.length <= 40 && /。$/.test(t)) {
    it.kind = 'caption';
  } else if (/——$/.test(t) && t.length <= 30) {
    it.kind = 'kicker';
  } else if (/^((文|图|摄影?)(\/(文|图|摄影?))?)?[\s:：]*\S*(记者|通讯员)/.test(t) && t.length <= 80) {
    it.kind = 'byline';
  } else if (t.length <= 16 && !FINAL.test(t)) {
    it.kind = 'subhead';
  }
}

/** Step 3: short consecutive headings = the display title; consecutive sub-head lines = one heading. */
function mergeItems(items: Item[]): Item[] {
  const merged: Item[] = [];
  for (const it of items) {
    const prev = merged.at(-1);
    if (
      prev &&
      it.kind === 'heading' &&
      prev.kind === 'heading' &&
      it.text.length <= 6 &&
      prev.lines.length >= 1 &&
      prev.text.replace(/\s/g, '').length <= 12 &&
      prev.display !== false
    ) {
      const join = /\p{Script=Han}$/u.test(prev.text) && /^\p{Script=Han}/u.test(it.text) ? ' ' : '';
      prev.text += join + it.text;
      prev.lines.push(...it.lines);
      prev.display = true;
    } else if (prev && it.kind === 'subhead' && prev.kind === 'subhead') {
      prev.text += ` ${it.text}`;
      prev.lines.push(...it.lines);
    } else merged.push({ ...it });
  }
  return merged;
}

/** The display title, headline, kicker and byline (with its authors), recorded in the report. */
function findHead(merged: Item[], report: ImportReport): Head {
  const display = merged.find((m) => m.display);
  const headline = merged.find((m) => m.kind === 'heading' && m !== display) ?? display;
  if (display)
    report.displayTitle = {
      lines: display.lines,
      text: display.text,
      review: 'Joined from short heading lines: check the word breaks of the display title.',
    };
  const kicker = merged.find((m) => m.kind === 'kicker');
  const byline = merged.find((m) => m.kind === 'byline');
  const authors = byline
    ? byline.text
        .split(/\s+/)
        .filter((w, i, all) => i > 0 && /(记者|通讯员)$/.test(all[i - 1]!) && !/(记者|通讯员)$/.test(w))
    : [];
  if (kicker) report.kicker = { line: kicker.lines[0]!, text: kicker.text };
  if (byline) report.byline = { line: byline.lines[0]!, text: byline.text, authors };
  return { display, headline, kicker, byline, authors };
}

/** Step 4: the chapter in order — kicker, headline, byline, lead (what stood before the headline), the rest. */
function writeMarkdown(merged: Item[], head: Head, report: ImportReport): string {
  const { kicker, headline, byline, display } = head;
  const hIndex = headline ? merged.indexOf(headline) : -1;
  const inHead = new Set([kicker, headline, byline, display].filter(Boolean) as Item[]);
  const before = hIndex > 0 ? merged.slice(0, hIndex).filter((m) => !inHead.has(m)) : [];
  const lead = before.filter((m) => m.kind === 'para');
  const body = [...before.filter((m) => m.kind !== 'para'), ...merged.slice(hIndex + 1).filter((m) => !inHead.has(m))];
  const out: string[] = [];
  if (kicker) out.push(`::: kicker\n${kicker.text}\n:::`);
  if (headline) out.push(`# ${headline.text}`);
  if (byline) out.push(`::: byline\n${byline.text}\n:::`);
  if (lead.length) out.push(`::: dek\n${lead.map((p) => p.text).join('\n\n')}\n:::`);
  for (const m of body) {
    if (m.kind === 'caption') out.push(figure(m, report));
    else if (m.kind === 'subhead') {
      report.subheads.push({ lines: m.lines, text: m.text });
      out.push(`## ${m.text}`);
    } else if (m.kind === 'heading') out.push(`## ${m.text}`);
    else out.push(m.text);
  }
  return `${out.join('\n\n')}\n`;
}

/** A caption becomes a figure with a numbered image to supply; the editor still writes its alt text. */
function figure(m: Item, report: ImportReport): string {
  const fig = report.figures.length + 1;
  const image = `images/fig-${String(fig).padStart(2, '0')}.png`;
  const alt = m.text.replace(/[。！？]$/, '');
  report.figures.push({ line: m.lines[0]!, caption: m.text, image, marker: m.marker ?? '(photo gap)' });
  report.review.push({
    file: '01-feature.md',
    find: `![${alt}](${image}`,
    note: `Figure ${fig}: write alt text that describes the photo (now the caption), and put the photo at ${image}.`,
  });
  return `![${alt}](${image} "${m.text.replace(/"/g, '”')}")`;
}

/** Step 5: full-width punctuation in Chinese text (the lint rule's own fix), reported line by line. */
function normalizePunctuation(chapter: string, report: ImportReport): string {
  return applyRule(chapter, 'punctuation-halfwidth', (f, line, column) =>
    report.punctuation.push({ line, column, from: chapter.slice(f.offset, f.offset + 1), to: f.fix!.replacement }),
  );
}

/** Traditional characters are the editor's call: listed as edits, not changed. */
function listTraditional(chapter: string, report: ImportReport): void {
  applyRule(
    chapter,
    'traditional-character',
    (f) => {
      const ctxStart = Math.max(0, f.offset - 4);
      const find = chapter.slice(ctxStart, f.offset + 1);
      report.review.push({
        file: '01-feature.md',
        find,
        replace: find.slice(0, -1) + f.fix!.replacement,
        note: f.message,
      });
    },
    false,
  );
}

/** book.yaml written by the YAML library: a headline such as `访谈: 高原上的新学校` is quoted as needed. */
function bookYaml(title: string, head: Head, report: ImportReport): string {
  const { kicker, authors } = head;
  const doc = new Document({
    title,
    ...(kicker ? { subtitle: kicker.text.replace(/——$/, '') } : {}),
    authors: authors.length ? authors : ['佚名'],
    language: 'zh-CN',
    chapters: ['01-feature.md'],
  });
  doc.commentBefore = ` Imported by folio import from ${report.source}; see import-report.json`;
  const yaml = doc.toString({ lineWidth: 0 });
  if (!authors.length) report.review.push({ file: 'book.yaml', note: 'No byline found: fill in authors.' });
  report.review.push({ file: 'book.yaml', note: 'Add date, edition, rights, description and slug.' });
  return yaml;
}

/** Writes the files atomically into `outDir`, which must be empty (but for images/) unless `force`. */
async function writeManuscript(outDir: string, files: Record<string, string>, force?: boolean): Promise<void> {
  await validateOutDir(outDir);
  await makeDirs(outDir);
  const existing = (await readdir(outDir)).filter((f) => f !== 'images');
  if (existing.length && !force) {
    throw new FolioError(
      [
        {
          file: outDir,
          line: 0,
          column: 0,
          severity: 'error',
          message: 'The output folder is not empty',
          ruleId: 'usage-out',
          hint: 'Choose an empty --out folder, or pass --force to overwrite.',
        },
      ],
      2,
    );
  }
  const targets = confineOutputs(outDir, Object.keys(files));
  for (const [name, text] of Object.entries(files)) await writeAtomic(targets.get(name)!, text);
}

/** The real path of each file to write under --out; refuses (before writing anything) one a symlink leads out. */
function confineOutputs(outDir: string, names: string[]): Map<string, string> {
  const targets = new Map<string, string>();
  const errors: Diagnostic[] = [];
  for (const name of names) {
    const c = confine(outDir, path.join(outDir, name), { write: true });
    if (c.ok) targets.set(name, c.path);
    else {
      const where = path.relative(process.cwd(), path.join(outDir, name));
      errors.push({ file: where, line: 0, column: 0, severity: 'error', ...escapeMessage(name, c, outDir) });
    }
  }
  if (errors.length) throw new FolioError(errors);
  return targets;
}

/** Runs one lint rule on generated Markdown; applies its fixes unless `apply` is false. */
function applyRule(
  text: string,
  id: string,
  each: (f: Finding, line: number, column: number) => void,
  apply = true,
): string {
  const found: Finding[] = [];
  const file = { path: '', display: '', text };
  textRule(id)(textContext(file, []), (f) => found.push({ ...f, file, ruleId: id }));
  for (const f of found) {
    const upto = text.slice(0, f.offset);
    each(f, upto.split('\n').length, f.offset - upto.lastIndexOf('\n'));
  }
  if (!apply) return text;
  let out = text;
  for (const f of [...found].sort((a, b) => b.offset - a.offset))
    out = out.slice(0, f.offset) + f.fix!.replacement + out.slice(f.offset + f.fix!.length);
  return out;
}
