// `mutool trace` run and read in a worker thread: the trace is every glyph as an XML element (tens of MB
// for a long book), and parsing it took the build's main thread ~0.6 s at 128 pages while the imposition
// and the EPUB waited. The worker posts back the text runs (scripts/preflight/trace.ts adds their inks).
// Plain JavaScript: a worker does not inherit the tsx loader bin/folio.js may register.
import { execFile } from 'node:child_process';
import { parentPort, workerData } from 'node:worker_threads';
import { Parser } from 'htmlparser2';

const numbers = (s) => (s ?? '').trim().split(/\s+/).filter(Boolean).map(Number);

/** A point through the trace's transform: pt from the page's top-left. */
function toDevice(ctm, x, y) {
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = ctm;
  return [Math.round((a * x + c * y + e) * 10) / 10, Math.round((b * x + d * y + f) * 10) / 10];
}

function newRun(page, paint, trm, font) {
  const [a = 1, b = 0, c = 0, d = 1] = paint.ctm;
  const [p = 1, q = 0, r = 0, s = 1] = trm;
  // size = √|det(trm × ctm)|: the glyph's em square on the page
  const size = Math.sqrt(Math.abs((p * a + q * c) * (r * b + s * d) - (p * b + q * d) * (r * a + s * c)));
  const { colorspace, color } = paint;
  return { page, colorspace, color, size: Math.round(size * 100) / 100, glyphs: 0, font, x: 0, y: 0, text: '' };
}

/** The text runs of a trace: one per `<span>` (glyphs in one colour, font and size). */
function parseTrace(xml) {
  const runs = [];
  let page = 0;
  let paint;
  let run;
  const parser = new Parser(
    {
      onopentag(name, a) {
        if (name === 'page') page = Number(a.number);
        else if (name === 'fill_text' || name === 'stroke_text')
          paint = { colorspace: a.colorspace ?? '', color: numbers(a.color), ctm: numbers(a.transform) };
        else if (name === 'span' && paint) runs.push((run = newRun(page, paint, numbers(a.trm), a.font ?? '')));
        else if (name === 'g' && run && paint) {
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

execFile('mutool', ['trace', workerData.file], { encoding: 'utf8', maxBuffer: 512 * 2 ** 20 }, (e, stdout, stderr) => {
  if (e) parentPort.postMessage({ error: { code: e.code, stderr, message: e.message } });
  else parentPort.postMessage({ runs: parseTrace(stdout) });
});
