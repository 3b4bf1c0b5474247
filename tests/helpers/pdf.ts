import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PDFDocument, PDFName, PDFString, PDFHexString } from 'pdf-lib';
import { pdftotextArgs } from '../../scripts/preflight/poppler.js';

/** Readers of a real PDF, through poppler (pdfinfo, pdftotext, pdffonts, pdfimages) and qpdf. */
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
export interface PageBoxes {
  media: Box;
  crop: Box;
  trim: Box;
  bleed: Box;
}

export function pageCount(file: string): number {
  return Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [file]))![1]);
}

export function info(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of run('pdfinfo', [file]).split('\n')) {
    const m = /^([A-Za-z ]+):\s+(.*)$/.exec(line);
    if (m) out[m[1]!.trim()] = m[2]!.trim();
  }
  return out;
}

export function boxes(file: string): PageBoxes[] {
  const n = pageCount(file);
  const out = run('pdfinfo', ['-box', '-f', '1', '-l', String(n), file]);
  const pages: PageBoxes[] = [];
  const re = /Page\s+(\d+)\s+(MediaBox|CropBox|BleedBox|TrimBox):\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)/g;
  for (const m of out.matchAll(re)) {
    const i = Number(m[1]) - 1;
    const key = ({ MediaBox: 'media', CropBox: 'crop', BleedBox: 'bleed', TrimBox: 'trim' } as const)[
      m[2] as 'MediaBox'
    ];
    pages[i] ??= {} as PageBoxes;
    pages[i]![key] = { x0: Number(m[3]), y0: Number(m[4]), x1: Number(m[5]), y1: Number(m[6]) };
  }
  return pages;
}

/** Text of one page, optionally only inside a rectangle (points from the top-left of the page). */
export function pageText(
  file: string,
  page: number,
  rect?: { x: number; y: number; w: number; h: number },
  layout = false,
): string {
  return run('pdftotext', [...pdftotextArgs(page, rect, layout), file, '-']).replace(/\f/g, '');
}

export interface FontRow {
  name: string;
  type: string;
  embedded: boolean;
}

export function fonts(file: string): FontRow[] {
  const lines = run('pdffonts', [file]).split('\n').slice(2).filter(Boolean);
  return lines.map((l) => {
    const m =
      /^(\S+)\s+(.+?)\s+(Identity-H|WinAnsi|Custom|Builtin|Standard|MacRoman|\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)/.exec(
        l,
      )!;
    return { name: m[1]!, type: m[2]!.trim(), embedded: m[4] === 'yes' };
  });
}

export function imageCount(file: string): number {
  return run('pdfimages', ['-list', file])
    .split('\n')
    .slice(2)
    .filter((l) => /\bimage\b/.test(l)).length;
}

export interface OutlineItem {
  title: string;
  page: number;
  kids: OutlineItem[];
}

export function outline(file: string): OutlineItem[] {
  const json = JSON.parse(run('qpdf', ['--json', '--json-key=outlines', file])) as { outlines: RawOutline[] };
  const map = (o: RawOutline): OutlineItem => ({ title: o.title, page: o.destpageposfrom1, kids: o.kids.map(map) });
  return json.outlines.map(map);
}
interface RawOutline {
  title: string;
  destpageposfrom1: number;
  kids: RawOutline[];
}

export async function catalogLang(file: string): Promise<string | undefined> {
  const doc = await PDFDocument.load(readFileSync(file), { updateMetadata: false });
  const lang = doc.catalog.get(PDFName.of('Lang'));
  if (lang instanceof PDFString || lang instanceof PDFHexString) return lang.decodeText();
  return undefined;
}

/** Text with every kind of white space removed: PDF extraction breaks lines where the page did. */
export const squash = (s: string) => s.replace(/\s+/g, '');

export function countOccurrences(haystack: string, needle: string): number {
  if (!needle) return 0;
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

/**
 * Visual lines of a page: words from `pdftotext -bbox` grouped by baseline and ordered by x,
 * so a compressed punctuation mark drawn into its neighbour's box stays on its own line.
 */
export function pageLines(file: string, page: number, rect?: { x: number; y: number; w: number; h: number }): string[] {
  const html = run('pdftotext', ['-bbox', '-enc', 'UTF-8', '-f', String(page), '-l', String(page), file, '-']);
  const words = [
    ...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g),
  ]
    .map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      x1: Number(m[3]),
      y1: Number(m[4]),
      t: m[5]!
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"'),
    }))
    .filter((w) => !rect || (w.x >= rect.x && w.x1 <= rect.x + rect.w && w.y >= rect.y && w.y1 <= rect.y + rect.h));
  const lines: { y: number; words: typeof words }[] = [];
  for (const w of words.sort((a, b) => a.y - b.y)) {
    const line = lines.find((l) => Math.abs(l.y - w.y) < 2);
    if (line) line.words.push(w);
    else lines.push({ y: w.y, words: [w] });
  }
  return lines.map((l) =>
    l.words
      .sort((a, b) => a.x - b.x)
      .map((w) => w.t)
      .join(''),
  );
}

/**
 * Mean darkness (0 white … 1 black) of a rectangle (in points) of a page, rendered by pdftoppm in grey at
 * `dpi` (72: one pixel a point).
 */
export function darkness(
  file: string,
  page: number,
  rect: { x: number; y: number; w: number; h: number },
  dpi = 72,
): number {
  const px = (n: number) => String(Math.round((n * dpi) / 72));
  const pgm = execFileSync(
    'pdftoppm',
    [
      '-gray',
      '-r',
      String(dpi),
      '-f',
      String(page),
      '-l',
      String(page),
      '-x',
      px(rect.x),
      '-y',
      px(rect.y),
      '-W',
      String(Math.max(1, Number(px(rect.w)))),
      '-H',
      String(Math.max(1, Number(px(rect.h)))),
      file,
    ],
    { maxBuffer: 64 * 2 ** 20 },
  );
  // P5 header: "P5\n<w> <h>\n255\n"
  const m = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 40).toString('latin1'))!;
  const pixels = pgm.subarray(m[0].length);
  let sum = 0;
  for (const v of pixels) sum += 255 - v;
  return sum / pixels.length / 255;
}
