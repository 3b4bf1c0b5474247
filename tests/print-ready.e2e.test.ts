// What a print shop's preflight reads: inks per glyph (mutool trace), the PDF/X's header, part and
// OutputIntent, the imposed sheets' colour, the verdict, the page plan and the 版权页 — from the real
// files a `folio build` writes, for the seed and for a two-chapter manuscript unlike it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { inksOf, traceText, type TextRun } from '../scripts/preflight/trace.js';
import { computeGeometry } from '../scripts/render/geometry.js';
import { folio } from './helpers/fixture.js';
import { boxes, info, pageCount, pageText, squash, type PageBoxes } from './helpers/pdf.js';

const seedOut = mkdtempSync(path.join(tmpdir(), 'folio-print-seed-'));
const twoOut = mkdtempSync(path.join(tmpdir(), 'folio-print-two-'));
const TWO = 'tests/fixtures/manuscripts/two-features';
let seedRun: ReturnType<typeof folio>;
let twoRun: ReturnType<typeof folio>;
const seed = (suffix: string) => path.join(seedOut, `yuancang-30zai${suffix}`);
const two = (suffix: string) => path.join(twoOut, `two-features${suffix}`);

beforeAll(() => {
  seedRun = folio(['build', '--out', seedOut, '--no-check']);
  twoRun = folio(['build', '--manuscript', TWO, '--out', twoOut, '--no-check']);
}, 240_000);

/** Runs inside each page's BleedBox (the printed area): the slug and the marks outside are registration by design. */
function printedRuns(runs: TextRun[], pages: PageBoxes[]): TextRun[] {
  return runs.filter((r) => {
    const b = pages[r.page - 1]!;
    const x = b.media.x0 + r.x;
    const y = b.media.y1 - r.y;
    return x >= b.bleed.x0 && x <= b.bleed.x1 && y >= b.bleed.y0 && y <= b.bleed.y1;
  });
}

/** K only, or no ink at all (type reversed out to paper), or a brand colour at display size (≥ 12 pt). */
const deliberate = (r: TextRun) =>
  r.inks.length === 0 || (r.inks.length === 1 && r.inks[0] === 'K') || (r.size >= 12 && !r.inks.includes('RGB'));

