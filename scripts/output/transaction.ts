import { removeOnSignal } from './cleanup.js';
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { acquireLock } from './lock.js';
import { makeDirs } from './out-dir.js';
import { type Manifest, type ManifestEntry, outputWriteError, writeAtomic } from './write.js';

/**
 * A build's outputs as one transaction. Every file is written into a staging folder inside --out
 * (`.folio-staging-<pid>-<id>/`, so the final renames never cross a filesystem, even when --out is a
 * mount point), checked there, then moved into place under the lock:
 *
 * 1. each file already in --out is hard-linked into `.folio-backup-<pid>-<id>/` (it stays in place);
 * 2. the journal `.folio-journal.json` lists the files and which of them had an earlier version;
 * 3. each new file is renamed over the old one, the manifest last: that rename is the commit point;
 * 4. the journal is removed, then the staging and backup folders.
 *
 * A build killed during 1–3 leaves the journal; the next run (under the lock) rolls back (the backups
 * are renamed back, files that had no earlier version removed) unless the manifest had already been
 * moved, in which case the new set is complete and only the folders are removed.
 */
export const JOURNAL = '.folio-journal.json';
const STAGING = '.folio-staging-';
const BACKUP = '.folio-backup-';
const MANIFEST = 'manifest.json';

interface Journal {
  version: 1;
  pid: number;
  staging: string;
  backup: string;
  files: { name: string; hadOld: boolean }[];
}

/**
 * Test hook: `FOLIO_FAULT_SWAP=<step>` kills the build with SIGKILL at that step of the swap
 * (`backup`, `journal`, `move-N` after the N-th file, `manifest`, `cleanup`).
 */
function faultPoint(step: string): void {
  if (process.env.FOLIO_FAULT_SWAP === step) process.kill(process.pid, 'SIGKILL');
}

export class OutputTransaction {
  private readonly names: string[] = [];
  private forget: () => void = () => {};

  private constructor(
    readonly out: string,
    private readonly id: string,
  ) {}

  /** The staging folder: what `folio check` reads before the swap. */
  get dir(): string {
    return path.join(this.out, STAGING + this.id);
  }

