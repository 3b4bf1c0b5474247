import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HTTPRequest, Page } from 'puppeteer-core';
import { confine } from '../manuscript/confine.js';
import { resolveInside } from '../manuscript/paths.js';
import type { HtmlBundle } from '../render/html.js';

/** A reserved TLD: nothing real can answer it, so a leak would fail rather than fetch. */
export const ORIGIN = 'https://folio.invalid/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.epub': 'application/epub+zip',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
};

export interface Mount {
  prefix: string;
  dir: string;
}

export interface RequestLog {
  served: string[];
  refused: string[];
  missing: string[];
}

/**
 * Answers every request of the page from the bundle and the mounted folders; refuses the rest.
 * The page can reach nothing outside the build's own files.
 */
export async function serveBundle(page: Page, bundle: HtmlBundle, mounts: Mount[]): Promise<RequestLog> {
  const log: RequestLog = { served: [], refused: [], missing: [] };
  await page.setRequestInterception(true);
  page.on('request', (request: HTTPRequest) => {
    void answer(request, bundle, mounts, log).catch(() => request.abort('failed').catch(() => {}));
  });
  return log;
}

async function answer(request: HTTPRequest, bundle: HtmlBundle, mounts: Mount[], log: RequestLog): Promise<void> {
  const url = request.url();
  // data: and blob: URLs are made by the page from its own bytes: nothing leaves the machine.
  if (url.startsWith('data:') || url.startsWith('blob:')) return request.continue();
  if (!url.startsWith(ORIGIN) || request.method() !== 'GET') {
    log.refused.push(url);
    return request.abort('blockedbyclient');
  }
  const rel = decodePath(new URL(url).pathname);
  if (rel === undefined) {
    log.refused.push(url);
    return request.abort('blockedbyclient');
  }
  let found: Awaited<ReturnType<typeof lookup>>;
  try {
    found = await lookup(rel, bundle, mounts);
  } catch {
    // a file made on request (a font subset) that could not be made: a missing resource, never a fallback
    log.missing.push(rel);
    return request.respond({ status: 500, contentType: 'text/plain', body: 'could not be made' });
  }
  if (found) {
    log.served.push(rel);
    return request.respond({ status: 200, contentType: found.type, body: found.body });
  }
  log.missing.push(rel);
  return request.respond({ status: 404, contentType: 'text/plain', body: 'not in the build' });
}

/**
 * The percent-decoded path of a request without its leading slash, or undefined when it is malformed
 * (a broken escape such as `%E0%A4%A`) or holds a NUL or a backslash.
 * @example decodePath('/m/images/%E5%9B%BE.png') // 'm/images/图.png'
 */
export function decodePath(pathname: string): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname.replace(/^\//, ''));
  } catch {
    return undefined;
  }
  return /[\0\\]/.test(rel) ? undefined : rel;
}

/** A build file by its path under the origin: from the bundle, else from a mounted folder (never outside it). */
export async function lookup(
  rel: string,
  bundle: { files: Map<string, string | Uint8Array>; lazy?: Map<string, () => Promise<Uint8Array>> },
  mounts: Mount[],
): Promise<{ body: Buffer; type: string } | undefined> {
  const inMemory = bundle.files.get(rel);
  if (inMemory !== undefined) return { body: Buffer.from(inMemory), type: type(rel) };
  const made = bundle.lazy?.get(rel);
  if (made) return { body: Buffer.from(await made()), type: type(rel) };
  for (const m of mounts) {
    if (!rel.startsWith(m.prefix)) continue;
    const resolved = resolveInside(m.dir, rel.slice(m.prefix.length));
    if (!resolved.ok) return undefined;
    // after symlinks too: a link inside the folder to /etc/passwd is not a build file
    const real = confine(m.dir, resolved.path);
    if (!real.ok) return undefined;
    if (!real.exists) continue;
    try {
      return { body: await readFile(real.path), type: type(rel) };
    } catch {
      continue; // another mount may share the prefix
    }
  }
  return undefined;
}

const type = (p: string) => TYPES[path.extname(p).toLowerCase()] ?? 'application/octet-stream';
