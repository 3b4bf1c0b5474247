import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { FolioError } from '../diagnostics/diagnostic.js';
import { makeDirs } from './out-dir.js';

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
    await makeDirs(dir);
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
    throw outputWriteError(file, e);
  }
}

/** `output-write` for a file that could not be written, with the errno and what to do. */
export function outputWriteError(file: string, e: unknown): FolioError {
  const err = e as NodeJS.ErrnoException;
  return new FolioError(
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
            : err.code === 'EISDIR'
              ? `A folder (or something else) is in the way of ${path.basename(file)}; move it away. ` +
                'Earlier outputs are untouched.'
              : 'Check that --out is writable. Earlier outputs are untouched.',
      },
    ],
    1,
    { cause: e },
  );
}

export const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
