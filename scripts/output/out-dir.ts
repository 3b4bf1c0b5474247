// `--out` (build, proof, import): checked before any work (a usage error, exit 2), and created without Node's
// recursive mkdir, which never returns for a path under /proc (mkdir answers ENOENT there, not EEXIST).
import { mkdir, mkdtemp, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FolioError } from '../diagnostics/diagnostic.js';

const HINT = 'Give --out a folder you can write to, or a new name inside one (Folio creates it).';

function usage(out: string, message: string): FolioError {
  return new FolioError(
    [{ file: out, line: 0, column: 0, severity: 'error', message, ruleId: 'usage-path', hint: HINT }],
    2,
  );
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? String(e);

/** The nearest of `abs` and its ancestors that exists, with what it is; ENOTDIR/ENOENT walk up. */
async function nearestExisting(abs: string): Promise<{ dir: string; isDir: boolean }> {
  for (let p = abs; ; p = path.dirname(p)) {
    try {
      return { dir: p, isDir: (await stat(p)).isDirectory() };
    } catch (e) {
      const c = code(e);
      if ((c !== 'ENOENT' && c !== 'ENOTDIR') || p === path.dirname(p)) throw e;
    }
  }
}

/**
 * Checks `--out` before the build reads anything: it is a folder, or does not exist yet and its nearest
 * existing ancestor is a folder; and that folder can be written (a folder is made there and removed
 * again, which is what the build will do: access(2) says yes to root on a read-only /proc).
 */
export async function validateOutDir(out: string): Promise<void> {
  const abs = path.resolve(out);
  let found: { dir: string; isDir: boolean };
  try {
    found = await nearestExisting(abs);
  } catch (e) {
    throw usage(out, `--out ${out}: cannot be read (${code(e)})`);
  }
  if (!found.isDir) {
    if (found.dir === abs) throw usage(out, `--out ${out}: exists and is not a folder`);
    const shown = path.isAbsolute(out) ? found.dir : path.relative(process.cwd(), found.dir);
    throw usage(out, `--out ${out}: ${shown} is not a folder`);
  }
  try {
    await rmdir(await mkdtemp(path.join(found.dir, '.folio-probe-')));
  } catch (e) {
    const where = found.dir === abs ? 'cannot be written' : `cannot be created in ${found.dir}`;
    throw usage(out, `--out ${out}: ${where} (${code(e)})`);
  }
}

/** `mkdir -p` one level at a time (Node's recursive mkdir loops where mkdir says ENOENT under an existing parent). */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    const st = await stat(p).catch(() => undefined);
    if (st) break;
    missing.unshift(p);
    if (p === path.dirname(p)) break;
  }
  for (const p of missing)
    await mkdir(p).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
}
