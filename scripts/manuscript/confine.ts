import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Result of {@link confine}: the path to open, or where it really leads when that is outside. */
export type Confinement =
  | { ok: true; path: string; exists: boolean }
  | { ok: false; ruleId: 'path-symlink-escape'; real: string; dangling: boolean; outside: boolean };

const MAX_LINKS = 40; // as the kernel's ELOOP limit

/**
 * Where `p` really leads after every symlink, also when it does not exist (yet): a missing tail is
 * resolved against the real path of its nearest existing ancestor, and a dangling symlink against its
 * target, as the kernel would when a file is created through it.
 */
export function realTarget(p: string, depth = 0): { real: string; dangling: boolean } {
  const abs = path.resolve(p);
  try {
    return { real: realpathSync.native(abs), dangling: false };
  } catch {
    /* something on the way is missing or a dangling link */
  }
  const parent = path.dirname(abs);
  if (parent === abs) return { real: abs, dangling: false };
  const up = realTarget(parent, depth);
  let link: string | undefined;
  try {
    if (lstatSync(abs).isSymbolicLink()) link = readlinkSync(abs);
  } catch {
    /* missing: the tail is created under the parent */
  }
  if (link === undefined || depth >= MAX_LINKS) {
    return { real: path.join(up.real, path.basename(abs)), dangling: up.dangling };
  }
  return { real: realTarget(path.resolve(up.real, link), depth + 1).real, dangling: true };
}

const inside = (root: string, p: string) => {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
};

/**
 * The one confinement rule for every file Folio reads or writes on a manuscript's behalf: the real path
 * of `file` (after symlinks; for a file to be created, the real path of its existing parent) must lie
 * inside the real path of `root`. With `write`, a dangling symlink is refused too (a write through it
 * would create its target). Symlinks that stay inside keep working: the returned `path` is the real one.
 * @example confine('/m', '/m/images/a.png') // { ok: true, path: '/m/images/a.png', exists: true }
 */
export function confine(root: string, file: string, opts: { write?: boolean } = {}): Confinement {
  const realRoot = realTarget(root).real;
  const { real, dangling } = realTarget(file);
  const outside = !inside(realRoot, real);
  if (outside || (opts.write && dangling)) {
    return { ok: false, ruleId: 'path-symlink-escape', real, dangling, outside };
  }
  let exists = true;
  try {
    realpathSync.native(real);
  } catch {
    exists = false;
  }
  return { ok: true, path: real, exists };
}

/** Message and hint for a refused path, shared by every caller. */
export function escapeMessage(
  what: string,
  c: { real: string; dangling: boolean; outside: boolean },
  root: string,
): { message: string; ruleId: 'path-symlink-escape'; hint: string } {
  const where = c.outside ? `, outside ${root}` : ' (Folio never writes through a dangling symlink)';
  return {
    message: `${what} ${c.dangling ? 'is a dangling symlink to' : 'leads through a symlink to'} ${c.real}${where}`,
    ruleId: 'path-symlink-escape',
    hint: 'Copy the file into the manuscript folder instead of linking to it; symlinks must stay inside the folder.',
  };
}
