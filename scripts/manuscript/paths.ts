import path from 'node:path';

export type PathProblem = 'remote' | 'absolute' | 'escapes' | 'empty';

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
  let decoded = ref;
  try {
    decoded = decodeURIComponent(ref);
  } catch {
    /* keep raw */
  }
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
