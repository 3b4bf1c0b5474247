// folio import reads the encodings of Chinese newsrooms (GB18030/GBK, Big5, UTF-16 with a BOM) and
// converts them, or refuses: never U+FFFD in a manuscript. book.yaml is written by the YAML library.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folio } from './helpers/fixture.js';

const RAW = 'tests/fixtures/raw/artifacts.txt';
const dir = () => mkdtempSync(path.join(tmpdir(), 'folio-enc-'));
const iconv = (from: string, to: string, input: Buffer) => execFileSync('iconv', ['-f', from, '-t', to], { input });

function importFile(bytes: Buffer): { status: number | null; stdout: string; stderr: string; out: string } {
  const d = dir();
  writeFileSync(path.join(d, 'raw.txt'), bytes);
  const out = path.join(d, 'ms');
  const r = folio(['import', path.join(d, 'raw.txt'), '--out', out]);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, out };
}

const chapter = (out: string) => readFileSync(path.join(out, '01-feature.md'), 'utf8');

describe('folio import: encodings', () => {
  const utf8 = readFileSync(RAW);
  const reference = importFile(utf8);

  const cases: [string, () => Buffer, string][] = [
    ['GB18030', () => iconv('UTF-8', 'GB18030', utf8), 'GB18030'],
    // GBK is a subset of GB18030: the same decoder reads it
    ['GBK', () => iconv('UTF-8', 'GBK', utf8), 'GB18030'],
    [
      'UTF-16LE with BOM',
      () => Buffer.concat([Buffer.from([0xff, 0xfe]), iconv('UTF-8', 'UTF-16LE', utf8)]),
      'UTF-16LE',
    ],
    [
      'UTF-16BE with BOM',
      () => Buffer.concat([Buffer.from([0xfe, 0xff]), iconv('UTF-8', 'UTF-16BE', utf8)]),
      'UTF-16BE',
    ],
  ];
  for (const [name, bytes, encoding] of cases) {
    it(`${name}: converted, the same manuscript as from UTF-8, no U+FFFD`, () => {
      expect(reference.status, reference.stderr).toBe(0);
      const r = importFile(bytes());
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`read as ${encoding}, written as UTF-8`);
      expect(chapter(r.out)).toBe(chapter(reference.out));
      expect(chapter(r.out)).not.toContain('\uFFFD');
      const lint = folio(['lint', r.out]);
      expect(lint.stdout).not.toMatch(/text-replacement-char|encoding-utf8/);
    });
  }

  it('Big5 (traditional characters): converted', () => {
    const text = '記者 王五\n\n這是一個關於高原學校的報導。我們來到學校，看見孩子們在讀書，老師說他們的成績很好。\n';
    const r = importFile(iconv('UTF-8', 'BIG5', Buffer.from(text)));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('read as Big5, written as UTF-8');
    expect(chapter(r.out)).toContain('這是一個關於高原學校的報導。');
  });

  it('bytes that are no Chinese text in any of them: refused with a hint, nothing written', () => {
    const noise = Buffer.from(Array.from({ length: 400 }, (_, i) => 0x80 + ((i * 37) % 127)));
    const r = importFile(noise);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /raw\.txt:1:1 error Cannot tell the encoding: .* import-encoding\n {2}hint: Convert it to UTF-8 first/,
    );
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('a headline with ": " gives a book.yaml Folio itself can parse', () => {
    const raw = readFileSync(RAW, 'utf8');
    const title = raw.split('\n').find((l) => /高原上的新学校/.test(l))!;
    const r = importFile(Buffer.from(raw.replace(title, title.replace('高原上的新学校', '访谈: 高原上的新学校'))));
    expect(r.status, r.stderr).toBe(0);
    const lint = folio(['lint', r.out]);
    expect(lint.stdout).not.toMatch(/config-yaml/);
    expect(readFileSync(path.join(r.out, 'book.yaml'), 'utf8')).toMatch(/^title: "?访谈: 高原上的新学校"?$/m);
  });
});
