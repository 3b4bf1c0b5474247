// @likecoin/epubcheck-ts in a worker thread: its import and WebAssembly start (~0.3–1 s) and each
// validation run beside the build's main thread, which meanwhile finishes the PDF/X and imposes.
// Plain JavaScript: a worker does not inherit the tsx loader bin/folio.js registers.
import { parentPort } from 'node:worker_threads';

const loading = import('@likecoin/epubcheck-ts');
loading.catch(() => {}); // reported with the first request

parentPort.on('message', async (data) => {
  try {
    const { EpubCheck } = await loading;
    const r = await EpubCheck.validate(data);
    parentPort.postMessage({
      ok: true,
      fatalCount: r.fatalCount,
      errorCount: r.errorCount,
      warningCount: r.warningCount,
      messages: r.messages.map((m) => ({
        id: m.id,
        severity: String(m.severity).toLowerCase(),
        message: m.message,
        location: m.location ? { path: m.location.path, line: m.location.line } : undefined,
      })),
    });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e instanceof Error ? (e.stack ?? e.message) : e) });
  }
});
