// No path escapes the manuscript folder, also through symlinks; images are what their bytes say.
// Each case runs the real CLI on a manuscript the test builds, with the symlinks the test creates.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { epubcheck, openEpub } from './helpers/epub.js';
import { folio, manuscript } from './helpers/fixture.js';

const PHOTO = 'manuscript/images/01-lake.png';
const outsideDir = () => mkdtempSync(path.join(tmpdir(), 'folio-outside-'));
const out = () => mkdtempSync(path.join(tmpdir(), 'folio-out-'));
const Y = 'title: 测试\nauthors: [甲]\nlanguage: zh-CN\ndate: 2026-01-02\nslug: t\n';

/** `folio build` that must stop before the browser with `message` followed by a hint. */
function refused(dir: string, message: RegExp, args: string[] = []): string {
  const r = folio(['build', '--manuscript', dir, '--out', out(), ...args]);
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toMatch(message);
  const lines = r.stderr.split('\n');
  expect(lines[lines.findIndex((l) => message.test(l)) + 1], 'a hint follows').toMatch(/^ {2}hint: \S/);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  return r.stderr;
}

describe('symlinks out of the manuscript folder: path-symlink-escape', () => {
  it('a chapter symlinked to /etc/passwd (found by the folder scan) is an error, its text printed nowhere', () => {
    const dir = manuscript();
    symlinkSync('/etc/passwd', path.join(dir, '02-notes.md'));
    const err = refused(
      dir,
      /02-notes\.md:1:1 error chapters\[1\]: 02-notes\.md leads through a symlink to \/etc\/passwd, outside .* path-symlink-escape/,
    );
    expect(err).not.toContain('root:x:0');
  });

  it('a chapter listed in book.yaml that links outside is an error at its line in book.yaml', () => {
    const ext = outsideDir();
    writeFileSync(path.join(ext, 'notes.md'), '# 外面\n\n机密。\n');
    const dir = manuscript({ 'book.yaml': `${Y}chapters: [01.md, 02-notes.md]\n` });
    symlinkSync(path.join(ext, 'notes.md'), path.join(dir, '02-notes.md'));
    refused(
      dir,
      /book\.yaml:6:19 error chapters\[1\]: 02-notes\.md leads through a symlink to .*notes\.md.* path-symlink-escape/,
    );
  });

  it('an image, an image folder and the cover linked outside are errors at the reference', () => {
    const ext = outsideDir();
    cpSync(PHOTO, path.join(ext, 'secret.png'));
    const dir = manuscript({
      '01.md': '# 第一章\n\n![外](images/leak.png "外。")\n\n![夹](linked/secret.png "夹。")\n',
    });
    symlinkSync(path.join(ext, 'secret.png'), path.join(dir, 'images', 'leak.png'));
    symlinkSync(ext, path.join(dir, 'linked'));
    const err = refused(
      dir,
      /01\.md:3:6 error Image images\/leak\.png leads through a symlink to .* path-symlink-escape/,
    );
    expect(err).toMatch(/01\.md:5:6 error Image linked\/secret\.png leads through a symlink to .* path-symlink-escape/);
    // the cover is checked with book.yaml, before the chapters
    const withCover = manuscript({ 'book.yaml': `${Y}cover: images/cover.png\n` });
    symlinkSync(path.join(ext, 'secret.png'), path.join(withCover, 'images', 'cover.png'));
    refused(
      withCover,
      /book\.yaml:6:8 error cover: images\/cover\.png leads through a symlink to .* path-symlink-escape/,
    );
  });
});

