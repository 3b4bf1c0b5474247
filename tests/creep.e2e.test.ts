// Saddle-stitch creep: inner sheets' pages move towards the spine by creep × sheet index.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../scripts/build.js';
import { MM } from '../scripts/render/geometry.js';
import { execFileSync } from 'node:child_process';

/** x of the leftmost word on each half of an imposed sheet side. */
function leftEdges(pdf: string, side: number): [number, number] {
  const html = execFileSync('pdftotext', ['-bbox', '-f', String(side), '-l', String(side), pdf, '-'], {
    encoding: 'utf8',
  });
  const words = [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)"/g)]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]) }))
    .filter((w) => w.y > 60 && w.y < 600);
  const mid = Math.max(...words.map((w) => w.x)) / 2 + 20;
  const left = words.filter((w) => w.x < mid).map((w) => w.x);
  const right = words.filter((w) => w.x >= mid).map((w) => w.x);
  return [Math.min(...left), Math.min(...right)];
}

describe('imposition creep', () => {
  it('moves the pages of the innermost sheet towards the spine by creep × (sheets − 1)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'folio-creep-'));
    const dir = path.join(root, 'm');
    cpSync('manuscript', dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'book.yaml'),
      `${readFileSync(path.join(dir, 'book.yaml'), 'utf8')}press: {bleed: 3, safe: 5, creep: 0.5}\n`,
    );
    const plain = await build({ manuscript: 'manuscript', out: path.join(root, 'a'), targets: ['imposed'] });
    const crept = await build({ manuscript: dir, out: path.join(root, 'b'), targets: ['imposed'] });
    const a = path.join(root, 'a', plain.outputs[0]!.file);
    const b = path.join(root, 'b', crept.outputs[0]!.file);
    // the last sheet's back is the centre spread; sheet 1 front (side 1) is the outermost
    const sheets = crept.imposition!.sheets;
    expect(sheets).toBeGreaterThanOrEqual(3);
    const [al, ar] = leftEdges(a, 2 * sheets);
    const [bl, br] = leftEdges(b, 2 * sheets);
    expect(bl - al).toBeCloseTo((sheets - 1) * 0.5 * MM, 0); // the verso moves right, towards the spine
    expect(br - ar).toBeCloseTo(-(sheets - 1) * 0.5 * MM, 0); // the recto moves left
    const [cl] = leftEdges(a, 1);
    const [dl] = leftEdges(b, 1);
    expect(dl - cl).toBeCloseTo(0, 1); // the outermost sheet does not move
  });
});
