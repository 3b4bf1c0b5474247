// folio new as a newcomer runs it: a desk folder, a new book, lint, build, the outputs read back.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOOK_SCHEMA_FILE } from '../scripts/config/json-schema.js';
import { loadManuscript } from '../scripts/manuscript/load.js';
import { isFpoPng } from '../scripts/manuscript/png.js';
import { buildBook } from '../scripts/model/book.js';
import { pageCount, pageText, squash } from './helpers/pdf.js';

const BIN = path.resolve('bin/folio.js');
const RAW = path.resolve('tests/fixtures/raw/artifacts.txt');

/** The CLI run from `cwd`, as a user in that folder runs it. */
const folioIn = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

const newDesk = () => mkdtempSync(path.join(tmpdir(), 'folio-desk-'));

describe('folio new', () => {
  const desk = newDesk();
  const made = folioIn(desk, 'new', '新的一本书', '--author', '作者甲', '作者乙');
  const book = path.join(desk, '新的一本书');
  const ms = path.join(book, 'manuscript');

  it('makes the folders a build expects, lists them and says what to run next', () => {
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    const files = [
      '.gitignore',
      'manuscript/01-chapter.md',
      'manuscript/book.yaml',
      'manuscript/images/01-placeholder.png',
    ];
    for (const f of files) expect(made.stdout).toContain(`  新的一本书/${f}\n`);
    expect(made.stdout).toContain('output names: xin-de-yi-ben-shu.pdf, xin-de-yi-ben-shu.epub');
    expect(made.stdout).toMatch(/^next: cd 新的一本书 && npx folio build {4}\(then: npx folio preview\)$/m);
    expect(readFileSync(path.join(book, '.gitignore'), 'utf8')).toMatch(/^dist\/$/m);
  });

  it('writes a book.yaml whose schema line leads to the schema the package ships', async () => {
    const yaml = readFileSync(path.join(ms, 'book.yaml'), 'utf8');
    const ref = /^# yaml-language-server: \$schema=(\S+)$/.exec(yaml.split('\n')[0]!)![1]!;
    expect(path.resolve(ms, ref)).toBe(BOOK_SCHEMA_FILE);
    expect(existsSync(path.resolve(ms, ref))).toBe(true);
    const m = await loadManuscript(ms);
    expect(m.config).toMatchObject({ title: '新的一本书', authors: ['作者甲', '作者乙'], language: 'zh-CN' });
    expect(m.config.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(yaml).toMatch(/^# slug: xin-de-yi-ben-shu$/m);
  });

  it('starts with a chapter that shows the format: kicker, byline, figure, footnote, pull quote', async () => {
    const m = await loadManuscript(ms);
    const b = buildBook(m);
    const html = b.chapters[0]!.html;
    for (const cls of ['kicker', 'byline', 'dek', 'pullquote']) expect(html, cls).toMatch(new RegExp(`class="${cls}"`));
    expect(html).toContain('<figure');
    expect(html).toMatch(/footnote-ref/);
    expect(b.figures).toHaveLength(1);
    expect(isFpoPng(readFileSync(path.join(ms, 'images', '01-placeholder.png')))).toBe(true);
    expect(m.diagnostics.diagnostics).toEqual([]);
    const lint = folioIn(book, 'lint');
    expect(lint.stdout).toMatch(/^lint: 0 errors, 0 warnings$/m);
    expect(lint.status).toBe(0);
  });

  it('refuses a folder that holds anything, with a diagnostic, and touches nothing', () => {
    const before = readFileSync(path.join(ms, 'book.yaml'), 'utf8');
    const again = folioIn(desk, 'new', '新的一本书');
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(
      /^\S*新的一本书:0:0 error The folder is not empty \(2 entries: \.gitignore, manuscript\) new-not-empty\n {2}hint: /m,
    );
    expect(again.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readFileSync(path.join(ms, 'book.yaml'), 'utf8')).toBe(before);
    writeFileSync(path.join(desk, 'a-file'), 'x');
    expect(folioIn(desk, 'new', 'a-file').stderr).toMatch(/a-file:0:0 error Not a folder new-not-folder/);
  });

  it('gives a second book of the same title, or one that sounds the same, its own output name', () => {
    const same = folioIn(desk, 'new', 'second', '--title', '新的一本书');
    const homophone = folioIn(desk, 'new', 'third', '--title', '心的一本书');
    const slugs = [same, homophone].map(
      (r) =>
        /^slug: (\S+)$/m.exec(
          readFileSync(path.join(desk, r === same ? 'second' : 'third', 'manuscript', 'book.yaml'), 'utf8'),
        )?.[1],
    );
    expect(slugs[0]).toMatch(/^xin-de-yi-ben-shu-[0-9a-f]{4}$/);
    expect(slugs[1]).toMatch(/^xin-de-yi-ben-shu-[0-9a-f]{4}$/);
    expect(new Set(['xin-de-yi-ben-shu', ...slugs]).size).toBe(3);
    expect(same.stdout).toContain(`output names: ${slugs[0]}.pdf`);
  });

  it('builds from inside the new folder with no options, the outputs named in pinyin', () => {
    const r = folioIn(book, 'build', '--target', 'booklet', 'epub');
    expect(r.stderr).toMatch(/^folio: check passed/m);
    expect(r.status).toBe(0);
    expect(readdirSync(path.join(book, 'dist')).sort()).toEqual(
      ['layout.json', 'manifest.json', 'xin-de-yi-ben-shu.epub', 'xin-de-yi-ben-shu.pdf'].sort(),
    );
    const pdf = path.join(book, 'dist', 'xin-de-yi-ben-shu.pdf');
    const all = Array.from({ length: pageCount(pdf) }, (_, i) => squash(pageText(pdf, i + 1))).join('');
    for (const s of ['新的一本书', '第一章的标题', '引语用来突出一句话', '脚注的内容，印在本页页脚。'])
      expect(all).toContain(s);
    // the summary table comes last
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^\(shared\)/);
  });
});

describe('folio new --from', () => {
  it('imports raw text as the first chapter, with placeholders for its photos', async () => {
    const desk = newDesk();
    const r = folioIn(desk, 'new', 'school', '--from', RAW);
    expect(r.status).toBe(0);
    const ms = path.join(desk, 'school', 'manuscript');
    const m = await loadManuscript(ms);
    expect(m.config.title).toBe('高原上的新学校');
    expect(m.config.chapters).toEqual(['01-feature.md']);
    const b = buildBook(m);
    expect(b.figures.length).toBeGreaterThan(0);
    for (const f of b.figures) expect(isFpoPng(readFileSync(f.file)), f.file).toBe(true);
    expect(m.diagnostics.errors).toEqual([]);
    expect(existsSync(path.join(ms, 'import-report.json'))).toBe(true);
    expect(r.stdout).toMatch(/^ {2}to do: book\.yaml: /m);
    expect(readFileSync(path.join(ms, 'book.yaml'), 'utf8').split('\n')[0]).toMatch(
      /^# yaml-language-server: \$schema=/,
    );
  });

  it('a raw file that is not there is a usage error, not a crash, and leaves no folder behind', () => {
    const desk = newDesk();
    mkdirSync(path.join(desk, 'x'));
    const r = folioIn(desk, 'new', 'x', '--from', 'missing.txt');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^missing\.txt:0:0 error Cannot read the raw text to import new-from-missing/m);
    expect(readdirSync(path.join(desk, 'x'))).toEqual([]);
  });
});

