import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import chokidar from 'chokidar';
import { type Diagnostic, FolioError, formatDiagnostic } from '../diagnostics/diagnostic.js';
import { lintBook } from '../lint/lint.js';
import { loadManuscript } from '../manuscript/load.js';
import { buildBook } from '../model/book.js';
import { decodePath, lookup, type Mount } from '../paginate/serve.js';
import { glyphDiagnostics } from '../fonts/coverage.js';
import { renderHtml, TEMPLATES_DIR, type HtmlBundle } from '../render/html.js';
import { MAX_GAP_FRACTION } from '../typography/measure.js';
import { clientFiles, pressPageCss, previewHtml, typographyScript, VIEWS, type View } from './assets.js';
import { checkEditorUrl } from './editor.js';
import { readPreflight, type PreflightSummary } from './preflight.js';

const require = createRequire(import.meta.url);
const PAGED_DIR = path.join(path.dirname(require.resolve('pagedjs')), '..', 'dist');

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
  /** Output folder of `folio build`, whose preflight.json the panel shows (default `dist`). */
  dist?: string;
  /** Editor link for a clicked line, e.g. `vscode://file/{file}:{line}` (default: $FOLIO_EDITOR_URL). */
  editor?: string;
  log?: (line: string) => void;
}

/** The stretch limit the preview checks lines against: `folio check --typography`'s default. */
const STRETCH_EM = 0.25;

/** What one preview holds between requests: the last good book, the page's event streams, the build state. */
interface Session {
  opts: PreviewOptions;
  log: (line: string) => void;
  state: Preview;
  bundle?: HtmlBundle;
  mounts: Mount[];
  clients: Set<ServerResponse>;
  client: ReturnType<typeof clientFiles>;
  build: { rebuiltAt: number; building: boolean; preflight: PreflightSummary | null; editor: string };
  port: number;
}

/**
 * `folio preview`: serves the book, paginated by Paged.js in the user's browser, on 127.0.0.1; rebuilds
 * the HTML on every save of the manuscript or templates and tells the page to reload. A broken save
 * keeps the last good book and shows its diagnostics in an overlay; fixing it clears the overlay.
 * @example const p = await startPreview({ manuscript: 'manuscript', port: 4173 }); console.log(p.url);
 */
export async function startPreview(opts: PreviewOptions): Promise<Preview> {
  const editor = opts.editor ?? process.env.FOLIO_EDITOR_URL ?? '';
  const problem = editor ? checkEditorUrl(editor) : undefined;
  if (problem) throw new FolioError([problem]);
  const s: Session = {
    opts,
    log: opts.log ?? (() => {}),
    state: { url: '', rebuild: () => rebuild(s), close: async () => {}, lastRebuildMs: 0, diagnostics: [] },
    mounts: [],
    clients: new Set(),
    client: clientFiles({ stretchEm: STRETCH_EM }),
    build: { rebuiltAt: 0, building: false, preflight: null, editor },
    port: 0,
  };
  await rebuild(s);
  const server = await listen(s);
  const closeWatcher = await watchSources(s);
  s.state.close = async () => {
    await closeWatcher();
    for (const c of s.clients) c.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections?.();
  };
  return s.state;
}

