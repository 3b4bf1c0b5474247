import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type PathProblem = 'remote' | 'absolute' | 'escapes' | 'empty';

/**
 * The one place a reference from a chapter (an image src, as markdown-it normalised it: `100%.png` →
 * `100%25.png`, `图.png` → `%E5%9B%BE.png`) becomes a file name: decoded once. `#` and `?` are part of
 * the name: a manuscript file is never fetched as a URL, so it has no query or fragment.
 * @example decodeRef('images/100%25.png') // 'images/100%.png'
 */
export function decodeRef(ref: string): string {
  try {
    return decodeURIComponent(ref);
  } catch {
    return ref; // a lone "%" written by hand: the name as it is
  }
}

/**
 * The other direction, also in one place: a manuscript file as a relative URL for the HTML and the
 * EPUB, every path segment percent-encoded (`a#b.png` → `a%23b.png`, `dir#1` → `dir%231`).
 * @example hrefOf('/m', '/m/images/a#b.png') // 'images/a%23b.png'
 */
export function hrefOf(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).map(encodeURIComponent).join('/');
}

/** A manuscript file as a file: URL (for the EPUB packer), percent-encoded by Node's own pathToFileURL. */
export function fileUrlOf(abs: string): string {
  return pathToFileURL(abs).href;
}

/**
 * Resolves a manuscript-relative reference, refusing anything that leaves the folder.
 * @example resolveInside('/m', 'images/a.png') // { ok: true, path: '/m/images/a.png' }
 */
export function resolveInside(
  root: string,
  ref: string,
): { ok: true; path: string } | { ok: false; problem: PathProblem } {
  if (!ref.trim()) return { ok: false, problem: 'empty' };
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref) || ref.startsWith('//')) return { ok: false, problem: 'remote' };
  const decoded = decodeRef(ref);
  if (path.isAbsolute(decoded) || decoded.startsWith('\\')) return { ok: false, problem: 'absolute' };
  const abs = path.resolve(root, decoded);
  const rel = path.relative(root, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return { ok: false, problem: 'escapes' };
  return { ok: true, path: abs };
}

export const PATH_MESSAGES: Record<PathProblem, { message: string; ruleId: string; hint: string }> = {
  remote: {
    message: 'Remote resource refused',
    ruleId: 'path-remote',
    hint: 'Download the file into manuscript/images/ and refer to it by a relative path.',
  },
  absolute: {
    message: 'Absolute path refused',
    ruleId: 'path-absolute',
    hint: 'Use a path relative to the manuscript folder, e.g. images/photo.jpg.',
  },
  escapes: {
    message: 'Path leaves the manuscript folder',
    ruleId: 'path-escape',
    hint: 'Copy the file under manuscript/ and refer to it without "..".',
  },
  empty: { message: 'Empty path', ruleId: 'path-empty', hint: 'Give the file name.' },
};
