// Any legal file name works: image names with #, ? and % and a manuscript folder named dir#1 are
// decoded once (manuscript/paths.ts decodeRef) and encoded once (hrefOf, fileUrlOf) on the way out.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { expect, it } from 'vitest';
import { folio } from './helpers/fixture.js';
import { imageCount } from './helpers/pdf.js';

it('images a#b.png, q?x.png, 100%.png in a folder named dir#1: in the booklet and in the EPUB', async () => {
  const parent = mkdtempSync(path.join(tmpdir(), 'folio-names-'));
  const dir = path.join(parent, 'dir#1');
  mkdirSync(path.join(dir, 'images'), { recursive: true });
  writeFileSync(
    path.join(dir, 'book.yaml'),
    'title: 测试\nauthors: [甲]\nlanguage: zh-CN\ndate: 2026-01-02\nslug: t\n',
  );
  const names = ['a#b', 'q?x', '100%'];
  for (const n of names) cpSync('manuscript/images/01-lake.png', path.join(dir, 'images', `${n}.png`));
  const figures = names.map((n, i) => `![图${i + 1}](images/${n}.png "图注${i + 1}。")`).join('\n\n');
  writeFileSync(path.join(dir, '01.md'), `# 第一章\n\n正文。\n\n${figures}\n\n后文。\n`);
  const out = path.join(parent, 'out');
  const r = folio(['build', '--manuscript', dir, '--out', out, '--target', 'booklet', '--target', 'epub']);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/folio: check passed/);
  expect(imageCount(path.join(out, 't.pdf'))).toBe(3);
  const zip = await JSZip.loadAsync(readFileSync(path.join(out, 't.epub')));
  const images = Object.keys(zip.files).filter((f) => /^OEBPS\/images\/.*\.png$/.test(f));
  expect(images.sort()).toEqual(['OEBPS/images/100_.png', 'OEBPS/images/a_b.png', 'OEBPS/images/q_x.png']);
  const chapter = await zip.file(Object.keys(zip.files).find((f) => /OEBPS\/.*ch.*\.xhtml$/.test(f))!)!.async('string');
  for (const img of images) expect(chapter).toContain(`src="${img.replace('OEBPS/', '')}"`);
});
