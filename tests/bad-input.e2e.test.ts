// The catalogue of bad input: each case a message in file:line:col form with a hint, exit 1 (2 for
// usage), and the previous outputs untouched. None of these reaches the browser.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { folio, folioAsync, manuscript, previousOutputs } from './helpers/fixture.js';

/** A PNG header that claims a huge image (the check reads the header; no need for the pixels). */
function hugePng(): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(20000, 16);
  b.writeUInt32BE(20000, 20);
  return b;
}

/** A real PNG cut to 60 %: the header is intact, the image data is not. */
const truncatedPng = () => {
  const png = readFileSync('manuscript/images/01-lake.png');
  return png.subarray(0, Math.floor(png.length * 0.6));
};

/** A real JPEG (Ghostscript's jpeg device) without its last 200 bytes (no end-of-image marker). */
function truncatedJpeg(): Buffer {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'folio-jpeg-')), 'x.jpg');
  execFileSync('gs', [
    '-q',
    '-dSAFER',
    '-sDEVICE=jpeg',
    '-g400x300',
    '-o',
    file,
    '-c',
    '0.5 setgray clippath fill showpage',
  ]);
  const jpeg = readFileSync(file);
  return jpeg.subarray(0, jpeg.length - 200);
}

/**
 * A JPEG (jpeg-js's encoder, a 600 × 400 gradient) whose entropy-coded data is damaged where the marker
 * walk cannot see it: `ones` overwrites 2 KB in the middle of the scan with stuffed 0xFF 0x00 pairs
 * (no marker; all-one bits are no Huffman code), `short` drops the second half of the scan and keeps
 * the end-of-image marker. SOI, the segments, the scan header and EOI are intact in both.
 */
function damagedJpeg(how: 'ones' | 'short'): Buffer {
  const [w, h] = [600, 400];
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([(i % w) % 256, Math.floor(i / w) % 256, (i * 7) % 256, 255], i * 4);
  const good = Buffer.from(jpeg.encode({ data, width: w, height: h }, 90).data);
  const sos = good.indexOf(Buffer.from([0xff, 0xda]));
  const scan = sos + 2 + good.readUInt16BE(sos + 2);
  const middle = scan + Math.floor((good.length - 2 - scan) / 2);
  if (how === 'short') return Buffer.concat([good.subarray(0, middle), Buffer.from([0xff, 0xd9])]);
  const bad = Buffer.from(good);
  for (let i = middle; i < middle + 2048; i += 2) bad.set([0xff, 0x00], i);
  return bad;
}

/**
 * A PNG whose chunks all check out (CRCs right, image data of the full size) but whose row 10 has filter
 * type 9, which does not exist: only a decoder going through the rows finds it.
 */
function badFilterPng(): Buffer {
  const [w, h] = [64, 32];
  const png = PNG.sync.write(Object.assign(new PNG({ width: w, height: h }), { data: Buffer.alloc(w * h * 4, 200) }));
  const at = png.indexOf('IDAT', 0, 'latin1') - 4;
  const raw = inflateSync(png.subarray(at + 8, at + 8 + png.readUInt32BE(at)));
  raw[10 * (1 + w * 4)] = 9;
  const data = deflateSync(raw);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('IDAT', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return Buffer.concat([png.subarray(0, at), chunk, png.subarray(at + 12 + png.readUInt32BE(at))]);
}

/** A YAML alias bomb: nine levels of nine aliases each (387 million nodes when expanded). */
const aliasBomb = () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) {
    const [p, n] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
    lines.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(',')}]`);
  }
  return `${Y}${lines.join('\n')}\nlint: {allow: *i}\n`;
};

const nested = (n: number, item: (i: number) => string) => Array.from({ length: n }, (_, i) => item(i)).join('');

const md = (body: string) => ({ '01.md': `# 第一章\n\n${body}\n` });
const Y = 'title: 测试\nauthors: [甲]\nlanguage: zh-CN\n';