describe('folio new: everything checked before anything is written; a failure leaves nothing behind', () => {
  const clean = (r: { stderr: string }) => expect(r.stderr).not.toMatch(/internal error|\n\s+at /);

  it('a title with a BEL: at --title, exit 2, no folder; the same command with a good title then succeeds', () => {
    const desk = newDesk();
    const r = folioIn(desk, 'new', 'x', '--author', '某人', '--title', '坏\u0007标题');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^--title:0:0 error title: Contains the control or noncharacter U\+0007 config-character\n {2}hint: /m,
    );
    expect(r.stderr).not.toMatch(/book\.yaml/); // no file that does not exist is named
    clean(r);
    expect(readdirSync(desk)).toEqual([]);
    const again = folioIn(desk, 'new', 'x', '--author', '某人', '--title', '好标题');
    expect(again.status, again.stderr).toBe(0);
  });

  it('an empty --author for a folder "a b/c:d": at --author, exit 2, not even the parent folder is made', () => {
    const desk = newDesk();
    const r = folioIn(desk, 'new', 'a b/c:d', '--author', '');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^--author:0:0 error authors\.0: .* config-too-small\n {2}hint: /m);
    clean(r);
    expect(readdirSync(desk)).toEqual([]);
  });

  it('a raw file that fails halfway (EIO reading /proc/self/mem): the empty folder given stays empty', () => {
    const desk = newDesk();
    mkdirSync(path.join(desk, 'x'));
    const r = folioIn(desk, 'new', 'x', '--from', '/proc/self/mem');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/mem:0:0 error Cannot read the raw file: EIO import-input/);
    clean(r);
    expect(readdirSync(desk)).toEqual(['x']); // no work folder left beside it either
    expect(readdirSync(path.join(desk, 'x'))).toEqual([]);
  });

  it('the chapter names the --author given in its byline (Markdown in a name stays text)', async () => {
    const desk = newDesk();
    const r = folioIn(desk, 'new', 'byline', '--title', '署名', '--author', '某*人', '李四');
    expect(r.status, r.stderr).toBe(0);
    const ms = path.join(desk, 'byline', 'manuscript');
    expect(readFileSync(path.join(ms, '01-chapter.md'), 'utf8')).not.toContain('作者甲');
    const html = buildBook(await loadManuscript(ms)).chapters[0]!.html;
    expect(html).toMatch(/class="byline"[^]*?本报记者 某\*人、李四/);
  });

  it('a title that makes no pinyin name (！！！): the slug set in book.yaml, and no claim of a book on the desk', () => {
    const desk = newDesk();
    const r = folioIn(desk, 'new', '！！！');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/already has a book/);
    const slug = /^slug: (book-[0-9a-f]{8})$/m.exec(
      readFileSync(path.join(desk, '！！！', 'manuscript', 'book.yaml'), 'utf8'),
    );
    expect(r.stdout).toContain(`output names: ${slug![1]}.pdf, … (set in book.yaml: the title makes no name of 3`);
  });
});