/** Tells every open page something: `building`, `reload`, or `diagnostics` (with the build state). */
function send(s: Session, event: string, data: unknown): void {
  for (const c of s.clients) c.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** What the page shows beside the book: diagnostics, rebuild time, preflight of the last build, editor link. */
function buildState(s: Session) {
  return {
    diagnostics: s.state.diagnostics,
    rebuildMs: s.state.lastRebuildMs,
    rebuiltAt: s.build.rebuiltAt,
    building: s.build.building,
    preflight: s.build.preflight,
    editor: s.build.editor,
    cwd: process.cwd(),
  };
}

/** Loads, lints and renders the manuscript; keeps the last good book when the new one has errors. */
async function rebuild(s: Session): Promise<void> {
  const t0 = performance.now();
  s.build.building = true;
  send(s, 'building', {});
  try {
    const manuscript = await loadManuscript(s.opts.manuscript);
    const book = buildBook(manuscript);
    for (const d of lintBook(manuscript, book).diagnostics) manuscript.diagnostics.add(d);
    s.state.diagnostics = manuscript.diagnostics.diagnostics;
    const next = manuscript.diagnostics.errors.length === 0 ? renderHtml(book) : undefined;
    if (next)
      for (const d of glyphDiagnostics(next.usage!, [...manuscript.chapters, manuscript.configFile]))
        manuscript.diagnostics.add(d);
    if (next && manuscript.diagnostics.errors.length === 0) {
      s.bundle = next;
      // the line grid is the book's own line pitch, as the build lays it out (scripts/paginate/paginate.ts)
      const options = { stretchEm: STRETCH_EM, gridPt: next.geometry.line, maxGapFraction: MAX_GAP_FRACTION };
      s.client.set('typography.js', { body: typographyScript(options), type: 'text/javascript; charset=utf-8' });
      s.mounts = [...next.mounts, { prefix: 'm/', dir: book.root }, { prefix: '_folio/', dir: PAGED_DIR }];
    }
  } catch (e) {
    if (!(e instanceof FolioError)) throw e;
    s.state.diagnostics = e.diagnostics;
  } finally {
    s.build.building = false;
  }
  s.build.preflight = await readPreflight(s.opts.dist ?? 'dist');
  s.state.lastRebuildMs = performance.now() - t0;
  s.build.rebuiltAt = Date.now();
  const errors = s.state.diagnostics.filter((d) => d.severity === 'error');
  for (const d of s.state.diagnostics) s.log(formatDiagnostic(d));
  s.log(`${errors.length ? 'kept the last good book' : 'rebuilt'} in ${s.state.lastRebuildMs.toFixed(0)} ms`);
  if (errors.length) send(s, 'diagnostics', buildState(s));
  else send(s, 'reload', { at: s.build.rebuiltAt });
}

const NO_STORE = { 'cache-control': 'no-store' };
const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

function openEvents(s: Session, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', ...NO_STORE, connection: 'keep-alive' });
  res.write(': folio preview\n\n');
  s.clients.add(res);
  req.on('close', () => s.clients.delete(res));
}

/** The preview's own routes: the page, its event stream and state, the client files. Undefined: not ours. */
function ownRoute(s: Session, url: URL, rel: string): { type: string; body: string } | undefined {
  const json = 'application/json';
  if (url.pathname === '/__state') return { type: json, body: JSON.stringify(buildState(s)) };
  if (url.pathname === '/__diagnostics') return { type: json, body: JSON.stringify(s.state.diagnostics) };
  const client = rel.startsWith('_folio/') ? s.client.get(rel.slice('_folio/'.length)) : undefined;
  if (client) return client;
  if (!s.bundle) return undefined;
  if (rel === 'index.html') {
    const asked = url.searchParams.get('view') as View | null;
    const view = asked && VIEWS.includes(asked) ? asked : 'booklet';
    return { type: 'text/html; charset=utf-8', body: previewHtml(s.bundle, view) };
  }
  if (rel === 'press-page.css')
    return { type: 'text/css; charset=utf-8', body: pressPageCss(String(s.bundle.files.get('page.css'))) };
  return undefined;
}

async function handle(s: Session, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const refused = refuse(req, s.port);
  if (refused) return void res.writeHead(refused.status, TEXT).end(refused.why);
  const url = new URL(req.url!, 'http://127.0.0.1');
  const rel = decodePath(url.pathname)!;
  if (url.pathname === '/') return void res.writeHead(302, { location: '/index.html?view=booklet' }).end();
  if (url.pathname === '/__events') return openEvents(s, req, res);
  const own = ownRoute(s, url, rel);
  if (own) return void res.writeHead(200, { 'content-type': own.type, ...NO_STORE }).end(own.body);
  if (!s.bundle)
    return void res.writeHead(503, TEXT).end(s.state.diagnostics.map(formatDiagnostic).join('\n') || 'building…');
  const found = await lookup(rel, s.bundle, s.mounts);
  if (!found) return void res.writeHead(404, TEXT).end('not in the build');
  res.writeHead(200, { 'content-type': found.type, ...NO_STORE }).end(found.body);
}

/** Listens on 127.0.0.1 only; a request never takes the server down (whatever it causes is a 500 for it). */
async function listen(s: Session): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    handle(s, req, res).catch((e: unknown) => {
      s.log(`preview: ${req.method} ${req.url}: ${(e as Error).message}`);
      if (!res.headersSent) res.writeHead(500, TEXT);
      res.end('internal error');
    });
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(s.opts.port ?? 4173, e)));
    server.listen(s.opts.port ?? 4173, '127.0.0.1', () => resolve());
  });
  s.port = (server.address() as AddressInfo).port;
  s.state.url = `http://127.0.0.1:${s.port}/`;
  return server;
}

/** Rebuilds on every save of the manuscript or the templates; returns the function that stops watching. */
async function watchSources(s: Session): Promise<() => Promise<void>> {
  let timer: NodeJS.Timeout | undefined;
  const watcher = chokidar.watch([path.resolve(s.opts.manuscript), TEMPLATES_DIR], {
    ignoreInitial: true,
    awaitWriteFinish: { stabilityThreshold: 40, pollInterval: 10 },
  });
  watcher.on('all', () => {
    clearTimeout(timer);
    // a broken save never kills the server: errors become diagnostics, anything else is logged
    timer = setTimeout(() => void rebuild(s).catch((e: unknown) => s.log(`preview: ${(e as Error).stack ?? e}`)), 30);
  });
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return async () => {
    clearTimeout(timer);
    await watcher.close();
  };
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

/** A port that cannot be listened on is the user's to change: a usage error naming --port. */
function listenError(port: number, e: NodeJS.ErrnoException): Error {
  const inUse = e.code === 'EADDRINUSE';
  return new FolioError(
    [
      {
        file: '--port',
        line: 0,
        column: 0,
        severity: 'error',
        message: inUse ? `Port ${port} is in use` : `Cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}`,
        ruleId: 'usage-port',
        hint: inUse ? `Another server runs there; pass another port, e.g. --port ${port + 1}.` : 'Pass another --port.',
      },
    ],
    2,
    { cause: e },
  );
}
