// A face's character map, kept in the cache so that a build neither loads fontkit nor reads the 10–15 MB
// font files before Chromium starts: the kept map must answer exactly as fontkit does, and a later
// process must really use the kept entry (a planted one changes its answer, a damaged one does not).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../scripts/cache/cache.js';
import { FACES, faceDigest, faceFile, readCmap } from '../scripts/fonts/faces.js';

const require = createRequire(import.meta.url);
const fontkit = require('@pdf-lib/fontkit') as typeof import('@pdf-lib/fontkit');

/** In a process of its own (the maps are remembered per process): does `face` draw `ch`? */
function coversIn(cache: string, face: string, ch: string): boolean {
  const code = `
    const { FACES, covers } = await import('./scripts/fonts/faces.ts');
    const f = FACES.find((x) => x.id === ${JSON.stringify(face)});
    process.stdout.write(JSON.stringify({ covers: covers(f, ${ch.codePointAt(0)}) }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, FOLIO_CACHE_DIR: cache },
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { covers: boolean }).covers;
}

const entry = (data: Buffer) => Buffer.concat([createHash('sha256').update(data).digest(), data]);

describe("a face's character map", () => {
  it.each(FACES.map((f) => [f.id, f] as const))(
    '%s: the ranges agree with fontkit on every BMP and plane-2 code point',
    (_, f) => {
      const font = fontkit.create(readFileSync(faceFile(f)));
      const ranges = readCmap(readFileSync(faceFile(f)));
      const inRanges = (cp: number) => {
        for (let i = 0; i < ranges.length; i += 2) if (cp >= ranges[i]! && cp <= ranges[i + 1]!) return true;
        return false;
      };
      const differ: number[] = [];
      // every range boundary ±1, and a stride through the rest (a full scan of 128 Ki points a face is slow)
      const probes = new Set<number>();
      for (const v of ranges) for (const d of [-1, 0, 1]) probes.add(v + d);
      for (let cp = 0; cp < 0x30000; cp += 7) probes.add(cp);
      for (const cp of probes) if (cp >= 0 && font.hasGlyphForCodePoint(cp) !== inRanges(cp)) differ.push(cp);
      expect(differ).toEqual([]);
      expect(ranges.length).toBeGreaterThan(2);
    },
  );

  it('the digest is the SHA-256 of the face file', () => {
    const f = FACES[0]!;
    expect(faceDigest(f).toString('hex')).toBe(
      createHash('sha256')
        .update(readFileSync(faceFile(f)))
        .digest('hex'),
    );
  });

  it('is kept in the cache, and a later build answers from the kept entry', () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'folio-cmap-'));
    expect(coversIn(cache, 'serif-regular', '缘')).toBe(true);
    const kept = readdirSync(path.join(cache, 'face-cmaps'), { recursive: true }).filter((n) => String(n).length > 3);
    expect(kept).toHaveLength(1);
    expect(
      readdirSync(path.join(cache, 'face-digests'), { recursive: true }).filter((n) => String(n).length > 3),
    ).toHaveLength(1);

    // plant a map that draws only "A": the next process believes it (so it does not read the font)
    const f = FACES.find((x) => x.id === 'serif-regular')!;
    const pkg = require('@pdf-lib/fontkit/package.json') as { version: string };
    const key = cacheKey('folio-cmap-1', `@pdf-lib/fontkit@${pkg.version}`, faceDigest(f));
    const file = path.join(cache, 'face-cmaps', key.slice(0, 2), key);
    const onlyA = Buffer.alloc(8);
    onlyA.writeUInt32LE(0x41, 0);
    onlyA.writeUInt32LE(0x41, 4);
    writeFileSync(file, entry(onlyA));
    expect(coversIn(cache, 'serif-regular', '缘')).toBe(false);
    expect(coversIn(cache, 'serif-regular', 'A')).toBe(true);

    // a damaged entry (its hash no longer matches) is a miss: the font is read again, and the entry rewritten
    const damaged = entry(onlyA);
    damaged[35] = damaged[35] === 0x41 ? 0x42 : 0x41; // a byte of the map, not of its hash
    writeFileSync(file, damaged);
    expect(coversIn(cache, 'serif-regular', '缘')).toBe(true);
    expect(readFileSync(file).byteLength).toBeGreaterThan(1000);
  });

  it('FOLIO_CACHE=off reads the font and keeps nothing', () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'folio-cmap-off-'));
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "const { FACES, covers } = await import('./scripts/fonts/faces.ts');" +
          'process.stdout.write(String(covers(FACES[0], 0x7f18)));',
      ],
      { env: { ...process.env, FOLIO_CACHE_DIR: cache, FOLIO_CACHE: 'off' }, encoding: 'utf8' },
    );
    expect(out).toBe('true');
    expect(readdirSync(cache)).toEqual([]);
  });
});