const cases: [string, Record<string, string | Buffer | null>, RegExp, string[]?][] = [
  [
    'invalid YAML in book.yaml',
    { 'book.yaml': 'title: [测试\nauthors: [甲]\n' },
    /book\.yaml:\d+:\d+ error Invalid YAML: .* config-yaml/,
  ],
  [
    'a missing required field',
    { 'book.yaml': 'title: 测试\nlanguage: zh-CN\n' },
    /book\.yaml:1:1 error Missing required field "authors" config-required/,
  ],
  [
    'a wrong type (authors: 3)',
    { 'book.yaml': 'title: 测试\nauthors: 3\nlanguage: zh-CN\n' },
    /book\.yaml:2:10 error authors: .* config-invalid-type/,
  ],
  [
    'an unknown trim',
    { 'book.yaml': `${Y}trim: A9\n` },
    /book\.yaml:4:7 error trim: Unknown trim.* config-invalid-value/,
  ],
  [
    'a chapter listed but missing',
    { 'book.yaml': `${Y}chapters: [01.md, 02.md]\n` },
    /book\.yaml:4:19 error chapters\[1\]: Chapter file not found: 02\.md chapter-missing/,
  ],
  ['an empty chapter', { '01.md': '\n\n' }, /01\.md:1:1 error Chapter is empty chapter-empty/],
  [
    'a file that is not UTF-8',
    { '01.md': Buffer.concat([Buffer.from('# 第一章\n\n正文'), Buffer.from([0xd5, 0xfd, 0x0a])]) },
    /01\.md:3:3 error File is not valid UTF-8 encoding-utf8/,
  ],
  [
    'a BOM',
    { '01.md': '\uFEFF# 第一章\n\n正文。\n' },
    /01\.md:1:1 error File starts with a byte order mark \(BOM\) encoding-bom/,
  ],
  [
    'a missing image',
    md('![缺](images/none.png "不存在。")'),
    /01\.md:3:6 error Image not found: images\/none\.png image-missing/,
  ],
  [
    'a corrupt image',
    { ...md('![坏](images/bad.png "坏图。")'), 'images/bad.png': 'this is not a PNG' },
    /01\.md:3:6 error Image is not a readable PNG, JPEG, GIF or WebP: images\/bad\.png image-corrupt/,
  ],
  [
    'a zero-byte image (the hint says empty, not "its bytes are text")',
    { ...md('![空](images/empty.png "空图。")'), 'images/empty.png': Buffer.alloc(0) },
    /01\.md:3:6 error Image file is empty \(0 bytes\): images\/empty\.png image-empty/,
  ],
  [
    'an image path with ..',
    md('![逃](../x.png "逃。")'),
    /01\.md:3:6 error Path leaves the manuscript folder: \.\.\/x\.png path-escape/,
  ],
  [
    'an absolute image path',
    md('![绝](/etc/hosts "绝。")'),
    /01\.md:3:6 error Absolute path refused: \/etc\/hosts path-absolute/,
  ],
  [
    'a remote image',
    md('![远](https://example.com/a.png "远。")'),
    /01\.md:3:6 error Remote resource refused: https:\/\/example\.com\/a\.png path-remote/,
  ],
  [
    'raw <script>',
    md('<script>alert(1)</script>'),
    /01\.md:3:1 error Raw HTML refused \(tag <script> is not allowed\).* html-unsafe/,
  ],
  [
    'raw <iframe>',
    md('文字<iframe src="https://example.com"></iframe>'),
    /01\.md:3:3 error Raw HTML refused \(tag <iframe> is not allowed\).* html-unsafe/,
  ],
  [
    'an on* handler',
    md('<span onclick="alert(1)">点</span>'),
    /01\.md:3:1 error Raw HTML refused \(attribute "onclick" on <span> is not allowed\).* html-unsafe/,
  ],
  ['a javascript: URL', md('[点我](javascript:alert(1))'), /01\.md:3:6 error Link to a "javascript:" URL link-unsafe/],
  [
    'an unclosed ::: container',
    md('::: dek\n导语没有结束。'),
    /01\.md:3:1 error Container is never closed with ":::" container-unclosed/,
  ],
  [
    'a heading of 5,000 characters',
    { '01.md': `# ${'长'.repeat(5000)}\n\n正文。\n` },
    /01\.md:1:1 error Heading of 5000 characters \(the limit is 200\) heading-too-long/,
  ],
  [
    'a paragraph of 200,000 characters',
    md('字'.repeat(200_000)),
    /01\.md:3:1 error Paragraph of 200000 characters \(the limit is 20000\) paragraph-too-long/,
  ],
  [
    'an image far larger than the page',
    { ...md('![大](images/huge.png "巨图。")'), 'images/huge.png': hugePng() },
    /01\.md:3:6 error Image is 20000 × 20000 px, far larger than any page needs: images\/huge\.png image-too-large/,
  ],
  // issue 15: nothing silently lost
  [
    'a list nested 60 levels (an error, not dropped content)',
    md(`${nested(60, (i) => `${'  '.repeat(i)}- 第${i + 1}层\n`)}\n后面的段落。`),
    /01\.md:11:1 error Lists and block quotes nested 9 levels deep \(the limit is 8\) nesting-too-deep/,
  ],
  [
    'a block quote nested 60 levels',
    md(`${'> '.repeat(60)}深处的话。\n\n后面的段落。`),
    /01\.md:3:1 error Lists and block quotes nested 9 levels deep \(the limit is 8\) nesting-too-deep/,
  ],
  [
    'a BEL in a paragraph',
    md('正文\u0007一段。'),
    /01\.md:3:3 error Control character U\+0007 in the text text-control-char/,
  ],
  [
    'an ESC in a paragraph',
    md('正文一段\u001b[0m。'),
    /01\.md:3:5 error Control character U\+001B in the text text-control-char/,
  ],
  [
    'U+FFFE in a paragraph',
    md('第一行。\n正文\uFFFE一段。'),
    /01\.md:4:3 error Noncharacter U\+FFFE in the text text-noncharacter-char/,
  ],
  [
    'U+FFFD (text lost in an earlier conversion)',
    md('正文\uFFFD\uFFFD一段。'),
    /01\.md:3:3 error U\+FFFD \(the replacement character\): text lost in an earlier conversion text-replacement-char/,
  ],
  [
    'an ESC in authors (a YAML escape)',
    { 'book.yaml': 'title: 测试\nauthors: ["甲\\e"]\nlanguage: zh-CN\n' },
    /book\.yaml:2:11 error authors\.0: Contains the control or noncharacter U\+001B config-character/,
  ],
  [
    'a title with a carriage return',
    { 'book.yaml': 'title: "测试\\r标题"\nauthors: [甲]\nlanguage: zh-CN\n' },
    /book\.yaml:1:8 error title: Contains the control or noncharacter U\+000D \(a line break\) config-character/,
  ],
  [
    'a title of 10,000 characters (blamed on book.yaml)',
    { 'book.yaml': `title: ${'长'.repeat(10_000)}\nauthors: [甲]\nlanguage: zh-CN\n` },
    /book\.yaml:1:8 error title: Longer than 80 characters \(10000\) config-too-long(?![^]*01\.md:)/,
  ],
  [
    'a description of 33,000 characters',
    { 'book.yaml': `${Y}description: ${'描述'.repeat(16_500)}\n` },
    /book\.yaml:4:14 error description: Longer than 4000 characters \(33000\) config-too-long/,
  ],
  [
    'a description longer than the back cover holds',
    { 'book.yaml': `${Y}description: ${'描'.repeat(1500)}\n` },
    /book\.yaml:4:14 error description: 1500 characters; the back cover of this trim holds 980 below the title config-too-long/,
  ],
  [
    'an invalid date (2026-02-30)',
    { 'book.yaml': `${Y}date: 2026-02-30\n` },
    /book\.yaml:4:7 error date: Not a real calendar date config-date/,
  ],
  ['a YAML alias bomb', { 'book.yaml': aliasBomb() }, /book\.yaml:1:1 error Invalid YAML: .*alias.* config-yaml/i],
  [
    'a missing chapter listed after one whose name contains it (a.md after data.md)',
    { 'book.yaml': `${Y}chapters: [data.md, a.md]\n`, 'data.md': '# 第一章\n\n正文。\n', '01.md': null },
    /book\.yaml:4:21 error chapters\[1\]: Chapter file not found: a\.md chapter-missing/,
  ],
  [
    'a truncated PNG',
    { ...md('![断](images/cut.png "半张图。")'), 'images/cut.png': truncatedPng() },
    /01\.md:3:6 error Image cannot be decoded fully: images\/cut\.png: the PNG's IDAT chunk is cut off \(truncated\) image-truncated/,
  ],
  [
    'a truncated JPEG',
    { ...md('![断](images/cut.jpg "半张图。")'), 'images/cut.jpg': truncatedJpeg() },
    /01\.md:3:6 error Image cannot be decoded fully: images\/cut\.jpg: the JPEG ends before its end-of-image marker \(truncated\) image-truncated/,
  ],
  [
    'a JPEG whose entropy-coded data is damaged (markers intact, EOI present)',
    { ...md('![坏](images/bad.jpg "坏图。")'), 'images/bad.jpg': damagedJpeg('ones') },
    /01\.md:3:6 error Image cannot be decoded fully: images\/bad\.jpg: its JPEG data is damaged \(the decoder says: invalid huffman sequence\) image-unreadable/,
  ],
  [
    'a JPEG whose scan stops halfway with an end-of-image marker after it',
    { ...md('![坏](images/half.jpg "半图。")'), 'images/half.jpg': damagedJpeg('short') },
    /01\.md:3:6 error Image cannot be decoded fully: images\/half\.jpg: its JPEG data is damaged \(the decoder says: unexpected marker: ffd9\) image-unreadable/,
  ],
  [
    'a PNG whose chunks check out but one row has a filter type that does not exist',
    { ...md('![坏](images/rows.png "坏图。")'), 'images/rows.png': badFilterPng() },
    /01\.md:3:6 error Image cannot be decoded fully: images\/rows\.png: its PNG data is damaged \(the decoder says: .*filter.*\) image-unreadable/i,
  ],
  [
    'a footnote label defined twice (the second definition)',
    md('甲[^d]，乙[^e]。\n\n[^d]: 一。\n\n[^e]: 注。\n\n[^d]: 二。'),
    /01\.md:9:1 error Footnote \[\^d\] is defined again \(first at line 5\).* footnote-duplicate/,
  ],
  ['an empty heading (`## ` alone)', md('正文。\n\n## \n\n后文。'), /01\.md:5:1 error Empty heading heading-empty/],
  [
    'a paragraph with class pagedjs_page',
    md('正文一段。\n{.pagedjs_page}'),
    /01\.md:3:1 error The class "pagedjs_page" is reserved for Paged\.js \(pagedjs_…\) attr-reserved/,
  ],
];

