// Preflight that must fail: an image too coarse for print, and RGB in a file claiming to be PDF/X.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { cmyk, PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { build, layoutOf } from '../scripts/build.js';
import { FolioError } from '../scripts/diagnostics/diagnostic.js';
import { preflight } from '../scripts/preflight/preflight.js';
import { MM } from '../scripts/render/geometry.js';
import { pngChunk } from './helpers/alpha-png.js';
import { folio, previousOutputs } from './helpers/fixture.js';

/** A plain grey RGB PNG of the given size. */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x90)]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function manuscript(image: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'folio-pf-'));
  mkdirSync(path.join(dir, 'images'));
  writeFileSync(path.join(dir, 'images', 'photo.png'), image);
  writeFileSync(
    path.join(dir, 'book.yaml'),
    'title: 预检测试\nauthors: [测试者]\nlanguage: zh-CN\ndate: 2026-01-02\nslug: preflight-test\n',
  );
  writeFileSync(
    path.join(dir, '01.md'),
    '# 章\n\n正文一段。\n\n![粗糙的图](images/photo.png "分辨率太低的图。")\n\n正文二段。\n',
  );
  return dir;
}

describe('preflight failures', () => {
  it(
    'fails the build on an image under 150 ppi, names its page ' +
      'and manuscript line, writes no press file and no report into --out',
    async () => {
      const dir = manuscript(png(120, 80));
      const out = path.join(dir, '..', `${path.basename(dir)}-out`);
      let error: unknown;
      try {
        await build({ manuscript: dir, out, targets: ['press'] });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FolioError);
      const d = (error as FolioError).diagnostics.find((x) => x.ruleId === 'preflight-resolution')!;
      expect(`${path.basename(d.file)}:${d.line} ${d.severity}`).toBe('01.md:5 error');
      expect(d.message).toMatch(
        /preflight-test-press\.pdf page \d+: image photo\.png \(120 × 80 px\) is \d+ ppi at its placed size \(< 150\)/,
      );
      // --out is as it was (it did not exist: it still does not); the report is where the error says
      expect(existsSync(out)).toBe(false);
      const where = (error as FolioError).diagnostics.find((x) => x.ruleId === 'preflight-report')!;
      expect(where.severity).toBe('info');
      expect(path.relative(out, where.file).startsWith('..')).toBe(true);
      const report = JSON.parse(readFileSync(path.join(path.dirname(where.file), 'preflight.json'), 'utf8'));
      expect(report.summary.passed).toBe(false);
      expect(readFileSync(where.file, 'utf8')).toMatch(/photo\.png/);
    },
  );

  it('through the CLI: --out holding an earlier build and report is left byte for byte as it was', () => {
    const dir = manuscript(png(120, 80));
    const out = previousOutputs();
    writeFileSync(path.join(out.dir, 'preflight.json'), '{"summary":{"passed":true}}\n');
    writeFileSync(path.join(out.dir, 'preflight.html'), '<p>earlier report</p>\n');
    const before = out.snapshot();
    const r = folio(['build', '--manuscript', dir, '--out', out.dir, '--target', 'press']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/01\.md:5:\d+ error .*image photo\.png \(120 × 80 px\) .* preflight-resolution/);
    const m = /^(\S+preflight\.html):0:0 info This build's preflight report .* preflight-report\n {2}hint: /m.exec(
      r.stderr,
    );
    expect(m, r.stderr).not.toBeNull();
    expect(path.relative(out.dir, m![1]!).startsWith('..')).toBe(true);
    expect(readFileSync(m![1]!, 'utf8')).toMatch(/photo\.png/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(out.snapshot()).toEqual(before);
    expect(readdirSync(out.dir).sort()).toEqual(['manifest.json', 'preflight.html', 'preflight.json', 't.pdf']);
  });

  it("a cover image under 150 ppi is blamed on book.yaml's cover: line, not on the PDF's image 0", () => {
    const dir = manuscript(png(1500, 1000));
    writeFileSync(path.join(dir, 'images', 'cover.png'), png(120, 170));
    const yaml = readFileSync(path.join(dir, 'book.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'book.yaml'), `${yaml}# the cover\ncover:   images/cover.png\n`);
    const line = yaml.split('\n').length + 1; // after the comment line; the value at column 10
    const r = folio(['build', '--manuscript', dir, '--out', `${dir}-out`, '--target', 'press']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `book\\.yaml:${line}:10 error \\S+press\\.pdf page 1: image cover\\.png \\(120 × 170 px\\) is \\d+ ppi`,
      ),
    );
    expect(r.stderr).not.toMatch(/image 0 /);
  });

  it('warns on an image between 150 and 300 ppi', async () => {
    const dir = manuscript(png(800, 533));
    const out = path.join(dir, '..', `${path.basename(dir)}-out`);
    const r = await build({ manuscript: dir, out, targets: ['press'] });
    const w = r.preflight!.findings.filter((x) => x.ruleId === 'preflight-resolution');
    expect(w.map((x) => x.severity)).toEqual(['warning']);
    expect(r.preflight!.summary.passed).toBe(true);
  });

  it('reports RGB as an error in a PDF/X file', async () => {
    const dir = manuscript(png(1500, 1000));
    const out = path.join(dir, '..', `${path.basename(dir)}-out`);
    const r = await build({ manuscript: dir, out, targets: ['press'] });
    // the press PDF is RGB (Chromium's output): presented as PDF/X it must fail
    const report = await preflight(
      [{ target: 'press-pdfx', path: path.join(out, 'preflight-test-press.pdf'), file: 'x.pdf' }],
      layoutOf(r.book, r.pagination!),
    );
    const rules = report.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId);
    expect(rules).toContain('preflight-rgb');
    expect(rules).toContain('preflight-pdfx');
    expect(rules).toContain('preflight-output-intent');
  });
});