describe('colour: neutral text as black ink only', () => {
  it('builds the seed with its default targets (proof only is not an error)', () => {
    expect(seedRun.status, seedRun.stderr).toBe(0);
  });

  for (const [name, suffix] of [
    ['PDF/X', '-press-pdfx.pdf'],
    ['imposed file', '-imposed.pdf'],
  ] as const)
    it(`draws every text glyph of the seed's ${name} in K only or a deliberate colour`, async () => {
      const file = seed(suffix);
      const runs = printedRuns(await traceText(file), boxes(file));
      const glyphs = runs.reduce((n, r) => n + r.glyphs, 0);
      expect(glyphs).toBeGreaterThan(2000); // the whole text, not a sample
      const bad = runs.filter((r) => !deliberate(r));
      expect(bad.map((r) => `p${r.page} ${r.size}pt ${r.colorspace} ${r.color.join(' ')} "${r.text}"`)).toEqual([]);
      // body text (10.5 pt, #1b1b1b) is one K tint, no longer C .70 M .67 Y .66 K .78
      const body = runs.filter((r) => r.size > 10 && r.size < 11 && r.inks.join('') === 'K');
      expect(body.reduce((n, r) => n + r.glyphs, 0)).toBeGreaterThan(1500);
      for (const r of body) expect(r.color.slice(0, 3)).toEqual([0, 0, 0]);
    });

  it('leaves brand colours in CMYK (the red headings are still four-colour, at display size)', async () => {
    const runs = printedRuns(await traceText(seed('-press-pdfx.pdf')), boxes(seed('-press-pdfx.pdf')));
    const brand = runs.filter((r) => r.inks.length > 1);
    expect(brand.length).toBeGreaterThan(0);
    for (const r of brand) expect(r.size).toBeGreaterThanOrEqual(12);
  });

  it('has no RGB in the imposed file: it is imposed from the CMYK PDF/X, marks and colour bar included', () => {
    const file = seed('-imposed.pdf');
    const trace = execFileSync('mutool', ['trace', file], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
    const spaces = new Set([...trace.matchAll(/colorspace="([^"]+)"/g)].map((m) => m[1]));
    expect([...spaces].filter((s) => /RGB/.test(s!))).toEqual([]);
    const images = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).split('\n').slice(2);
    for (const l of images.filter((x) => /\bimage\b/.test(x)))
      expect(l.trim().split(/\s+/)[5]).toMatch(/^(cmyk|gray)$/);
    // a colour bar on the sheet: solid C, M, Y and K patches, outside the sheet's trim
    for (const c of ['1 0 0 0', '0 1 0 0', '0 0 1 0', '0 0 0 1']) expect(trace).toContain(`color="${c}"`);
    const intent = execFileSync('qpdf', ['--qdf', '--object-streams=disable', file, '-'], {
      maxBuffer: 256 * 2 ** 20,
    }).toString('latin1');
    expect(intent).toMatch(/\/OutputConditionIdentifier \(FOGRA39\)/);
  });

  it('classifies inks as a print shop does', () => {
    expect(inksOf('DeviceCMYK', [0, 0, 0, 0.89])).toEqual(['K']);
    expect(inksOf('DeviceCMYK', [0.7, 0.67, 0.66, 0.78])).toEqual(['C', 'M', 'Y', 'K']);
    expect(inksOf('DeviceGray', [0.3])).toEqual(['K']);
    expect(inksOf('DeviceRGB', [0.1, 0.1, 0.1])).toEqual(['RGB']);
  });
});

describe('PDF/X that validates', () => {
  it('has the header of the part it claims: PDF/X-3:2002 is PDF 1.3', () => {
    const file = seed('-press-pdfx.pdf');
    expect(readFileSync(file).subarray(0, 8).toString('latin1')).toBe('%PDF-1.3');
    expect(info(file)['PDF version']).toBe('1.3');
    expect(info(file)['PDF subtype']).toBe('PDF/X-3:2002');
    const qdf = execFileSync('qpdf', ['--qdf', '--object-streams=disable', file, '-'], {
      maxBuffer: 256 * 2 ** 20,
    }).toString('latin1');
    // nothing from a later PDF: no transparency, no object or cross-reference streams
    expect(qdf).not.toMatch(/\/SMask\b|\/CA\s|\/ca\s|\/ObjStm|\/XRef/);
    expect(qdf).toMatch(/\/Trapped \/False/);
    expect(qdf).toMatch(/\/GTS_PDFXVersion \(PDF\/X-3:2002\)/);
    // every stream decodes whole (pdf-lib once cut a content stream's last byte: qpdf warned, exit 3)
    for (const f of [file, seed('-imposed.pdf')]) expect(() => execFileSync('qpdf', ['--check', f])).not.toThrow();
  });

  it('carries the FOGRA39 OutputIntent with the profile built from Fogra’s data', () => {
    // qpdf renumbers objects in QDF form: read the profile from the same QDF file
    const file = path.join(seedOut, 'pdfx.qdf.pdf');
    execFileSync('qpdf', ['--qdf', '--object-streams=disable', seed('-press-pdfx.pdf'), file]);
    const qdf = readFileSync(file).toString('latin1');
    const intent = /<<[^<>]*\/S \/GTS_PDFX[^<>]*>>/.exec(qdf)?.[0] ?? '';
    expect(intent).toMatch(/\/OutputConditionIdentifier \(FOGRA39\)/);
    expect(intent).toMatch(/\/RegistryName \(http:\/\/www\.color\.org\)/);
    expect(intent).toMatch(/ISO 12647-2:2004/);
    const ref = /\/DestOutputProfile (\d+) 0 R/.exec(intent)![1]!;
    const profile = execFileSync('qpdf', [`--show-object=${ref}`, '--filtered-stream-data', file]);
    const shipped = readFileSync('profiles/FOGRA39L-folio.icc');
    expect(Buffer.compare(profile, shipped)).toBe(0);
    // an ICC output profile: class 'prtr', colour space CMYK, connection space Lab
    expect(profile.subarray(12, 24).toString('latin1')).toBe('prtrCMYKLab ');
  });
});

describe('the verdict', () => {
  it('says "proof only" for the seed, naming its five placeholders and the missing 书号/准印证号', () => {
    const report = JSON.parse(readFileSync(path.join(seedOut, 'preflight.json'), 'utf8'));
    expect(report.summary.verdict).toBe('proof only');
    const rules = report.summary.blockers.map((b: { rule: string }) => b.rule);
    expect(rules).toEqual(['placeholders', 'identification']);
    const placeholders = report.summary.blockers[0].message as string;
    for (const f of ['01-lake.png', '02-drum.png', '03-greenhouse.png', '04-expo.png', '05-troupe.png'])
      expect(placeholders).toContain(f);
    expect(placeholders).toMatch(/^5 FPO placeholders/);
    const html = readFileSync(path.join(seedOut, 'preflight.html'), 'utf8');
    expect(html).toContain('仅供校样 proof only');
    expect(html).toContain('05-troupe.png');
    // the build's closing line says it too
    const last = seedRun.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^folio: press files proof only: 5 FPO placeholders/);
  });

  it('turns "proof only" into an error with --print, and writes no press file', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'folio-print-strict-'));
    const r = folio(['build', '--out', out, '--print', '--target', 'press-pdfx']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /manuscript\/book\.yaml:0:0 error The press files are proof only \(folio build --print\): 5 FPO/,
    );
    expect(r.stderr).toMatch(/press-proof-only/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readdirSync(out).filter((f) => f.endsWith('.pdf'))).toEqual([]);
    // --out stays as it was (empty); the report is in the folder the info line names
    expect(readdirSync(out)).toEqual([]);
    const report = /^(\S+)preflight\.html:0:0 info .* preflight-report$/m.exec(r.stderr)![1]!;
    expect(JSON.parse(readFileSync(path.join(report, 'preflight.json'), 'utf8')).summary.verdict).toBe('proof only');
  });

  it('says "print-ready" for a book with no placeholders and a 准印证号, and --print passes', () => {
    expect(twoRun.status, twoRun.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(twoOut, 'preflight.json'), 'utf8'));
    expect(report.summary.verdict).toBe('print-ready');
    expect(report.summary.blockers).toEqual([]);
    expect(twoRun.stderr.trim().split('\n').at(-1)).toBe('folio: press files print-ready');
    const strict = folio(['build', '--manuscript', TWO, '--out', mkdtempSync(path.join(tmpdir(), 'fp-')), '--print']);
    expect(strict.status, strict.stderr).toBe(0);
  });

  it('reads press.strict from book.yaml like --print', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'folio-strict-')), 'm');
    cpSync('manuscript', dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'book.yaml'),
      `${readFileSync(path.join(dir, 'book.yaml'), 'utf8')}press: {strict: true}\n`,
    );
    const r = folio(['build', '--manuscript', dir, '--out', path.join(dir, '..', 'out'), '--target', 'press']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/proof only \(press\.strict in book\.yaml\): 5 FPO placeholders/);
    expect(r.stderr).toMatch(/RGB only: no CMYK PDF\/X was checked/);
  });
});