  /** Creates --out (if needed) and a fresh staging folder in it. */
  static async begin(out: string): Promise<OutputTransaction> {
    const t = new OutputTransaction(path.resolve(out), `${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await makeDirs(t.out);
      await mkdir(t.dir);
    } catch (e) {
      throw outputWriteError(t.dir, e);
    }
    t.forget = removeOnSignal(t.dir);
    return t;
  }

  /** Writes one file into the staging folder (fsynced); errors name the file's final place. */
  async write(name: string, data: Uint8Array | string): Promise<void> {
    try {
      const handle = await open(path.join(this.dir, name), 'w');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (e) {
      throw outputWriteError(path.join(this.out, name), e);
    }
    if (name !== MANIFEST && !this.names.includes(name)) this.names.push(name);
  }

  /** A manifest of the staged outputs only, for the check in the staging folder. */
  async writeStagedManifest(entries: ManifestEntry[]): Promise<void> {
    await this.write(MANIFEST, manifestText({ outputs: sortEntries(entries) }));
  }

  /**
   * Under the lock: finishes or rolls back an interrupted earlier swap, merges the manifest with the
   * entries of targets not built this time, and swaps the staged set into --out.
   */
  async commit(entries: ManifestEntry[], note: (text: string) => void): Promise<Manifest> {
    const release = await acquireLock(this.out, note);
    // from here on a signal leaves the staging folder to the journal: the next run settles the swap
    this.forget();
    try {
      await recoverLocked(this.out, note);
      const manifest = await mergeManifest(this.out, entries);
      await this.write(MANIFEST, manifestText(manifest));
      await this.swap();
      return manifest;
    } finally {
      await release();
    }
  }

  /** Removes the staging folder (after a failure, or after the swap emptied it). */
  async discard(): Promise<void> {
    this.forget();
    await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }

  private async swap(): Promise<void> {
    const journal: Journal = {
      version: 1,
      pid: process.pid,
      staging: STAGING + this.id,
      backup: BACKUP + this.id,
      files: [],
    };
    let current = MANIFEST;
    try {
      await mkdir(path.join(this.out, journal.backup));
      for (const name of [...this.names, MANIFEST]) {
        current = name;
        journal.files.push({ name, hadOld: await keepOld(this.out, journal.backup, name) });
      }
      faultPoint('backup');
      await writeAtomic(path.join(this.out, JOURNAL), `${JSON.stringify(journal)}\n`);
      faultPoint('journal');
      for (const [i, name] of [...this.names, MANIFEST].entries()) {
        current = name;
        await rename(path.join(this.dir, name), path.join(this.out, name));
        faultPoint(name === MANIFEST ? 'manifest' : `move-${i + 1}`);
      }
    } catch (e) {
      // if even the rollback fails, the journal stays for the next run to settle
      if (
        await rollBack(this.out, journal).then(
          () => true,
          () => false,
        )
      )
        await finish(this.out, journal);
      throw outputWriteError(path.join(this.out, current), e);
    }
    await finish(this.out, journal);
  }
}

/** Links the file now in --out (if any) into the backup folder; a folder in a file's place is refused. */
async function keepOld(out: string, backup: string, name: string): Promise<boolean> {
  const file = path.join(out, name);
  const st = await lstat(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (!st) return false;
  if (!st.isFile()) throw Object.assign(new Error(`${name} is not a regular file`), { code: 'EISDIR' });
  await link(file, path.join(out, backup, name));
  return true;
}

/** Puts the earlier files back and removes new ones that had no earlier version. Safe to repeat. */
async function rollBack(out: string, j: Journal): Promise<void> {
  for (const f of j.files) {
    const current = path.join(out, f.name);
    if (f.hadOld) {
      // if the file was never replaced, both names are links to one file and rename does nothing
      if (await exists(path.join(out, j.backup, f.name))) await rename(path.join(out, j.backup, f.name), current);
    } else if (!(await exists(path.join(out, j.staging, f.name))) && (await exists(current))) {
      await unlink(current);
    }
  }
  await syncDir(out);
}

/** Removes the journal (the swap is settled), then the staging and backup folders. */
async function finish(out: string, j: Journal): Promise<void> {
  await unlink(path.join(out, JOURNAL)).catch(() => {});
  await syncDir(out);
  faultPoint('cleanup');
  await rm(path.join(out, j.staging), { recursive: true, force: true });
  await rm(path.join(out, j.backup), { recursive: true, force: true });
}

/**
 * Settles a swap a killed build left half done and removes folders of builds that are gone.
 * Call with the lock held.
 */
async function recoverLocked(out: string, note: (text: string) => void): Promise<void> {
  const raw = await readFile(path.join(out, JOURNAL), 'utf8').catch(() => undefined);
  if (raw !== undefined) {
    const j = JSON.parse(raw) as Journal;
    const committed = !(await exists(path.join(out, j.staging, MANIFEST)));
    if (!committed) await rollBack(out, j);
    await finish(out, j);
    note(
      committed
        ? `Completed the swap of an interrupted build (pid ${j.pid}): its outputs were all in place`
        : `Rolled back the swap of an interrupted build (pid ${j.pid}): the earlier outputs are back`,
    );
  }
  for (const name of await readdir(out)) {
    const m = /^\.folio-(?:staging|backup)-(\d+)-/.exec(name);
    if (m && !alive(Number(m[1]))) await rm(path.join(out, name), { recursive: true, force: true });
  }
}

/** At the start of a run: settles what an interrupted build left in `out` (nothing if it does not exist). */
export async function recoverOutputs(out: string, note: (text: string) => void): Promise<void> {
  const dir = path.resolve(out);
  if (!(await exists(dir))) return;
  const release = await acquireLock(dir, note);
  try {
    await recoverLocked(dir, note);
  } finally {
    await release();
  }
}

async function mergeManifest(out: string, entries: ManifestEntry[]): Promise<Manifest> {
  let previous: Manifest = { outputs: [] };
  try {
    previous = JSON.parse(await readFile(path.join(out, MANIFEST), 'utf8')) as Manifest;
  } catch {
    /* first build, or unreadable: start afresh */
  }
  const built = new Set(entries.map((e) => e.target));
  return { outputs: sortEntries([...(previous.outputs ?? []).filter((e) => !built.has(e.target)), ...entries]) };
}

const sortEntries = (e: ManifestEntry[]) => [...e].sort((a, b) => a.target.localeCompare(b.target));
const manifestText = (m: Manifest) => `${JSON.stringify(m, null, 2)}\n`;

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
