// The package as a user gets it: `npm pack`, installed from the tarball into an empty folder outside
// the repository, then `folio new` and `folio build` there, and every output read back.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { epubcheck, openEpub } from './helpers/epub.js';
import { boxes, info, pageCount, pageText, squash } from './helpers/pdf.js';

const REPO = path.resolve('.');
const env = { ...process.env, NO_COLOR: '1', PUPPETEER_SKIP_DOWNLOAD: '1', npm_config_update_notifier: 'false' };
const run = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} → ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};

/** What a user's install may hold: the bin, the sources tsx runs, templates, the schema, the docs. */
const ALLOWED =
  /^package\/(package\.json|README\.md|LICENSE|bin\/|scripts\/(?!bench\/)|templates\/|schema\/|docs\/|profiles\/)/;

describe('the packed CLI, installed outside the repository', () => {
  let files: string[] = [];
  let user = '';
  let made = { stdout: '', stderr: '' };
  let built = { stdout: '', stderr: '' };
  const book = () => path.join(user, '新的一本书');
  const out = (f: string) => path.join(book(), 'dist', f);

  beforeAll(() => {
    const packDir = mkdtempSync(path.join(tmpdir(), 'folio-pack-'));
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packDir], REPO).stdout) as {
      filename: string;
    }[];
    const tarball = path.join(packDir, packed!.filename);
    files = run('tar', ['tzf', tarball], packDir).stdout.trim().split('\n');
    user = mkdtempSync(path.join(tmpdir(), 'folio-user-'));
    expect(path.relative(REPO, user).startsWith('..')).toBe(true);
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], user);
    made = run('npx', ['--no', 'folio', 'new', '新的一本书', '--author', '作者甲'], user);
    built = run('npx', ['--no', 'folio', 'build'], book());
  }, 900_000);

  it('ships only what a user runs: no tests, fixtures, benchmarks or stray binaries', () => {
    expect(files.filter((f) => !ALLOWED.test(f))).toEqual([]);
    for (const f of [
      'bin/folio.js',
      'schema/book.schema.json',
      'profiles/FOGRA39L-folio.icc',
      'templates/new/01-chapter.md',
      'templates/new/gitignore',
    ])
      expect(files).toContain(`package/${f}`);
    expect(files).toContain('package/templates/new/images/01-placeholder.png');
    expect(files.some((f) => /\.deb$|fixtures|^package\/tests\//.test(f))).toBe(false);
  });

  it('folio new says what it made and what to run next', () => {
    expect(made.stdout).toContain('folio: new book 《新的一本书》 in 新的一本书/');
    expect(made.stdout).toMatch(/^next: cd 新的一本书 && npx folio build/m);
    // the schema line leads into the installed package
    const yaml = readFileSync(path.join(book(), 'manuscript', 'book.yaml'), 'utf8');
    expect(yaml.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../../node_modules/folio/schema/book.schema.json',
    );
  });

  it('folio build writes every target, checks them, and ends with the table', () => {
    expect(built.stderr).toMatch(/^folio: check passed/m);
    const table = built.stdout.trim().split('\n');
    expect(table[0]).toMatch(/^target +file +pages +size +time$/);
    expect(table.at(-1)).toMatch(/^\(shared\)/);
    // the placeholder is reported once for both press files, with its page and manuscript line
    expect(built.stderr).toMatch(
      /^warning preflight-fpo ×2: FPO placeholder images, not the photos · page \d+ · manuscript\/01-chapter\.md:\d+ · in xin-de-yi-ben-shu-press\.pdf, xin-de-yi-ben-shu-press-pdfx\.pdf$/m,
    );
    expect(built.stderr).not.toMatch(/^manuscript\/01-chapter\.md:\d+:\d+ warning/m);
    for (const t of ['booklet', 'press', 'press-pdfx', 'imposed', 'epub'])
      expect(built.stdout).toMatch(new RegExp(`^${t} +dist/xin-de-yi-ben-shu`, 'm'));
  });

  it('the PDFs read back: pages as in the manifest, the chapter on them, boxes and PDF/X', () => {
    const manifest = JSON.parse(readFileSync(out('manifest.json'), 'utf8')) as {
      outputs: { target: string; file: string; pages?: number }[];
    };
    expect(manifest.outputs.map((o) => o.target).sort()).toEqual(['booklet', 'epub', 'imposed', 'press', 'press-pdfx']);
    for (const o of manifest.outputs.filter((x) => x.file.endsWith('.pdf')))
      expect(pageCount(out(o.file)), o.file).toBe(o.pages);
    const booklet = out('xin-de-yi-ben-shu.pdf');
    const text = Array.from({ length: pageCount(booklet) }, (_, i) => squash(pageText(booklet, i + 1))).join('');
    for (const s of ['新的一本书', '作者甲', '第一章的标题', '引语用来突出一句话']) expect(text).toContain(s);
    const trim = boxes(out('xin-de-yi-ben-shu-press.pdf'))[0]!.trim;
    expect(trim.x1 - trim.x0).toBeCloseTo(419.528, 2);
    expect(info(out('xin-de-yi-ben-shu-press-pdfx.pdf'))['PDF subtype']).toBe('PDF/X-3:2002');
  });

  it('the EPUB reads back: zip layout, title, the chapter, epubcheck clean', async () => {
    const epub = await openEpub(out('xin-de-yi-ben-shu.epub'));
    expect(epub.names[0]).toBe('mimetype');
    const opf = await epub.text(epub.names.find((n) => n.endsWith('.opf'))!);
    expect(opf).toContain('<dc:title id="title">新的一本书</dc:title>');
    const chapters = await Promise.all(epub.names.filter((n) => /ch\d+\.xhtml$/.test(n)).map((n) => epub.text(n)));
    expect(chapters.join('')).toContain('第一章的标题');
    const check = epubcheck(out('xin-de-yi-ben-shu.epub'));
    expect([check.fatals, check.errors, check.warnings]).toEqual([0, 0, 0]);
  });
});