describe('imposition sheet', () => {
  it('refuses an A4 book on an A4 sheet before laying anything out, at the line of book.yaml', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'folio-a4-')), 'm');
    cpSync(TWO, dir, { recursive: true });
    const yaml = readFileSync(path.join(dir, 'book.yaml'), 'utf8').replace('trim: A5', 'trim: A4');
    writeFileSync(path.join(dir, 'book.yaml'), yaml);
    const line = yaml.split('\n').findIndex((l) => l.startsWith('trim:')) + 1;
    const t0 = Date.now();
    const r = folio(['build', '--manuscript', dir, '--out', path.join(dir, '..', 'out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `book.yaml:${line}:1 error Imposition: the trim (210 × 297 mm) does not fit twice on the A4 sheet ` +
        '(297 × 210 mm): two pages side by side need 420 × 297 mm; press.sheet: A3 holds them press-sheet',
    );
    expect(Date.now() - t0).toBeLessThan(15_000); // refused before Chromium and Ghostscript
    expect(existsSync(path.join(dir, '..', 'out'))).toBe(false);
  });
});

describe('page plan', () => {
  it('plans the seed to a multiple of 4 with no contents (one chapter) and says where blanks fall', () => {
    const n = pageCount(seed('.pdf'));
    expect(n % 4).toBe(0);
    expect(pageCount(seed('-imposed.pdf'))).toBe(n / 2); // no blank added by the imposition
    const plan = /page plan {2}(.+)/.exec(seedRun.stderr)![1]!;
    expect(plan).toMatch(new RegExp(`^${n} pages = ${n / 4} sheets, no contents; blank: p\\. 2 \\(封二`));
    for (let p = 1; p <= n; p++) expect(squash(pageText(seed('.pdf'), p))).not.toMatch(/^目录/);
    // every blank the plan names is blank in the booklet, and there are no others inside the body
    const blanks = [...plan.matchAll(/p\. (\d+)/g)].map((m) => Number(m[1]));
    expect(blanks.length).toBeLessThanOrEqual(2);
    for (const b of blanks) expect(squash(pageText(seed('.pdf'), b))).toBe('');
  });

  it('gives two chapters a contents page whose numbers are the chapters’ pages', () => {
    const file = two('.pdf');
    const n = pageCount(file);
    expect(n % 4).toBe(0);
    const plan = /page plan {2}(.+)/.exec(twoRun.stderr)![1]!;
    expect(plan).toMatch(new RegExp(`^${n} pages = ${n / 4} sheets, contents;`));
    const toc = [...Array(n).keys()].map((i) => i + 1).find((p) => squash(pageText(file, p)).startsWith('目录'))!;
    expect(toc).toBe(5);
    const layout = pageText(file, toc, undefined, true);
    const printed = [...layout.matchAll(/^\s*(\S.*?)\s{2,}(\d+)\s*$/gm)].map((m) => [squash(m[1]!), Number(m[2])]);
    expect(printed.map(([t]) => t)).toEqual(['共筑幸福路阔步向未来', '补齐短板持续增进民生福祉']);
    for (const [title, page] of printed) {
      expect(Number(page) % 2, `${title} opens on a right-hand page`).toBe(1);
      expect(squash(pageText(file, Number(page)))).toContain(title);
    }
    for (const b of [...plan.matchAll(/p\. (\d+)/g)].map((m) => Number(m[1])))
      expect(squash(pageText(file, b)), `page ${b}`).toBe('');
  });

  it('holds a book to book.yaml `pages: 16`, the extra pages as planned blanks', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'folio-pages-')), 'm');
    cpSync(TWO, dir, { recursive: true });
    writeFileSync(path.join(dir, 'book.yaml'), `${readFileSync(path.join(dir, 'book.yaml'), 'utf8')}pages: 16\n`);
    const out = path.join(dir, '..', 'out');
    const r = folio(['build', '--manuscript', dir, '--out', out, '--target', 'booklet', '--no-check']);
    expect(r.status, r.stderr).toBe(0);
    expect(pageCount(path.join(out, 'two-features.pdf'))).toBe(16);
    expect(r.stderr).toMatch(/page plan {2}16 pages = 4 sheets/);
    writeFileSync(
      path.join(dir, 'book.yaml'),
      `${readFileSync(path.join(dir, 'book.yaml'), 'utf8')}`.replace('pages: 16', 'pages: 4'),
    );
    const tooFew = folio(['build', '--manuscript', dir, '--out', out, '--target', 'booklet', '--no-check']);
    expect(tooFew.status).toBe(1);
    expect(tooFew.stderr).toMatch(
      /book\.yaml:\d+:1 error pages: 4 cannot be planned: the content needs at least \d+ pages/,
    );
  });
});

