import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import chokidar from 'chokidar';
import { type Diagnostic, FolioError, formatDiagnostic } from '../diagnostics/diagnostic.js';
import { lintBook } from '../lint/lint.js';
import { loadManuscript } from '../manuscript/load.js';
import { buildBook } from '../model/book.js';
import { decodePath, lookup, type Mount } from '../paginate/serve.js';
import { renderHtml, TEMPLATES_DIR, type HtmlBundle } from '../render/html.js';

const require = createRequire(import.meta.url);
const PAGED_DIR = path.join(path.dirname(require.resolve('pagedjs')), '..', 'dist');
const CLIENT = readFileSync(fileURLToPath(new URL('./client.js', import.meta.url)), 'utf8');

export interface Preview {
  url: string;
  /** Rebuilds the HTML now (the watcher calls this on every save). */
  rebuild(): Promise<void>;
  close(): Promise<void>;
  /** Time of the last HTML rebuild, ms. */
  lastRebuildMs: number;
  diagnostics: Diagnostic[];
}

export interface PreviewOptions {
  manuscript: string;
  port?: number;
  log?: (line: string) => void;
}

/**
 * `folio preview`: serves the book, paginated by Paged.js in the user's browser, on 127.0.0.1; rebuilds
 * the HTML on every save of the manuscript or templates and tells the page to reload. A broken save
 * keeps the last good book and shows its diagnostics in an overlay; fixing it clears the overlay.
 * @example const p = await startPreview({ manuscript: 'manuscript', port: 4173 }); console.log(p.url);
 */
export async function startPreview(opts: PreviewOptions): Promise<Preview> {
  const log = opts.log ?? (() => {});
  let bundle: HtmlBundle | undefined;
  let mounts: Mount[] = [];
  const clients = new Set<ServerResponse>();
  const state: Preview = { url: '', rebuild, close, lastRebuildMs: 0, diagnostics: [] };

  const send = (event: string, data: unknown) => {
    for (const c of clients) c.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  async function rebuild(): Promise<void> {
    const t0 = performance.now();
    try {
      const manuscript = await loadManuscript(opts.manuscript);
      const book = buildBook(manuscript);
      for (const d of lintBook(manuscript, book).diagnostics) manuscript.diagnostics.add(d);
      state.diagnostics = manuscript.diagnostics.diagnostics;
      if (manuscript.diagnostics.errors.length === 0) {
        const next = renderHtml(book);
        bundle = next;
        mounts = [...next.mounts, { prefix: 'm/', dir: book.root }, { prefix: '_folio/', dir: PAGED_DIR }];
      }
    } catch (e) {
      if (!(e instanceof FolioError)) throw e;
      state.diagnostics = e.diagnostics;
    }
    state.lastRebuildMs = performance.now() - t0;
    const errors = state.diagnostics.filter((d) => d.severity === 'error');
    for (const d of state.diagnostics) log(formatDiagnostic(d));
    log(`${errors.length ? 'kept the last good book' : 'rebuilt'} in ${state.lastRebuildMs.toFixed(0)} ms`);
    if (errors.length) send('diagnostics', state.diagnostics);
    else send('reload', { at: Date.now() });
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refused = refuse(req, port);
    if (refused) {
      res.writeHead(refused.status, { 'content-type': 'text/plain; charset=utf-8' }).end(refused.why);
      return;
    }
    const url = new URL(req.url!, 'http://127.0.0.1');
    const rel = decodePath(url.pathname)!;
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/index.html?view=booklet' }).end();
      return;
    }
    if (url.pathname === '/__events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': folio preview\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (url.pathname === '/__diagnostics') {
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(state.diagnostics));
      return;
    }
    if (rel === '_folio/preview.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(CLIENT);
      return;
    }
    if (!bundle) {
      res
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
        .end(state.diagnostics.map(formatDiagnostic).join('\n') || 'building…');
      return;
    }
    if (rel === 'index.html') {
      const view = url.searchParams.get('view') ?? 'booklet';
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(previewHtml(bundle, view));
      return;
    }
    if (rel === 'press.css') {
      res.writeHead(200, { 'content-type': 'text/css' }).end('@page { marks: crop cross; }\n');
      return;
    }
    const found = await lookup(rel, bundle, mounts);
    if (!found) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not in the build');
      return;
    }
    res.writeHead(200, { 'content-type': found.type, 'cache-control': 'no-store' }).end(found.body);
  };
  let port = 0;
  const server = createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    // a request never takes the server down: whatever it causes ends as a 500 for that request only
    handle(req, res).catch((e: unknown) => {
      log(`preview: ${req.method} ${req.url}: ${(e as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('internal error');
    });
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await rebuild();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 4173, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${port}/`;

  let timer: NodeJS.Timeout | undefined;
  const watcher = chokidar.watch([path.resolve(opts.manuscript), TEMPLATES_DIR], {
    ignoreInitial: true,
    awaitWriteFinish: { stabilityThreshold: 40, pollInterval: 10 },
  });
  watcher.on('all', () => {
    clearTimeout(timer);
    // a broken save never kills the server: errors become diagnostics, anything else is logged
    timer = setTimeout(() => void rebuild().catch((e: unknown) => log(`preview: ${(e as Error).stack ?? e}`)), 30);
  });
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  async function close(): Promise<void> {
    clearTimeout(timer);
    await watcher.close();
    for (const c of clients) c.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections?.();
  }
  return state;
}

/**
 * Why a request is refused before it is served, or undefined. Only `Host: 127.0.0.1:PORT` or
 * `localhost:PORT` is answered: a page on another origin that rebinds its own name to 127.0.0.1 (DNS
 * rebinding) sends its own name as Host and gets 403, so it cannot read the manuscript. Only GET and
 * HEAD, only origin-form targets (`/path`), and a path that decodes (`/%E0%A4%A` is 400, not a crash).
 */
export function refuse(req: IncomingMessage, port: number): { status: number; why: string } | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return { status: 403, why: `folio preview answers only Host 127.0.0.1:${port} or localhost:${port}` };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, why: 'only GET' };
  const target = req.url ?? '';
  if (!target.startsWith('/') || target.startsWith('//')) return { status: 400, why: 'malformed request target' };
  try {
    if (decodePath(new URL(target, 'http://127.0.0.1').pathname) !== undefined) return undefined;
  } catch {
    /* falls through */
  }
  return { status: 400, why: 'malformed path' };
}

/** The book page with the preview scripts: Paged.js for booklet and press (with marks), none for the e-book view. */
function previewHtml(bundle: HtmlBundle, view: string): string {
  const html = String(bundle.files.get('index.html'));
  const scripts =
    view === 'ebook'
      ? '<script src="_folio/preview.js"></script>'
      : '<script src="_folio/preview.js"></script><script src="_folio/paged.polyfill.js"></script>';
  const styles = view === 'ebook' ? '' : view === 'press' ? '<link rel="stylesheet" href="press.css">' : '';
  const withCss =
    view === 'ebook'
      ? html.replace(
          '<link rel="stylesheet" href="page.css">',
          '<style>body{max-width:40em;margin:2em auto;padding:0 1em}.cover,.backcover{min-height:20em;background:#123a5e}</style>',
        )
      : html.replace('<link rel="stylesheet" href="page.css">', `<link rel="stylesheet" href="page.css">${styles}`);
  return withCss.replace('</head>', `${scripts}\n</head>`);
}
