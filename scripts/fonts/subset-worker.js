// Font subsetting (harfbuzz in WebAssembly, and for the EPUB the WOFF2 encoder) in a worker thread: a
// first build subsets each face for print and again for the EPUB (~1.5 s on the seed), which held the
// main thread — Chromium's font requests, the PDF/X preparation — while it ran. Requests are answered in
// the order they come. Plain JavaScript: a worker does not inherit the tsx loader bin/folio.js may register.
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import subsetFont from 'subset-font';

const fonts = new Map();

parentPort.on('message', async ({ id, file, chars, format }) => {
  try {
    let font = fonts.get(file);
    if (!font) fonts.set(file, (font = readFileSync(file)));
    const data = await subsetFont(font, chars, { targetFormat: format });
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    parentPort.postMessage({ id, data: bytes }, [bytes.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: String(e?.message ?? e) });
  }
});
