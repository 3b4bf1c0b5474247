import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAtomic } from '../output/write.js';

/** Folio's own folder: the cache lives beside its dependencies unless FOLIO_CACHE_DIR says otherwise. */
const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A content-keyed cache on disk for work that depends only on its inputs (CMYK conversions of
 * images, font subsets). Keys are SHA-256 of everything that goes into the result, so an entry is
 * never stale; each entry carries the hash of its bytes and a damaged one is a miss. Best effort:
 * a cache that cannot be read or written never fails a build, it only makes it slower.
 * `FOLIO_CACHE=off` turns it off; `FOLIO_CACHE_DIR` moves it (default node_modules/.cache/folio).
 */
export interface Cache {
  readonly dir: string | undefined;
  get(key: string): Promise<Buffer | undefined>;
  put(key: string, data: Uint8Array): Promise<void>;
  /** Removes the least recently used entries until the namespace holds at most `maxBytes`; returns how many went. */
  prune(maxBytes: number): Promise<number>;
}

export function cacheDir(): string | undefined {
  if (/^(off|0|false|no)$/i.test(process.env.FOLIO_CACHE ?? '')) return undefined;
  return process.env.FOLIO_CACHE_DIR
    ? path.resolve(process.env.FOLIO_CACHE_DIR)
    : path.join(PROJECT, 'node_modules', '.cache', 'folio');
}

/** An entry's bytes on disk: the SHA-256 of the data, then the data. */
const seal = (data: Uint8Array) => Buffer.concat([createHash('sha256').update(data).digest(), data]);

/** The data of an entry read from disk, or undefined if it is damaged (its hash does not match). */
function unseal(raw: Buffer): Buffer | undefined {
  const data = raw.subarray(32);
  return raw.subarray(0, 32).equals(createHash('sha256').update(data).digest()) ? data : undefined;
}

/** @example const c = openCache('fonts'); await c.put(key, bytes); await c.get(key) */
export function openCache(namespace: string): Cache {
  const root = cacheDir();
  const dir = root && path.join(root, namespace);
  const file = (key: string) => path.join(dir!, key.slice(0, 2), key);
  return {
    dir,
    async get(key) {
      if (!dir) return undefined;
      try {
        const data = unseal(await readFile(file(key)));
        if (!data) return undefined;
        // a hit counts as a use, for pruning
        const now = new Date();
        await utimes(file(key), now, now).catch(() => {});
        return data;
      } catch {
        return undefined;
      }
    },
    async put(key, data) {
      if (!dir) return;
      // atomic like every output (temporary sibling, fsync, rename); a failure only costs speed
      await writeAtomic(file(key), seal(data)).catch(() => {});
    },
    async prune(maxBytes) {
      if (!dir) return 0;
      try {
        const entries: { path: string; size: number; used: number }[] = [];
        for (const sub of await readdir(dir)) {
          for (const name of await readdir(path.join(dir, sub)).catch(() => [] as string[])) {
            const p = path.join(dir, sub, name);
            const st = await stat(p).catch(() => undefined);
            if (st?.isFile()) entries.push({ path: p, size: st.size, used: st.mtimeMs });
          }
        }
        entries.sort((a, b) => b.used - a.used);
        let total = 0;
        let removed = 0;
        for (const e of entries) {
          total += e.size;
          if (total > maxBytes) {
            await rm(e.path, { force: true });
            removed++;
          }
        }
        return removed;
      } catch {
        return 0;
      }
    },
  };
}

/**
 * A verdict kept by key alone (a file holding just the key): "these exact bytes passed this check". For checks that
 * run synchronously where a stage cannot wait for the disk (the image decode of the manuscript stage).
 * Like every entry, best effort: a mark that cannot be read or written is only a miss.
 */
export const marks = {
  has(namespace: string, key: string): boolean {
    const root = cacheDir();
    if (!root) return false;
    const file = path.join(root, namespace, key.slice(0, 2), key);
    try {
      if (!existsSync(file)) return false;
      const now = new Date();
      utimesSync(file, now, now); // a use, for pruning
      return true;
    } catch {
      return false;
    }
  },
  set(namespace: string, key: string): void {
    const root = cacheDir();
    if (!root) return;
    const dir = path.join(root, namespace, key.slice(0, 2));
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, key), key); // 64 bytes, so that pruning counts it
    } catch {
      // a cache that cannot be written only makes the next build slower
    }
  },
};

/**
 * Entries read and written synchronously, for work a synchronous stage needs (a face's character map
 * while the HTML is measured). The same files as {@link openCache}'s: the SHA-256 of the bytes, then
 * the bytes; a damaged entry is a miss. Best effort, like the rest.
 */
export const syncEntries = {
  get(namespace: string, key: string): Buffer | undefined {
    const root = cacheDir();
    if (!root) return undefined;
    const file = path.join(root, namespace, key.slice(0, 2), key);
    try {
      const data = unseal(readFileSync(file));
      if (!data) return undefined;
      const now = new Date();
      utimesSync(file, now, now); // a use, for pruning
      return data;
    } catch {
      return undefined;
    }
  },
  put(namespace: string, key: string, data: Uint8Array): void {
    const root = cacheDir();
    if (!root) return;
    const dir = path.join(root, namespace, key.slice(0, 2));
    try {
      mkdirSync(dir, { recursive: true });
      // written beside, then renamed: a reader never sees half an entry
      const tmp = path.join(dir, `.${key}.${process.pid}.tmp`);
      writeFileSync(tmp, seal(data));
      renameSync(tmp, path.join(dir, key));
    } catch {
      // a cache that cannot be written only makes the next build slower
    }
  },
};

/** How much each namespace may keep: CMYK images are large, font subsets small and many, page plans tiny. */
export const CACHE_LIMITS: Record<string, number> = {
  'cmyk-images': 2 * 2 ** 30,
  'font-subsets': 256 * 2 ** 20,
  'page-plans': 4 * 2 ** 20,
  // 64-byte marks: the last 65,536 images
  'decoded-images': 4 * 2 ** 20,
  // a 64-byte digest entry and a character map (~4 KiB of ranges) for each face file seen
  'face-digests': 4 * 2 ** 20,
  'face-cmaps': 4 * 2 ** 20,
};

/** Keeps every namespace within its limit (least recently used first out). Best effort. */
export async function pruneCaches(): Promise<void> {
  await Promise.all(Object.entries(CACHE_LIMITS).map(([ns, max]) => openCache(ns).prune(max)));
}

/** SHA-256 hex of the parts, each length-prefixed so that ("ab", "c") and ("a", "bc") differ. */
export function cacheKey(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p) : p;
    h.update(`${b.byteLength}:`).update(b);
  }
  return h.digest('hex');
}
