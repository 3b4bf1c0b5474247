// SIGINT and SIGTERM mid-build: named, exit 130/143, no child left (Chromium, gs), no temporary folder
// of this build left in /tmp, --out as it was.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { makeAnthology } from '../scripts/tools/anthology.js';
import { previousOutputs, until } from './helpers/fixture.js';

/** Processes whose parent chain leads to `pid` (alive ones only). */
function descendantsOf(pid: number): number[] {
  const rows = spawnSync('ps', ['-eo', 'pid=,ppid=,stat='], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((r) => !r[2]!.startsWith('Z'))
    .map((r) => [Number(r[0]), Number(r[1])] as const);
  const out: number[] = [];
  const walk = (p: number) => rows.filter(([, pp]) => pp === p).forEach(([c]) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  it(`${signal} mid-build: "stopped by ${signal}", exit ${code}, no children, no temp folders`, async () => {
    const ms = makeAnthology(5, path.join(mkdtempSync(path.join(tmpdir(), 'folio-sig-')), 'm'));
    const out = previousOutputs();
    const before = out.snapshot();
    // a private TMPDIR: what is left there is this build's, not another process's
    const tmp = mkdtempSync(path.join(tmpdir(), 'folio-sig-tmp-'));
    const p = spawn(process.execPath, ['bin/folio.js', 'build', '-m', ms, '--out', out.dir, '--no-check'], {
      env: { ...process.env, NO_COLOR: '1', FOLIO_CACHE: 'off', TMPDIR: tmp },
    });
    let stderr = '';
    let children: number[] = [];
    // 'close': the process has exited and its stderr is read to the end (no fixed wait for the last line)
    const exited = new Promise<number | null>((resolve) => p.on('close', (c) => resolve(c)));
    await new Promise<void>((resolve) => {
      p.stderr.on('data', (d: Buffer) => {
        stderr += d;
        // the press PDF is done: Ghostscript and preflight run, Chromium may still hold the EPUB
        if (/folio: press /.test(stderr) && !children.length) {
          children = descendantsOf(p.pid!);
          p.kill(signal);
          resolve();
        }
      });
    });
    const status = await exited;
    expect(children.length, 'children were running when the signal came').toBeGreaterThan(0);
    expect(status, stderr).toBe(code);
    expect(stderr).toMatch(new RegExp(`folio: build stopped by ${signal}`));
    expect(stderr).not.toMatch(/internal error|crashed|\n\s+at /);
    // a killed child nobody has reaped yet is a zombie: not running, so not counted
    const state = (c: number) => spawnSync('ps', ['-o', 'stat=', '-p', String(c)], { encoding: 'utf8' }).stdout.trim();
    const alive = () => children.filter((c) => state(c) !== '' && !state(c).startsWith('Z'));
    // SIGKILL is sent before Folio exits; the kernel may take a moment to end a process: poll (no more
    // than the 200 ms this test used to sleep), not sleep
    await until(() => alive().length === 0, 200);
    expect(alive()).toEqual([]);
    // nothing of the build is left in its TMPDIR: Folio's folders, Chromium's profile and Chromium's own
    // org.chromium.Chromium.* scratch (shared-memory) files; only tsx's compile cache stays, by design
    expect(readdirSync(tmp).filter((f) => !/^tsx-\d+$/.test(f))).toEqual([]);
    expect(out.snapshot()).toEqual(before);
    expect(readdirSync(out.dir).filter((f) => f.startsWith('.folio-'))).toEqual([]);
  });
}