/**
 * One page, MediaBox 425 pt square, BleedBox 28 pt and TrimBox 37 pt inside it; a 260 % patch, and a
 * 400 % mark outside the bleed.
 */
async function inkPdf(crop?: [number, number, number, number]): Promise<string> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([425, 425]);
  page.setBleedBox(28, 28, 369, 369);
  page.setTrimBox(37, 37, 351, 351);
  if (crop) page.setCropBox(...crop);
  page.drawRectangle({ x: 100, y: 100, width: 100, height: 100, color: cmyk(1, 1, 0.6, 0) });
  page.drawRectangle({ x: 250, y: 250, width: 60, height: 60, color: cmyk(0.4, 0.3, 0.3, 0.2) });
  page.drawRectangle({ x: 2, y: 2, width: 20, height: 20, color: cmyk(1, 1, 1, 1) }); // registration, outside the bleed
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'folio-ink-test-')), 'ink.pdf');
  writeFileSync(file, await doc.save());
  return file;
}

describe('total area coverage (the ink render)', () => {
  const layout = (maxInk?: number) => ({
    trim: { width: 314 / MM, height: 314 / MM },
    bleed: 3,
    safe: 5,
    pages: 1,
    figures: [],
    ...(maxInk ? { maxInk } : {}),
  });
  const inkErrors = async (file: string, maxInk?: number) =>
    (await preflight([{ target: 'press-pdfx', path: file, file: 'ink.pdf' }], layout(maxInk))).findings.filter(
      (f) => f.ruleId === 'preflight-ink-limit',
    );

  it('finds a 260 % patch above press.maxInk, placed from the trim; marks outside the bleed never count', async () => {
    const file = await inkPdf();
    const [e, ...more] = await inkErrors(file, 250);
    expect(more).toEqual([]);
    expect(e!.severity).toBe('error');
    // the patch's top-left: (100 − 37) / MM = 22.2 mm from the trim's left, (388 − 200) / MM = 66.3 mm from its top
    const m = /total ink (\d+) % at (\d+) mm, (\d+) mm/.exec(e!.message)!;
    expect(Number(m[1])).toBeGreaterThanOrEqual(257);
    expect(Number(m[1])).toBeLessThanOrEqual(261);
    expect(Math.abs(Number(m[2]) - 22.2)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(Number(m[3]) - 66.3)).toBeLessThanOrEqual(1.5);
    // the default limit (300 %) lets it pass; the 400 % registration square outside the bleed never counts
    expect(await inkErrors(file)).toEqual([]);
  });

  it('measures in the page as drawn when the CropBox is smaller than the MediaBox', async () => {
    const [e] = await inkErrors(await inkPdf([20, 20, 385, 385]), 250);
    const m = /total ink (\d+) % at (\d+) mm, (\d+) mm/.exec(e!.message)!;
    expect(Math.abs(Number(m[2]) - 22.2)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(Number(m[3]) - 66.3)).toBeLessThanOrEqual(1.5);
  });
});
