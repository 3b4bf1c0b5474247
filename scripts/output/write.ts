import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { FolioError } from '../diagnostics/diagnostic.js';

export interface ManifestEntry {
  target: string;
  file: string;
  bytes: number;
  sha256: string;
  pages?: number;
}

export interface Manifest {
  outputs: ManifestEntry[];
}

/**
 * Writes a file so that readers see the old bytes or the new ones, never a part:
 * a temporary sibling, fsync, then rename.
 */
export async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    const err = e as NodeJS.ErrnoException;
    throw new FolioError(
      [
        {
          file: path.relative(process.cwd(), file) || file,
          line: 0,
          column: 0,
          severity: 'error',
          message: `Cannot write output: ${err.code ?? err.message}`,
          ruleId: 'output-write',
          hint:
            err.code === 'ENOSPC'
              ? 'The disk is full; free space and build again. Earlier outputs are untouched.'
              : 'Check that --out is writable. Earlier outputs are untouched.',
        },
      ],
      1,
      { cause: e },
    );
  }
}

export const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/**
 * Replaces the entries of the targets just built and keeps the others. Two builds into one folder
 * take turns (a lock on the manifest), so neither loses the other's entries.
 */
export async function updateManifest(outDir: string, entries: ManifestEntry[]): Promise<Manifest> {
  await mkdir(outDir, { recursive: true });
  const release = await lockfile.lock(outDir, {
    lockfilePath: path.join(outDir, '.folio.lock'),
    retries: { retries: 50, minTimeout: 50, maxTimeout: 500 },
    stale: 60_000,
  });
  try {
    return await mergeManifest(outDir, entries);
  } finally {
    await release();
  }
}

async function mergeManifest(outDir: string, entries: ManifestEntry[]): Promise<Manifest> {
  const file = path.join(outDir, 'manifest.json');
  let previous: Manifest = { outputs: [] };
  try {
    previous = JSON.parse(await readFile(file, 'utf8')) as Manifest;
  } catch {
    /* first build, or unreadable: start afresh */
  }
  const built = new Set(entries.map((e) => e.target));
  const outputs = [...previous.outputs.filter((e) => !built.has(e.target)), ...entries].sort((a, b) =>
    a.target.localeCompare(b.target),
  );
  const manifest = { outputs };
  await writeAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