describe('版权页, title page and back cover', () => {
  /** The 版权页: the booklet's fourth page (the title page's verso). */
  const imprint = (file: string) => squash(pageText(file, 4));

  it('carries 开本, 印张 and 字数 computed from the layout, and 版次·印次 by month', () => {
    const n = pageCount(seed('.pdf'));
    const g = computeGeometry({ width: 148, height: 210 });
    const text = imprint(seed('.pdf'));
    expect(text).toContain(squash('开本880 mm × 1230 mm 1/32（成品 148 mm × 210 mm）'));
    expect(text).toContain(`印张${n / 32}`);
    expect(text).toContain(`字数${Math.ceil((g.chars * g.lines * (n - 2)) / 1000)}千字`);
    expect(text).toContain('版次2026年11月第1版2026年11月第1次印刷');
  });

  it('prints nothing of the build there: no urn:uuid, hash, day-exact date, 图片待补 or file name', () => {
    const text = imprint(seed('.pdf'));
    expect(text).not.toMatch(/urn:uuid|Folio|[0-9a-f]{12}|29日|图片待补|\.pdf|页；/);
    // the identifier and the build stamp are on the press PDF's slug, above the trim
    const b = boxes(seed('-press.pdf'))[3]!;
    const above = { x: 0, y: 0, w: b.crop.x1 - b.crop.x0, h: b.crop.y1 - b.trim.y1 };
    const slug = squash(pageText(seed('-press.pdf'), 4, above));
    expect(slug).toMatch(/^urn:uuid:[0-9a-f-]{36}build[0-9a-f]{12}Folio\d/);
  });

  it('prints an internal publication’s 编印单位, 印刷, 印数, 准印证号, 内部资料 and 非卖品', () => {
    const text = imprint(two('.pdf'));
    for (const s of ['编印单位日喀则日报社', '地址西藏自治区日喀则市桑珠孜区', '印刷日喀则市某印刷厂', '印数2000册'])
      expect(text).toContain(s);
    expect(text).toContain('准印证号藏内资准字（2026）第018号');
    expect(text).toContain('内部资料免费交流');
    expect(text).toContain('非卖品');
    const back = squash(pageText(two('.pdf'), pageCount(two('.pdf'))));
    expect(back).toContain('准印证号：藏内资准字（2026）第018号');
    const backLines = pageText(two('.pdf'), pageCount(two('.pdf')), undefined, true);
    expect(backLines).toMatch(/内部资料\s+免费交流/);
  });

  it('feeds the same fields to the EPUB: dc:publisher, and the 版权信息 page', async () => {
    const zip = await JSZip.loadAsync(readFileSync(two('.epub')));
    const opf = await zip.file('OEBPS/content.opf')!.async('string');
    expect(opf).toContain('<dc:publisher>日喀则日报社</dc:publisher>');
    const all = await Promise.all(
      Object.keys(zip.files)
        .filter((f) => f.endsWith('.xhtml'))
        .map((f) => zip.file(f)!.async('string')),
    );
    const copyright = all.find((x) => x.includes('epub:type="copyright-page"'))!;
    expect(copyright).toContain('藏内资准字（2026）第018号');
    expect(copyright).toContain('2026年11月第1版');
    expect(copyright).not.toMatch(/\.pdf，\d+ 页/);
  });

  it('keeps the safe area on the cover: the publisher line is inside it', () => {
    const report = JSON.parse(readFileSync(path.join(twoOut, 'preflight.json'), 'utf8'));
    expect(report.findings.filter((f: { ruleId: string }) => f.ruleId === 'preflight-safe-area')).toEqual([]);
  });
});

