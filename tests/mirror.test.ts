// bin/folio.js runs a compiled mirror of scripts/ (bin/mirror.js): in a copy of the checkout, an edit to a
// source is what the next run executes (a new mirror, no compile step), the old mirrors are pruned, and
// a mirror that cannot be written, or FOLIO_COMPILE=off, runs the sources through tsx instead.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** bin/, scripts/ and package.json copied; node_modules a folder of links to the real packages. */
function checkout(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'folio-mirror-'));
  for (const p of ['bin', 'scripts', 'package.json']) cpSync(p, path.join(root, p), { recursive: true });
  mkdirSync(path.join(root, 'node_modules'));
  for (const name of readdirSync('node_modules'))
    if (name !== '.cache') symlinkSync(path.resolve('node_modules', name), path.join(root, 'node_modules', name));
  return root;
}

const run = (root: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [path.join(root, 'bin/folio.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });

const mirrors = (root: string) => readdirSync(path.join(root, 'node_modules/.cache/folio-js')).sort();

/** Changes the program's description (shown by --help) in the copy's cli.ts. */
function editDescription(root: string, text: string): void {
  const file = path.join(root, 'scripts/cli.ts');
  const src = readFileSync(file, 'utf8');
  writeFileSync(file, src.replace(/(\.description\(\s*')[^']*'/, `$1${text}'`));
}

describe('the compiled mirror', () => {
  it('runs what the sources say now: an edit is a new mirror, used at the next run', () => {
    const root = checkout();
    const first = run(root, ['--help']);
    expect(first.status, first.stderr).toBe(0);
    expect(mirrors(root)).toHaveLength(1);
    editDescription(root, '编辑之后的说明');
    const second = run(root, ['--help']);
    expect(second.stdout).toContain('编辑之后的说明');
    expect(mirrors(root)).toHaveLength(2);
    // unchanged sources: the same mirror again
    expect(run(root, ['--help']).stdout).toContain('编辑之后的说明');
    expect(mirrors(root)).toHaveLength(2);
    // the compiled module is plain JavaScript that still finds the checkout's own files from the source's URL
    const [dir] = readdirSync(path.join(root, 'node_modules/.cache/folio-js')).filter((d) =>
      readFileSync(path.join(root, 'node_modules/.cache/folio-js', d, 'cli.js'), 'utf8').includes('编辑之后的说明'),
    );
    const html = readFileSync(path.join(root, 'node_modules/.cache/folio-js', dir!, 'render/html.js'), 'utf8');
    expect(html).toContain(`file://${path.join(root, 'scripts/render/html.ts')}`);
    expect(html).not.toMatch(/:\s*string\b/); // types gone
  });

  it('keeps the four newest mirrors', () => {
    const root = checkout();
    for (let i = 0; i < 6; i++) {
      editDescription(root, `第${i}版`);
      const r = run(root, ['--version']);
      expect(r.status, r.stderr).toBe(0);
    }
    expect(mirrors(root)).toHaveLength(4);
  });

  it('runs the sources through tsx when the mirror cannot be written, and with FOLIO_COMPILE=off', () => {
    const blocked = checkout();
    writeFileSync(path.join(blocked, 'node_modules/.cache'), 'a file where the cache folder would be');
    editDescription(blocked, '未编译也能运行');
    const r = run(blocked, ['--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('未编译也能运行');

    const off = checkout();
    editDescription(off, '关掉编译');
    const o = run(off, ['--help'], { FOLIO_COMPILE: 'off' });
    expect(o.stdout).toContain('关掉编译');
    expect(readdirSync(path.join(off, 'node_modules')).includes('.cache')).toBe(false);
  });
});
