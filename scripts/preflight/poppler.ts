import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FolioError } from '../diagnostics/diagnostic.js';

const exec = promisify(execFile);

/** Runs a poppler-utils tool (installed by scripts/setup.sh); a missing tool is one clear error. */
export async function poppler(tool: 'pdffonts' | 'pdfimages' | 'pdftotext', args: string[]): Promise<string> {
  try {
    return (await exec(tool, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 })).stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    throw new FolioError(
      [
        {
          file: tool,
          line: 0,
          column: 0,
          severity: 'error',
          message:
            err.code === 'ENOENT'
              ? `${tool} is not installed`
              : `${tool} failed: ${(err.stderr ?? err.message).split('\n')[0]}`,
          ruleId: 'preflight-tool',
          hint: 'Run `bash scripts/setup.sh` (installs poppler-utils).',
        },
      ],
      1,
      { cause: e },
    );
  }
}

export interface FontRow {
  name: string;
  type: string;
  embedded: boolean;
}

/** Fonts of one page, or of the whole file (one call) when `page` is omitted. */
export async function listFonts(file: string, page?: number): Promise<FontRow[]> {
  const out = await poppler('pdffonts', [...(page ? ['-f', String(page), '-l', String(page)] : []), file]);
  return out
    .split('\n')
    .slice(2)
    .filter(Boolean)
    .map((l) => {
      // name  type (may contain spaces)  encoding  emb sub uni  object ID
      const m = /^(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.exec(l);
      return m
        ? { name: m[1]!, type: m[2]!, embedded: m[4] === 'yes' }
        : { name: l.trim(), type: 'unknown', embedded: false };
    });
}

export interface ImageRow {
  page: number;
  index: number;
  type: string;
  width: number;
  height: number;
  color: string;
  xppi: number;
  yppi: number;
}

export async function listImages(file: string): Promise<ImageRow[]> {
  const out = await poppler('pdfimages', ['-list', file]);
  return out
    .split('\n')
    .slice(2)
    .filter(Boolean)
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c[2] === 'image' || c[2] === 'smask' || c[2] === 'mask' || c[2] === 'stencil')
    .filter((c) => c[2] === 'image')
    .map((c) => ({
      page: Number(c[0]),
      index: Number(c[1]),
      type: c[2]!,
      width: Number(c[3]),
      height: Number(c[4]),
      color: c[5]!,
      xppi: Number(c[12]),
      yppi: Number(c[13]),
    }));
}

export interface Word {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  text: string;
}

/** Words of every page (index 0 = page 1), in points from the top-left of each CropBox: one pdftotext -bbox call. */
export async function listWords(file: string): Promise<Word[][]> {
  const html = await poppler('pdftotext', ['-bbox', '-enc', 'UTF-8', file, '-']);
  return html
    .split(/<page [^>]*>/)
    .slice(1)
    .map((page) =>
      [
        ...page.matchAll(/<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g),
      ].map((m) => ({ x0: Number(m[1]), y0: Number(m[2]), x1: Number(m[3]), y1: Number(m[4]), text: m[5]! })),
    );
}

/**
 * Text of one page, optionally cropped to a rectangle in points from the CropBox's top-left: poppler's
 * reading order, `-layout`, or `'raw'`, the order the PDF draws it in — for Chromium's PDFs the document
 * order, which a many-column table cannot scramble.
 */
export async function pageText(
  file: string,
  page: number,
  rect?: { x: number; y: number; w: number; h: number },
  layout: boolean | 'raw' = false,
): Promise<string> {
  return (await poppler('pdftotext', [...pdftotextArgs(page, rect, layout), file, '-'])).replace(/\f/g, '');
}

/** pdftotext's options for one page, UTF-8, the reading order asked for, cropped to `rect` if given. */
export function pdftotextArgs(
  page: number,
  rect?: { x: number; y: number; w: number; h: number },
  layout: boolean | 'raw' = false,
): string[] {
  const mode = layout === 'raw' ? ['-raw'] : layout ? ['-layout'] : [];
  const args = ['-enc', 'UTF-8', '-f', String(page), '-l', String(page), ...mode];
  if (!rect) return args;
  const crop = { '-x': rect.x, '-y': rect.y, '-W': rect.w, '-H': rect.h };
  return [...args, ...Object.entries(crop).flatMap(([flag, v]) => [flag, String(Math.round(v))])];
}
