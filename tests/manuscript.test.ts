import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolioError } from '../scripts/diagnostics/diagnostic.js';
import { loadManuscript } from '../scripts/manuscript/load.js';

/** A throwaway manuscript folder from a map of file name → content. */
function folder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'folio-ms-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), body);
  return dir;
}

const yaml = (extra = '') => `title: 书\nauthors: [甲]\nlanguage: zh-CN\n${extra}`;

async function failure(dir: string): Promise<string[]> {
  try {
    await loadManuscript(dir);
  } catch (e) {
    if (e instanceof FolioError)
      return e.diagnostics.map((d) => `${path.basename(d.file)}:${d.line}:${d.column} ${d.ruleId}`);
    throw e;
  }
  return [];
}

describe('loadManuscript', () => {
  it('takes every *.md but README.md in name order when book.yaml lists no chapters', async () => {
    const m = await loadManuscript(
      folder({ 'book.yaml': yaml(), '02-b.md': '# B', '01-a.md': '# A', 'README.md': 'notes', 'x.txt': 'no' }),
    );
    expect(m.chapters.map((c) => path.basename(c.path))).toEqual(['01-a.md', '02-b.md']);
    expect(m.trim).toEqual({ width: 148, height: 210, name: 'A5' });
  });

  it('keeps the order book.yaml gives and resolves custom trims', async () => {
    const m = await loadManuscript(
      folder({
        'book.yaml': yaml('trim: {width: 120, height: 180}\nchapters: [b.md, a.md]\n'),
        'a.md': '# A',
        'b.md': '# B',
      }),
    );
    expect(m.chapters.map((c) => path.basename(c.path))).toEqual(['b.md', 'a.md']);
    expect(m.trim).toEqual({ width: 120, height: 180 });
  });

  it('reports a listed chapter that is missing, at its line in book.yaml', async () => {
    expect(await failure(folder({ 'book.yaml': yaml('chapters:\n  - 01.md\n  - 02.md\n'), '01.md': '# A' }))).toEqual([
      'book.yaml:6:5 chapter-missing',
    ]);
  });

  it('refuses a chapter path that leaves the folder', async () => {
    expect(await failure(folder({ 'book.yaml': yaml('chapters: [../x.md]\n') }))).toEqual([
      'book.yaml:4:12 path-escape',
    ]);
  });

  it('reports an empty chapter', async () => {
    expect(await failure(folder({ 'book.yaml': yaml(), '01.md': '  \n\n' }))).toEqual(['01.md:1:1 chapter-empty']);
  });

  it('reports a file that is not UTF-8 at the first bad byte', async () => {
    const gbk = Buffer.concat([Buffer.from('# 标题\n\n正文'), Buffer.from([0xd5, 0xfd]), Buffer.from('\n')]);
    expect(await failure(folder({ 'book.yaml': yaml(), '01.md': gbk }))).toEqual(['01.md:3:3 encoding-utf8']);
  });

  it('refuses a byte order mark', async () => {
    expect(await failure(folder({ 'book.yaml': yaml(), '01.md': '\uFEFF# 标题\n\n正文\n' }))).toEqual([
      '01.md:1:1 encoding-bom',
    ]);
  });

  it('normalises Windows line ends', async () => {
    const m = await loadManuscript(folder({ 'book.yaml': yaml(), '01.md': '# 标题\r\n\r\n正文\r\n' }));
    expect(m.chapters[0]!.text).toBe('# 标题\n\n正文\n');
  });

  it('reports a folder without chapters', async () => {
    expect(await failure(folder({ 'book.yaml': yaml() }))).toEqual(['book.yaml:1:1 chapters-missing']);
  });
});
