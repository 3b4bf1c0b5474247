import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * What a run must not leave behind when SIGINT or SIGTERM stops it: its temporary folders
 * (folio-cmyk-*, folio-pdfx-*, folio-preflight-*, folio-proof-*, the staging folder, Chromium's
 * profile) and its child processes (Chromium, gs, poppler, java).
 */
const folders = new Set<string>();

/** A fresh temporary folder under the system's tmp, removed on a signal if its user has not already. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  folders.add(dir);
  return dir;
}

/** Registers a folder made elsewhere (the staging folder, Chromium's profile) for removal on a signal. */
export function removeOnSignal(dir: string): () => void {
  folders.add(dir);
  return () => folders.delete(dir);
}

/** Forgets a temporary folder its user has removed. */
export function forgetTempDir(dir: string): void {
  folders.delete(dir);
}

/** Every process below `root` (children, grandchildren: Chromium's renderers, gs's helpers), from /proc. */
export function descendants(root = process.pid): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, ppid] of parent) {
      if (ppid !== pid || found.includes(child)) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

/** Kills every descendant and removes every registered folder; synchronous, for a signal handler. */
export function cleanUpNow(): { killed: number; removed: number } {
  const pids = descendants();
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  let removed = 0;
  for (const dir of folders) {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    removed++;
  }
  folders.clear();
  return { killed: pids.length, removed };
}

/**
 * SIGINT and SIGTERM stop the run cleanly: children killed, temporary folders removed, one line
 * naming the signal, exit 130 / 143 (128 + the signal number, as shells report it).
 */
export function stopOnSignals(what: string): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      const { killed } = cleanUpNow();
      process.stderr.write(
        `\nfolio: ${what} stopped by ${signal}` +
          `${killed ? ` (${killed} child process${killed > 1 ? 'es' : ''} ended)` : ''}` +
          '; earlier outputs are untouched\n',
      );
      process.exit(code);
    });
  }
}
