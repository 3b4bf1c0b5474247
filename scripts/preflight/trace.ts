import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Parser } from 'htmlparser2';
import { FolioError } from '../diagnostics/diagnostic.js';

const exec = promisify(execFile);

/** One run of glyphs drawn in one colour at one size (a `<span>` of `mutool trace`). */
export interface TextRun {
  page: number;
  colorspace: string;
  color: number[];
  /** Inks the colour uses: process inks C M Y K, `RGB`, or a separation's name. */
  inks: string[];
  /** Font size on the page, pt. */
  size: number;
  glyphs: number;
  font: string;
  /** First glyph, pt from the page's top-left. */
  x: number;
  y: number;
  text: string;
}

const numbers = (s: string | undefined) => (s ?? '').trim().split(/\s+/).filter(Boolean).map(Number);

/**
 * Inks a colour puts on the plate. DeviceGray is black ink (a tint of K); DeviceCMYK names every
 * component above 0.5 %; anything in RGB or another space is reported as such.
 */
export function inksOf(colorspace: string, color: number[]): string[] {
  if (colorspace === 'DeviceGray') return (color[0] ?? 0) < 0.995 ? ['K'] : [];
  if (colorspace === 'DeviceCMYK' || colorspace === 'ICCBased(CMYK)')
    return ['C', 'M', 'Y', 'K'].filter((_, i) => (color[i] ?? 0) > 0.005);
  if (/RGB/.test(colorspace)) return ['RGB'];
  return [colorspace];
}

/**
 * Every text run of a PDF with its colour, inks and size, from `mutool trace` (MuPDF's device
 * trace: each glyph as drawn, after graphics state, forms and transforms are applied).
 * @example (await traceText('book-press-pdfx.pdf')).filter((r) => r.size < 12 && r.inks.length > 1)
 */
export async function traceText(file: string): Promise<TextRun[]> {
  const xml = await mutool(['trace', file]);
  const runs: TextRun[] = [];
  let page = 0;
  let paint: { colorspace: string; color: number[]; ctm: number[] } | undefined;
  let run: TextRun | undefined;
  let trm: number[] = [];
  const parser = new Parser(
    {
      onopentag(name, a) {
        if (name === 'page') page = Number(a.number);
        else if (name === 'fill_text' || name === 'stroke_text')
          paint = { colorspace: a.colorspace ?? '', color: numbers(a.color), ctm: numbers(a.transform) };
        else if (name === 'span' && paint) {
          trm = numbers(a.trm);
          run = undefined;
          const font = a.font ?? '';
          runs.push((run = newRun(page, paint, trm, font)));
        } else if (name === 'g' && run && paint) {
          if (run.glyphs === 0) [run.x, run.y] = toDevice(paint.ctm, Number(a.x), Number(a.y));
          run.glyphs++;
          run.text += a.unicode ?? '';
        }
      },
      onclosetag(name) {
        if (name === 'fill_text' || name === 'stroke_text') paint = undefined;
        if (name === 'span') run = undefined;
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
  return runs.filter((r) => r.glyphs > 0);
}

/** A point through the trace's transform: pt from the page's top-left. */
function toDevice(ctm: number[], x: number, y: number): [number, number] {
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = ctm;
  return [Math.round((a * x + c * y + e) * 10) / 10, Math.round((b * x + d * y + f) * 10) / 10];
}

function newRun(
  page: number,
  paint: { colorspace: string; color: number[]; ctm: number[] },
  trm: number[],
  font: string,
) {
  const [a = 1, b = 0, c = 0, d = 1] = paint.ctm;
  const [p = 1, q = 0, r = 0, s = 1] = trm;
  // size = √|det(trm × ctm)|: the glyph's em square on the page
  const size = Math.sqrt(Math.abs((p * a + q * c) * (r * b + s * d) - (p * b + q * d) * (r * a + s * c)));
  return {
    page,
    colorspace: paint.colorspace,
    color: paint.color,
    inks: inksOf(paint.colorspace, paint.color),
    size: Math.round(size * 100) / 100,
    glyphs: 0,
    font,
    x: 0,
    y: 0,
    text: '',
  };
}

/** Runs mutool (mupdf-tools, installed by scripts/setup.sh); a missing tool is one clear error. */
async function mutool(args: string[]): Promise<string> {
  try {
    return (await exec('mutool', args, { encoding: 'utf8', maxBuffer: 512 * 2 ** 20 })).stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    throw new FolioError(
      [
        {
          file: 'mutool',
          line: 0,
          column: 0,
          severity: 'error',
          message:
            err.code === 'ENOENT'
              ? 'mutool is not installed'
              : `mutool failed: ${(err.stderr ?? err.message).split('\n')[0]}`,
          ruleId: 'preflight-tool',
          hint: 'Run `bash scripts/setup.sh` (installs mupdf-tools).',
        },
      ],
      1,
      { cause: e },
    );
  }
}