describe('writers refuse symlinks out of their folder', () => {
  it('lint --fix does not write through a chapter linked outside', () => {
    const ext = outsideDir();
    const target = path.join(ext, 'notes.md');
    writeFileSync(target, '# 外面\n\n他说:"好".\n');
    const dir = manuscript();
    symlinkSync(target, path.join(dir, '02-notes.md'));
    const r = folio(['lint', dir, '--fix']);
    expect(r.status).toBe(1);
    expect(r.stderr + r.stdout).toMatch(/02-notes\.md:1:1 error .* path-symlink-escape/);
    expect(readFileSync(target, 'utf8')).toBe('# 外面\n\n他说:"好".\n');
  });

  it('import --out --force does not write through a symlinked folder inside --out', () => {
    const ext = outsideDir();
    const dest = out();
    writeFileSync(path.join(dest, 'old.txt'), 'x');
    symlinkSync(ext, path.join(dest, 'images'));
    const raw = path.join(outsideDir(), 'raw.txt');
    writeFileSync(raw, '标题\n\n第一段正文。\n');
    const r = folio(['import', raw, '--out', dest, '--force']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /images\/PLACEHOLDERS\.txt:0:0 error images\/PLACEHOLDERS\.txt leads through a symlink .* path-symlink-escape/,
    );
    expect(existsSync(path.join(ext, 'PLACEHOLDERS.txt'))).toBe(false);
  });
});