describe('the page plan that runs chapters on', () => {
  it('runs chapters on when that plan is chosen: the count planned, no blank before a chapter', () => {
    // two one-line chapters: on right-hand pages they would take 10 pages, run on 8 (Paged.js ignored the
    // run-on rule while it sat on <body> and the right-hand rule still matched: 10 pages, plan-mismatch)
    const dir = mkdtempSync(path.join(tmpdir(), 'folio-runon-'));
    writeFileSync(path.join(dir, '01.md'), '# 第一章\n\n正文一段。\n');
    writeFileSync(path.join(dir, '02.md'), '# 第二章\n\n正文二段。\n');
    writeFileSync(
      path.join(dir, 'book.yaml'),
      'title: 测试\nauthors: [甲]\nlanguage: zh-CN\ndate: 2026-01-02\nslug: t\nchapters: [01.md, 02.md]\n',
    );
    const out = `${dir}-out`;
    const r = folio(['build', '--manuscript', dir, '--out', out, '--target', 'booklet', '--no-check']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/page plan {2}8 pages = 2 sheets, contents, chapters on the next page;/);
    expect(r.stderr).not.toMatch(/plan-mismatch/);
    const file = path.join(out, 't.pdf');
    expect(pageCount(file)).toBe(8);
    // contents numbers are the pages the chapters open on: 6 and 7, one after the other
    const toc = pageText(file, 5, undefined, true);
    expect([...toc.matchAll(/^\s*(\S.*?)\s{2,}(\d+)\s*$/gm)].map((m) => [squash(m[1]!), Number(m[2])])).toEqual([
      ['第一章', 6],
      ['第二章', 7],
    ]);
    expect(squash(pageText(file, 6))).toContain('第一章');
    expect(squash(pageText(file, 7))).toContain('第二章');
  });
});