describe('bad input: message, hint, exit 1, earlier outputs untouched', () => {
  for (const [name, files, message] of cases) {
    it(name, () => {
      const dir = manuscript(files);
      const out = previousOutputs();
      const before = out.snapshot();
      const r = folio(['build', '--manuscript', dir, '--out', out.dir]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      const line = r.stderr.split('\n').findIndex((l) => message.test(l));
      expect(r.stderr.split('\n')[line + 1], 'a hint follows the message').toMatch(/^ {2}hint: \S/);
      if (/image-empty/.test(message.source)) expect(r.stderr.split('\n')[line + 1]).toMatch(/Nothing was saved in it/);
      expect(r.stderr).not.toMatch(/folio: browser/); // stopped before the browser
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /); // no crash, no stack trace
      expect(out.snapshot()).toEqual(before);
      expect(readdirSync(out.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  }

  it('an unknown --target: exit 2', () => {
    const out = previousOutputs();
    const before = out.snapshot();
    const r = folio(['build', '--manuscript', manuscript(), '--out', out.dir, '--target', 'poster']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /option '-t, --target <name\.\.\.>' argument 'poster' is invalid\. Allowed choices are booklet, press, press-pdfx, imposed, epub/,
    );
    expect(out.snapshot()).toEqual(before);
  });

  it('an --out inside the manuscript: exit 2', () => {
    const dir = manuscript();
    const r = folio(['build', '--manuscript', dir, '--out', path.join(dir, 'dist')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /dist:0:0 error The output folder is inside the manuscript folder usage-out\n {2}hint: Choose --out outside the manuscript/,
    );
    expect(readdirSync(dir)).not.toContain('dist');
  });
});

describe('a bad --out: a usage error (exit 2) before any work, --out and its parent as they were', () => {
  const base = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'folio-badout-'));
    writeFileSync(path.join(d, 'afile'), 'not a folder');
    return d;
  };
  const cases: [string, (d: string) => string, (out: string) => RegExp][] = [
    [
      'a file',
      (d) => path.join(d, 'afile'),
      (o) => new RegExp(`${o}:0:0 error --out ${o}: exists and is not a folder`),
    ],
    [
      'a path whose parent is a file (afile/sub)',
      (d) => path.join(d, 'afile', 'sub'),
      (o) => new RegExp(`${o}:0:0 error --out ${o}: ${path.dirname(o)} is not a folder`),
    ],
    [
      'a folder that cannot be made (under /proc: this hung after the pdf stage)',
      () => '/proc/folio-nope',
      () => /\/proc\/folio-nope:0:0 error --out \/proc\/folio-nope: cannot be created in \/proc \(ENOENT\)/,
    ],
    ['a folder that cannot be written (/proc)', () => '/proc', () => /--out \/proc: cannot be written \(ENOENT\)/],
  ];
  for (const [name, outOf, message] of cases) {
    it(name, () => {
      const d = base();
      const out = outOf(d);
      const t0 = Date.now();
      const r = folio(['build', '--manuscript', manuscript(), '--out', out, '--target', 'booklet']);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${message(out).source} usage-path\n {2}hint: \\S`));
      expect(r.stderr).not.toMatch(/folio: (tools|manuscript|browser)/); // before any work
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(readdirSync(d)).toEqual(['afile']); // no probe, no staging folder left behind
      expect(readFileSync(path.join(d, 'afile'), 'utf8')).toBe('not a folder');
      expect(readdirSync('/proc').filter((f) => f.startsWith('.folio') || f === 'folio-nope')).toEqual([]);
    });
  }

  it('a new folder two levels deep is made (one level at a time) and built into', () => {
    const d = base();
    const out = path.join(d, 'new', 'deeper');
    const r = folio(['build', '--manuscript', manuscript(), '--out', out, '--target', 'booklet', '--no-check']);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['layout.json', 'manifest.json', 't.pdf']);
  });
});

describe('folio proof and folio import: a bad --out is the same usage error, never a hang', () => {
  const raw = path.join(mkdtempSync(path.join(tmpdir(), 'folio-raw-')), 'raw.txt');
  writeFileSync(raw, '标题\n\n正文一段。\n');
  const commands: [string, (out: string) => string[]][] = [
    ['proof', (out) => ['proof', '--pdf', 'tests/fixtures/pdf/one-page.pdf', '--out', out]],
    ['import', (out) => ['import', raw, '--out', out]],
  ];
  for (const [name, args] of commands)
    it(`${name} --out under /proc or below a file (Node's recursive mkdir never returned under /proc)`, () => {
      const d = mkdtempSync(path.join(tmpdir(), 'folio-badout-'));
      writeFileSync(path.join(d, 'afile'), 'not a folder');
      for (const [out, message] of [
        ['/proc/folio-nope', /--out \/proc\/folio-nope: cannot be created in \/proc \(ENOENT\) usage-path/],
        [path.join(d, 'afile', 'sub'), /is not a folder usage-path/],
      ] as const) {
        const r = folio(args(out));
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      }
      expect(readdirSync(d)).toEqual(['afile']);
      expect(readdirSync('/proc').filter((f) => f.startsWith('.folio') || f === 'folio-nope')).toEqual([]);
    });
});

describe('bad options and environment: a usage error (exit 2) naming the option, no stack', () => {
  const usage: [string, string[], RegExp, Record<string, string>?][] = [
    ['--timeout 2147484', ['build', '--timeout', '2147484'], /--timeout expects seconds above 0 and at most 86400/],
    [
      'preview --port 99999',
      ['preview', '--port', '99999'],
      /--port expects a whole number from 0 \(any free port\) to 65535, got "99999"/,
    ],
    [
      'preview --port abc',
      ['preview', '--port', 'abc'],
      /--port expects a whole number from 0 \(any free port\) to 65535, got "abc"/,
    ],
    [
      'preview --port -1',
      ['preview', '--port', '-1'],
      /--port expects a whole number from 0 \(any free port\) to 65535, got "-1"/,
    ],
    [
      'proof --pdf missing.pdf',
      ['proof', '--pdf', 'missing.pdf'],
      /missing\.pdf:0:0 error --pdf missing\.pdf: no such file usage-path\n {2}hint: /,
    ],
    [
      'check --out missing',
      ['check', '--out', '/nonexistent/dist'],
      /\/nonexistent\/dist:0:0 error --out \/nonexistent\/dist: no such folder usage-path\n {2}hint: /,
    ],
    [
      'SOURCE_DATE_EPOCH=garbage',
      ['build', '--out', '/nonexistent/dist'],
      /SOURCE_DATE_EPOCH:0:0 error SOURCE_DATE_EPOCH is "garbage", not whole seconds .* usage-source-date-epoch\n {2}hint: /,
      { SOURCE_DATE_EPOCH: 'garbage' },
    ],
    [
      'SOURCE_DATE_EPOCH out of range',
      ['build', '--out', '/nonexistent/dist'],
      /error SOURCE_DATE_EPOCH is "99999999999999999", not whole seconds from 0 to 253402300799 \(year 9999\) usage-source/,
      { SOURCE_DATE_EPOCH: '99999999999999999' },
    ],
  ];
  for (const [name, args, message, env] of usage) {
    it(name, () => {
      const r = folio(args, env);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    });
  }

  it('preview on a port in use', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await folioAsync(['preview', '--manuscript', manuscript(), '--port', String(port)]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`--port:0:0 error Port ${port} is in use usage-port\\n {2}hint: `));
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    } finally {
      server.close();
    }
  });
});