describe('folio placeholders writes only inside the manuscript', () => {
  it('refuses a dangling symlink (it would create a file outside) and --all through a link outside', () => {
    const ext = outsideDir();
    const victim = path.join(ext, 'victim.png');
    cpSync(PHOTO, victim);
    const dir = manuscript({ '01.md': '# 一\n\n![缺](images/new.png "新。")\n\n![外](images/photo.png "外。")\n' });
    symlinkSync(path.join(ext, 'created.png'), path.join(dir, 'images', 'new.png')); // dangling
    const before = readFileSync(victim);
    const photo = path.join(dir, 'images', 'photo.png');
    rmSync(photo);
    symlinkSync(victim, photo);
    const r = folio(['placeholders', dir, '--all']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /01\.md:3:6 error Image images\/new\.png is a dangling symlink to .*created\.png.* path-symlink-escape/,
    );
    expect(r.stderr).toMatch(
      /01\.md:5:6 error Image images\/photo\.png leads through a symlink to .*victim\.png.* path-symlink-escape/,
    );
    expect(existsSync(path.join(ext, 'created.png'))).toBe(false);
    expect(readFileSync(victim).equals(before)).toBe(true);
  });

  it('refuses a dangling symlink even when its target would be inside', () => {
    const dir = manuscript({ '01.md': '# 一\n\n![缺](images/new.png "新。")\n' });
    symlinkSync(path.join(dir, 'elsewhere.png'), path.join(dir, 'images', 'new.png'));
    const r = folio(['placeholders', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /01\.md:3:6 error Image images\/new\.png is a dangling symlink .*never writes through.* path-symlink-escape/,
    );
    expect(existsSync(path.join(dir, 'elsewhere.png'))).toBe(false);
  });
});

describe('image types come from the bytes', () => {
  it('cover: README.md is refused by its type, not turned into a blue cover', () => {
    const dir = manuscript({ 'book.yaml': `${Y}cover: README.md\n`, 'README.md': '# 说明\n' });
    refused(dir, /book\.yaml:6:8 error cover: Image type \.md is not accepted here: README\.md image-type/);
  });

  it('a PNG named .jpg (figure and cover) and text named .png are errors naming what the bytes are', () => {
    const dir = manuscript({
      '01.md': '# 一\n\n![伪](images/fake.jpg "伪。")\n\n![文](images/text.png "文。")\n',
      'images/fake.jpg': readFileSync(PHOTO),
      'images/text.png': '# just text\n',
    });
    const err = refused(
      dir,
      /01\.md:3:6 error Image is a PNG image but its name says \.jpg: images\/fake\.jpg image-type-mismatch/,
    );
    const cover = manuscript({ 'book.yaml': `${Y}cover: images/cover.jpg\n`, 'images/cover.jpg': readFileSync(PHOTO) });
    refused(cover, /book\.yaml:6:8 error cover: Image is a PNG image but its name says \.jpg: .* image-type-mismatch/);
    expect(err).toMatch(
      /01\.md:5:6 error Image is not a readable PNG, JPEG, GIF or WebP: images\/text\.png image-corrupt\n {2}hint: Its bytes are text/,
    );
  });

  it('an SVG with script, handlers, foreignObject, remote references or a DOCTYPE: errors inside the SVG', () => {
    const svg = [
      '<?xml version="1.0"?>',
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">',
      '  <script>alert(1)</script>',
      '  <rect width="5" height="5" onload="alert(1)"/>',
      '  <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://example.com/"/></foreignObject>',
      '  <image xlink:href="http://example.com/a.png"/>',
      '  <rect style="fill:url(https://example.com/x)"/>',
      '</svg>',
    ].join('\n');
    const dir = manuscript({
      '01.md': '# 一\n\n![图](images/fig.svg "图。")\n\n![实](images/dtd.svg "实。")\n',
      'images/fig.svg': svg,
      'images/dtd.svg':
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
    });
    const err = refused(dir, /fig\.svg:3:3 error SVG has a <script> element \(figure at .*01\.md:3\) svg-script/);
    expect(err).toMatch(/fig\.svg:4:3 error SVG element <rect> has an event handler onload="…" .* svg-script/);
    expect(err).toMatch(/fig\.svg:5:3 error SVG has a <foreignObject> element .* svg-script/);
    expect(err).toMatch(/fig\.svg:5:18 error SVG embeds an HTML or MathML element <iframe> .* svg-script/);
    expect(err).toMatch(
      /fig\.svg:6:3 error SVG element <image> refers outside the file: xlink:href="http:\/\/example\.com\/a\.png" .* svg-external/,
    );
    expect(err).toMatch(
      /fig\.svg:7:3 error SVG <rect style> refers outside the file: url\(https:\/\/example\.com\/x\) .* svg-external/,
    );
    expect(err).toMatch(/dtd\.svg:1:1 error SVG has a DOCTYPE .* svg-doctype/);
    expect(err).not.toContain('root:x:0');
  });
});

describe('symlinks that stay inside keep working', () => {
  it('builds a book whose chapter, figure and cover are symlinks inside the folder, with a clean SVG', async () => {
    const dir = manuscript({
      'book.yaml': `${Y}cover: cover.png\n`,
      '01.md': '# 第一章\n\n正文一段。\n\n![照片](images/photo.png "图注。")\n\n![矢量](images/chart.svg "矢量图。")\n',
      'images/chart.svg':
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="300" height="200">' +
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#123"/></linearGradient></defs>' +
        '<rect id="r" width="300" height="200" fill="url(#g)"/><use xlink:href="#r"/></svg>',
    });
    mkdirSync(path.join(dir, 'drafts'));
    writeFileSync(path.join(dir, 'drafts', 'notes.md'), '# 第二章\n\n链接进来的章节正文。\n');
    symlinkSync(path.join('drafts', 'notes.md'), path.join(dir, '02-notes.md'));
    symlinkSync(path.join('images', 'photo.png'), path.join(dir, 'cover.png'));
    const o = out();
    const r = folio(['build', '--manuscript', dir, '--out', o, '--target', 'booklet', 'epub']);
    expect(r.status, r.stderr).toBe(0);
    const epub = await openEpub(path.join(o, 't.epub'));
    const ch2 = epub.names.find((n) => /ch2\.xhtml$/.test(n))!;
    expect(await epub.text(ch2)).toContain('链接进来的章节正文。');
    const cover = epub.names.find((n) => /cover\.png$/.test(n));
    expect(cover, epub.names.join(' ')).toBeDefined();
    expect(epub.names.some((n) => n.endsWith('.svg'))).toBe(true);
    const check = epubcheck(path.join(o, 't.epub'));
    expect(check.output).not.toMatch(/scripted|remote-resources/);
    expect(check.errors + check.fatals, check.output).toBe(0);
  });
});
