import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { FolioError } from '../diagnostics/diagnostic.js';

/** What `.folio.lock` says about the build that holds it. */
export interface LockOwner {
  pid: number;
  /** Start time of the owner process in clock ticks since boot (/proc/PID/stat field 22): tells a reused pid apart. */
  start: string;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
}

export const LOCK_NAME = '.folio.lock';
/** How long a build waits for a live owner before giving up (an owner holds the lock only while it swaps). */
const WAIT_MS = 60_000;
/** A lock file that is still empty this long after it was made was left by a build killed while taking it. */
const EMPTY_GRACE_MS = 5_000;

/** Start time of a process, or undefined where /proc cannot tell. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after its closing one
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote `owner` still runs (the same process, not a later one given its pid). */
export function ownerAlive(owner: LockOwner): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false; // no owner recorded (kill(0) means the group)
  if (owner.host !== hostname()) return true; // another machine's build: cannot tell, assume it runs
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStart(owner.pid);
  return start === undefined || owner.start === '' || start === owner.start;
}

const me = (): LockOwner => ({
  pid: process.pid,
  start: processStart(process.pid) ?? '',
  host: hostname(),
  since: new Date().toISOString(),
});

/**
 * Takes `<dir>/.folio.lock` (created exclusively, holding pid and start time). A lock whose owner is
 * gone is taken over and `note` is told; a live owner is waited for, up to a minute.
 * Returns the release function.
 */
export async function acquireLock(dir: string, note: (text: string) => void): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_NAME);
  const t0 = Date.now();
  for (;;) {
    const owner = me();
    const text = `${JSON.stringify(owner)}\n`;
    if (await createExclusive(file, text)) return () => releaseLock(file, text);
    const found = await readOwner(file);
    if (found === 'gone') continue;
    if (found !== 'busy' && !ownerAlive(found.owner)) {
      if (await takeOver(file, found.raw)) note(describeStale(found.owner));
      continue;
    }
    if (Date.now() - t0 > WAIT_MS) throw lockedError(file, found === 'busy' ? undefined : found.owner);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function createExclusive(file: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

type Found = 'gone' | 'busy' | { owner: LockOwner; raw: string };

/** The lock's owner; 'gone' if the file vanished meanwhile, 'busy' if it is being written right now. */
async function readOwner(file: string): Promise<Found> {
  let raw: string;
  let age: number;
  try {
    const s = await stat(file);
    age = Date.now() - s.mtimeMs;
    // a folder: the lock of Folio before 0.2 (proper-lockfile), which records no owner
    if (s.isDirectory()) return { owner: { pid: 0, start: '', host: hostname(), since: '' }, raw: 'dir' };
    raw = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  try {
    const owner = JSON.parse(raw) as LockOwner;
    if (typeof owner.pid === 'number') return { owner, raw };
  } catch {
    /* empty or torn */
  }
  return age < EMPTY_GRACE_MS ? 'busy' : { owner: { pid: 0, start: '', host: hostname(), since: '' }, raw };
}

/**
 * Moves a stale lock aside; only one of several builds doing this at once wins. If what was moved
 * is not the lock judged stale (another build took it over in between), it is put back.
 */
async function takeOver(file: string, staleRaw: string): Promise<boolean> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  const moved = staleRaw === 'dir' ? 'dir' : await readFile(aside, 'utf8').catch(() => 'dir');
  if (moved !== staleRaw) {
    await link(aside, file).catch(() => {}); // someone's live lock: restore it unless a newer one exists
    await unlink(aside).catch(() => {});
    return false;
  }
  await rm(aside, { recursive: true, force: true });
  return true;
}

async function releaseLock(file: string, text: string): Promise<void> {
  // only our own lock: a build that overran and was taken over must not remove its successor's
  if ((await readFile(file, 'utf8').catch(() => '')) === text) await unlink(file).catch(() => {});
}

function describeStale(owner: LockOwner): string {
  if (!owner.pid) return 'Took over a lock left without an owner (an older Folio, or a build killed while locking)';
  return `Took over the lock of a build that is gone (pid ${owner.pid}, locked at ${owner.since})`;
}

function lockedError(file: string, owner: LockOwner | undefined): FolioError {
  const who = owner ? `pid ${owner.pid} on ${owner.host}, since ${owner.since}` : 'a build that is starting';
  return new FolioError([
    {
      file: path.relative(process.cwd(), file) || file,
      line: 0,
      column: 0,
      severity: 'error',
      message: `Another Folio build holds the output folder (${who}) and did not finish within ${WAIT_MS / 1000} s`,
      ruleId: 'output-locked',
      hint: 'Wait for it, or stop it; a lock whose build is gone is taken over by itself.',
    },
  ]);
}
