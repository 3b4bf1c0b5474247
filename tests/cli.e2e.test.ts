// The CLI as a user runs it: exit codes, diagnostics on stderr, earlier outputs left alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageCount } from './helpers/pdf.js';

const folio = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/folio.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('folio CLI', () => {
  it('prints help and version with exit 0', () => {
    expect(folio('--help').status).toBe(0);
    const v = folio('--version');
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 on a usage error: unknown target, unknown option', () => {
    const t = folio('build', '--target', 'poster');
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/poster/);
    expect(folio('build', '--frobnicate').status).toBe(2);
    expect(folio('frobnicate').status).toBe(2);
  });

  it('exits 2 when --out is inside the manuscript', () => {
    const r = folio(
      'build',
      '--manuscript',
      'tests/fixtures/manuscripts/minimal',
      '--out',
      'tests/fixtures/manuscripts/minimal/out',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage-out/);
  });

  it('exits 1 on a broken book.yaml, naming field and line, and leaves earlier outputs alone', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'folio-cli-'));
    writeFileSync(path.join(out, 'book.pdf'), 'earlier output');
    writeFileSync(path.join(out, 'manifest.json'), '{"outputs":[]}');
    const r = folio('build', '--manuscript', 'tests/fixtures/manuscripts/bad-authors', '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^tests\/fixtures\/manuscripts\/bad-authors\/book\.yaml:3:10 error authors: .* config-invalid-type$/m,
    );
    expect(r.stderr).toMatch(
      /^tests\/fixtures\/manuscripts\/bad-authors\/book\.yaml:4:7 error trim: Unknown trim.* config-invalid-value$/m,
    );
    expect(r.stderr).toMatch(/^ {2}hint: /m);
    expect(readFileSync(path.join(out, 'book.pdf'), 'utf8')).toBe('earlier output');
    expect(readFileSync(path.join(out, 'manifest.json'), 'utf8')).toBe('{"outputs":[]}');
  });

  it('exits 1 on unsafe content before starting a browser', () => {
    const r = folio(
      'build',
      '--manuscript',
      'tests/fixtures/manuscripts/hostile',
      '--out',
      mkdtempSync(path.join(tmpdir(), 'folio-cli-')),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/01-bad\.md:3:7 error Path leaves the manuscript folder: .* path-escape/);
    expect(r.stderr).not.toMatch(/browser/);
  });

  it('writes no EPUB from a manuscript with a missing or escaping image or unsafe HTML', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'folio-cli-'));
    const r = folio('build', '--target', 'epub', '--manuscript', 'tests/fixtures/manuscripts/hostile', '--out', out);
    expect(r.status).toBe(1);
    for (const rule of ['path-escape', 'path-absolute', 'path-remote', 'image-missing', 'html-unsafe'])
      expect(r.stderr).toMatch(new RegExp(`01-bad\\.md:\\d+:\\d+ error .* ${rule}\\n {2}hint: `));
    expect(readdirSync(out)).toEqual([]);
  });

  it('folio lint: exit 1 on an error, 0 on warnings only, in file:line:col form with hints; JSON too', () => {
    const bad = folio('lint', 'tests/fixtures/lint/container');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(
      /^tests\/fixtures\/lint\/container\/bad\.md:10:1 error Container is never closed with ":::" container-unclosed\n {2}hint: /m,
    );
    const warn = folio('lint', 'tests/fixtures/lint/quote-straight');
    expect(warn.status).toBe(0);
    expect(warn.stdout).toMatch(/bad\.md:3:3 warning .* quote-straight/);
    const json = JSON.parse(folio('lint', 'tests/fixtures/lint/footnote', '--format', 'json').stdout);
    // the JSON lists what the rule's fixture expects, in its order (expected.txt: `file:line:col rule-id`)
    const expected = readFileSync('tests/fixtures/lint/footnote/expected.txt', 'utf8').trim().split('\n');
    expect(
      json.diagnostics.map(
        (d: { file: string; line: number; column: number; ruleId: string }) =>
          `${path.basename(d.file)}:${d.line}:${d.column} ${d.ruleId}`,
      ),
    ).toEqual(expected);
  });

  it('folio build lints first: a lint error stops it before the browser', () => {
    const r = folio(
      'build',
      '--manuscript',
      'tests/fixtures/lint/container',
      '--out',
      mkdtempSync(path.join(tmpdir(), 'folio-cli-')),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/container-unclosed/);
    expect(r.stderr).not.toMatch(/folio: browser/);
  });

  it('shows progress in place on a terminal, plain lines on a pipe, and ends with a summary table', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'folio-cli-'));
    const piped = folio('build', '--out', out, '--target', 'booklet', '--no-check');
    expect(piped.status).toBe(0);
    expect(piped.stderr).not.toMatch(/\r/);
    expect(piped.stderr).toMatch(/^folio: paginate +\d+ ms$/m);
    const pages = pageCount(path.join(out, 'yuancang-30zai.pdf'));
    expect(piped.stdout).toMatch(
      new RegExp(
        String.raw`^target +file +pages +size +time\n[- ]+\n` +
          String.raw`booklet +\S+yuancang-30zai\.pdf +${pages} +\d+ KiB +\d+\.\d\d s\n\(shared\)`,
        'm',
      ),
    );
    const env = { ...process.env };
    delete env.CI;
    const tty = spawnSync(
      'script',
      ['-qec', `${process.execPath} bin/folio.js build --out ${out} --target booklet --no-check`, '/dev/null'],
      { encoding: 'utf8', env },
    );
    expect(tty.status).toBe(0);
    // eslint-disable-next-line no-control-regex -- the terminal escape is the point
    expect(tty.stdout).toMatch(/\r\x1b\[2Kfolio: paginate +page \d+…/);
  });

  it('exits 1 when the manuscript folder has no book.yaml', () => {
    const r = folio('build', '--manuscript', mkdtempSync(path.join(tmpdir(), 'folio-empty-')));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/book\.yaml:1:1 error Cannot read book\.yaml: ENOENT file-unreadable/);
  });
});
