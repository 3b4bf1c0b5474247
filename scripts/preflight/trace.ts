import { Worker } from 'node:worker_threads';
import { FolioError } from '../diagnostics/diagnostic.js';

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
 * trace: each glyph as drawn, after graphics state, forms and transforms are applied). Run and parsed
 * in a worker thread (scripts/preflight/trace-worker.js): the main thread goes on meanwhile.
 * @example (await traceText('book-press-pdfx.pdf')).filter((r) => r.size < 12 && r.inks.length > 1)
 */
export async function traceText(file: string): Promise<TextRun[]> {
  const reply = await new Promise<TraceReply>((resolve, reject) => {
    const w = new Worker(new URL('./trace-worker.js', import.meta.url), { workerData: { file } });
    w.once('message', (m: TraceReply) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`the mutool trace worker exited (${code})`)));
  });
  if (reply.error) throw mutoolError(reply.error);
  return reply.runs!.map((r) => ({ ...r, inks: inksOf(r.colorspace, r.color) }));
}

interface TraceReply {
  runs?: Omit<TextRun, 'inks'>[];
  error?: { code?: string | number; stderr?: string; message: string };
}

/** mutool (mupdf-tools, installed by scripts/setup.sh) missing or failing: one clear error. */
function mutoolError(err: NonNullable<TraceReply['error']>): FolioError {
  return new FolioError(
    [
      {
        file: 'mutool',
        line: 0,
        column: 0,
        severity: 'error',
        message:
          err.code === 'ENOENT'
            ? 'mutool is not installed'
            : `mutool failed: ${(err.stderr || err.message).split('\n')[0]}`,
        ruleId: 'preflight-tool',
        hint: 'Run `bash scripts/setup.sh` (installs mupdf-tools).',
      },
    ],
    1,
  );
}
