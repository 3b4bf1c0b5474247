// folio doctor and the tool check folio build runs first, tested by taking tools away: a PATH without
// one, FOLIO_CHROMIUM pointing nowhere, a tool that is too old, and the version cache.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folio, manuscript, previousOutputs } from './helpers/fixture.js';

/** A bin folder with every program of /usr/bin but the ones left out, plus scripts of our own. */
function fakeBin(without: string[], scripts: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'folio-bin-'));
  for (const name of readdirSync('/usr/bin'))
    if (!without.includes(name) && !(name in scripts)) symlinkSync(path.join('/usr/bin', name), path.join(dir, name));
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(dir, name), 0o755);
  }
  return dir;
}

const cache = () => ({ FOLIO_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'folio-cache-')) });
const row = (stdout: string, label: string) => stdout.split('\n').find((l) => l.startsWith(label)) ?? '';

describe('folio doctor', () => {
  it('lists every tool with the version the tool itself reports', () => {
    const r = folio(['doctor'], cache());
    expect(r.status).toBe(0);
    const gs = spawnSync('gs', ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(row(r.stdout, 'Ghostscript (gs)')).toMatch(
      new RegExp(`^Ghostscript \\(gs\\) +ok +${gs.replace(/\./g, '\\.')} +/usr/bin/gs +press-pdfx, imposed$`),
    );
    const chromium = /(\d+\.\d+\.\d+\.\d+)/.exec(
      spawnSync('chromium', ['--version'], { encoding: 'utf8' }).stdout,
    )![1]!;
    expect(row(r.stdout, 'Chromium')).toContain(` ok `);
    expect(row(r.stdout, 'Chromium')).toContain(chromium);
    for (const tool of ['qpdf', 'pdffonts', 'pdfimages', 'pdftotext', 'pdftoppm', 'Java', 'epubcheck'])
      expect(row(r.stdout, tool), tool).toMatch(/ ok +\d+\.\d+/);
    expect(r.stdout).toMatch(/^doctor: every required tool found \(10 of 10 tools\)$/m);
    const json = JSON.parse(folio(['doctor', '--format', 'json'], cache()).stdout) as { tools: { id: string }[] };
    expect(json.tools.map((t) => t.id)).toEqual([
      ...['chromium', 'gs', 'qpdf', 'mutool', 'pdffonts', 'pdfimages', 'pdftotext', 'pdftoppm', 'java', 'epubcheck'],
    ]);
  });
});

describe('folio doctor with a tool taken away', () => {
  it('names a tool missing from PATH, with the install hint, and exits 1', () => {
    const r = folio(['doctor'], { ...cache(), PATH: fakeBin(['gs']) });
    expect(r.status).toBe(1);
    expect(row(r.stdout, 'Ghostscript (gs)')).toMatch(/^Ghostscript \(gs\) +MISSING +- +- +press-pdfx, imposed$/);
    const hint = 'Install it with `bash scripts/setup.sh` (apt-get install ghostscript).';
    expect(r.stdout).toContain(`Ghostscript (gs) was not found on PATH\n  ${hint}`);
    expect(r.stdout).toMatch(/^doctor: 1 required tool\(s\) missing or too old/m);
  });

  it('says where FOLIO_CHROMIUM points when nothing is there', () => {
    const r = folio(['doctor'], { ...cache(), FOLIO_CHROMIUM: '/nowhere/chromium' });
    expect(r.status).toBe(1);
    expect(row(r.stdout, 'Chromium')).toMatch(/^Chromium +MISSING/);
    expect(r.stdout).toContain('FOLIO_CHROMIUM points at /nowhere/chromium, which does not exist');
    expect(r.stdout).toContain('or set FOLIO_CHROMIUM=/path/to/chromium');
  });

  it('tells a tool that is too old from a missing one', () => {
    const r = folio(['doctor'], { ...cache(), PATH: fakeBin([], { qpdf: 'echo "qpdf version 9.1.0"' }) });
    expect(r.status).toBe(1);
    expect(row(r.stdout, 'qpdf')).toMatch(/^qpdf +TOO OLD +9\.1\.0 /);
    expect(r.stdout).toContain('qpdf 9.1.0 is older than 10.0, the oldest Folio works with');
  });

  it('an optional tool missing (Java) is reported, not a failure', () => {
    const r = folio(['doctor'], { ...cache(), PATH: fakeBin(['java']) });
    expect(r.status).toBe(0);
    expect(row(r.stdout, 'Java')).toMatch(/^Java +missing \(optional\) +- +- +folio check, build --epubcheck java$/);
    expect(r.stdout).toMatch(/^doctor: every required tool found \(9 of 10 tools; optional, missing: java\)$/m);
  });

  it('reads a version once per executable: cached until the file changes', () => {
    const counter = path.join(mkdtempSync(path.join(tmpdir(), 'folio-count-')), 'runs');
    const bin = fakeBin([], { pdftoppm: `echo run >> ${counter}\necho "pdftoppm version 22.12.0" >&2` });
    const env = { ...cache(), PATH: bin };
    expect(folio(['doctor'], env).status).toBe(0);
    expect(folio(['doctor'], env).status).toBe(0);
    expect(readFileSync(counter, 'utf8')).toBe('run\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(bin, 'pdftoppm'), later, later);
    expect(folio(['doctor'], env).status).toBe(0);
    expect(readFileSync(counter, 'utf8')).toBe('run\nrun\n');
  });
});

describe('folio build checks its tools first', () => {
  it('stops before anything starts when a tool its targets need is missing, outputs untouched', () => {
    const out = previousOutputs();
    const before = out.snapshot();
    const r = folio(['build', '-m', manuscript(), '-o', out.dir, '-t', 'booklet', 'press-pdfx'], {
      ...cache(),
      PATH: fakeBin(['gs', 'qpdf']),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^gs:0:0 error Ghostscript \(gs\) was not found on PATH tool-missing\n {2}hint: Install it with `bash scripts\/setup\.sh` \(apt-get install ghostscript\)\. Needed by press-pdfx; `folio doctor` lists every tool\.$/m,
    );
    expect(r.stderr).toMatch(/^qpdf:0:0 error qpdf was not found on PATH tool-missing$/m);
    // one message per missing tool and nothing else: no stage ran, no browser started
    expect(r.stderr).not.toMatch(/folio: (manuscript|browser|paginate)/);
    expect(out.snapshot()).toEqual(before);
  });

  it('FOLIO_CHROMIUM pointing nowhere stops it before the manuscript is read', () => {
    const r = folio(['build', '-m', manuscript(), '-o', previousOutputs().dir, '-t', 'booklet'], {
      ...cache(),
      FOLIO_CHROMIUM: '/nowhere/chromium',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^chromium:0:0 error FOLIO_CHROMIUM points at \/nowhere\/chromium, which does not exist browser-missing$/m,
    );
    expect(r.stderr).toMatch(/Needed by booklet; `folio doctor` lists every tool\.$/m);
    expect(r.stderr).not.toMatch(/folio: (manuscript|browser)/);
  });

  it('a too-old tool stops it too (tool-version)', () => {
    const r = folio(['build', '-m', manuscript(), '-o', previousOutputs().dir, '-t', 'press-pdfx'], {
      ...cache(),
      PATH: fakeBin([], { qpdf: 'echo "qpdf version 9.1.0"' }),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^qpdf:0:0 error qpdf 9\.1\.0 is older than 10\.0, the oldest Folio works with tool-version$/m,
    );
  });

  it('checks only what the targets need: the booklet builds without Ghostscript', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'folio-out-'));
    const r = folio(['build', '-m', manuscript(), '-o', out, '-t', 'booklet', '--no-check'], {
      ...cache(),
      PATH: fakeBin(['gs', 'qpdf', 'java']),
    });
    expect(r.stderr).not.toMatch(/tool-missing/);
    expect(r.status).toBe(0);
    expect(readdirSync(out)).toContain('t.pdf');
  });
});

describe("the build's EPUB validator and Java", () => {
  it('the default build needs no Java: the in-build check validates the EPUB with epubcheck-ts', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'folio-out-'));
    const r = folio(['build', '-m', manuscript(), '-o', out], { ...cache(), PATH: fakeBin(['java']) });
    expect(r.stderr).not.toMatch(/^java:/m);
    expect(r.stderr).not.toMatch(/java was not found/i);
    expect(r.status).toBe(0);
    // the check ran, on every output, and validated the EPUB in-process
    expect(r.stderr).toMatch(/^folio: check epub .*epubcheck-ts: 0 errors/m);
    expect(r.stderr).toMatch(/^folio: check passed/m);
    expect(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).outputs).toHaveLength(5);
  });

  it('--epubcheck java without Java stops before anything starts (the user asked for it by name)', () => {
    const out = previousOutputs();
    const before = out.snapshot();
    const r = folio(['build', '-m', manuscript(), '-o', out.dir, '--epubcheck', 'java'], {
      ...cache(),
      PATH: fakeBin(['java']),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^java:0:0 error java was not found on PATH tool-missing$/m);
    expect(r.stderr).toMatch(/Needed by folio check, build --epubcheck java; `folio doctor` lists every tool\.$/m);
    expect(r.stderr).not.toMatch(/folio: (manuscript|browser|paginate)/);
    expect(out.snapshot()).toEqual(before);
  });

  it('--epubcheck java with Java present runs the real epubcheck in the build', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'folio-out-'));
    const r = folio(['build', '-m', manuscript(), '-o', out, '-t', 'epub', '--epubcheck', 'java'], cache());
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^folio: check epub .*epubcheck: 0 errors/m);
  });
});
