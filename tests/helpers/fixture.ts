import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A small valid manuscript in a fresh folder; `files` add or replace files (null deletes). */
export function manuscript(files: Record<string, string | Buffer | null> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'folio-ms-'));
  mkdirSync(path.join(dir, 'images'));
  cpSync('manuscript/images/01-lake.png', path.join(dir, 'images', 'photo.png'));
  const base: Record<string, string | Buffer | null> = {
    'book.yaml': 'title: 测试\nauthors: [甲]\nlanguage: zh-CN\ndate: 2026-01-02\nslug: t\n',
    '01.md': '# 第一章\n\n正文一段。\n\n![照片](images/photo.png "图注。")\n\n正文二段。\n',
    ...files,
  };
  for (const [name, body] of Object.entries(base)) if (body !== null) writeFileSync(path.join(dir, name), body);
  return dir;
}

/** An output folder that already holds a build: files whose bytes must survive a failed build. */
export function previousOutputs(): { dir: string; snapshot: () => Record<string, string> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'folio-prev-'));
  writeFileSync(path.join(dir, 't.pdf'), '%PDF-1.4 earlier booklet');
  writeFileSync(
    path.join(dir, 'manifest.json'),
    '{"outputs":[{"target":"booklet","file":"t.pdf","bytes":24,"sha256":"x","pages":1}]}\n',
  );
  const snapshot = () =>
    Object.fromEntries(
      readdirSync(dir)
        .filter((f) => statSync(path.join(dir, f)).isFile())
        .map((f) => [f, readFileSync(path.join(dir, f), 'latin1')]),
    );
  return { dir, snapshot };
}

export const folio = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/folio.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 180_000,
  });

export function folioAsync(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/folio.js', ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * A mark for one build: a private TMPDIR, passed in the build's environment (folio(args, mark.env), or
 * process.env for an in-process build). Chromium's profile is made there and every Chromium process
 * (browser, zygotes, renderers, GPU, utilities — also once reparented to init) carries
 * `--user-data-dir=<that folder>/…` in its command line (Chromium clears the environment of its zygotes,
 * so an environment variable would not reach them). `mark.chromium()` counts that build's own live
 * Chromium processes and none of another build running on the machine at the same time.
 */
export function buildMark(): { env: Record<string, string>; chromium: () => number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'folio-mark-'));
  const needle = `--user-data-dir=${dir}/`;
  return {
    env: { TMPDIR: dir },
    chromium: () => liveProcesses(/chrom/i).filter((pid) => cmdlineOf(pid).some((a) => a.startsWith(needle))).length,
  };
}

/** Pids of live processes (zombies are not running and not counted) whose command name matches. */
function liveProcesses(name: RegExp): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state …: comm may hold spaces and parentheses, the state follows the last ')'
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (name.test(comm) && state !== 'Z' && state !== 'X') pids.push(Number(entry));
  }
  return pids;
}

function cmdlineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Polls `done` every 50 ms until it holds or `ms` have passed (instead of sleeping a fixed time). */
export async function until(done: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!done() && performance.now() < end) await new Promise((r) => setTimeout(r, 50));
}
