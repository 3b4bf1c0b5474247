// Whole-pipeline property tests: fast-check makes manuscripts from a grammar of what authors write
// (tests/property/grammar.ts) and the real CLI builds every target of each. The property: exit 0 with folio
// check passed, no Type 3 and no unembedded font in any PDF, epubcheck 0 / 0, no prohibited line start or
// end. `npm test` runs a few with a fixed seed; `npm run fuzz` many (FOLIO_FUZZ_RUNS, FOLIO_FUZZ_SEED).
// A failure is shrunk by fast-check and the minimal manuscript written to tests/fixtures/property/, whose
// every folder is replayed here as a regression test.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epubcheck } from './helpers/epub.js';
import { folio } from './helpers/fixture.js';
import { fonts } from './helpers/pdf.js';
import { manuscriptArb } from './property/grammar.js';

const FOUND = 'tests/fixtures/property';
const RUNS = Number(process.env.FOLIO_FUZZ_RUNS ?? 2);
const SEED = Number(process.env.FOLIO_FUZZ_SEED ?? 20261201);
/** A build of a small manuscript takes ~20 s on the shared machine; shrinking may need a few dozen. */
const BUILD_S = 60;
const SHRINK_MS = Number(process.env.FOLIO_FUZZ_SHRINK_MIN ?? 15) * 60_000;

/** Everything wrong with the built manuscript in `dir` (empty: the property holds). */
function problems(dir: string): string[] {
  const out = mkdtempSync(path.join(tmpdir(), 'folio-prop-out-'));
  const build = folio(['build', '-m', dir, '-o', out]);
  if (build.status !== 0 || !/check passed/.test(build.stderr))
    return [`build exit ${build.status}: ${build.stderr.split('\n').slice(-30).join('\n')}`];
  const found: string[] = [];
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
    outputs: { target: string; file: string }[];
  };
  for (const o of manifest.outputs.filter((x) => x.file.endsWith('.pdf')))
    for (const f of fonts(path.join(out, o.file)))
      if (/Type 3/.test(f.type) || !f.embedded) found.push(`${o.target}: font ${f.name} ${f.type}`);
  const epub = epubcheck(path.join(out, manifest.outputs.find((o) => o.target === 'epub')!.file));
  if (epub.fatals + epub.errors + epub.warnings) found.push(`epubcheck:\n${epub.output}`);
  const typo = folio(['check', '--typography', '-m', dir, '-o', out, '--format', 'json']);
  const counts = (JSON.parse(typo.stdout) as { counts: Record<string, number> }).counts;
  for (const rule of ['line-start-prohibited', 'line-end-prohibited'])
    if (counts[rule]) found.push(`${rule}: ${counts[rule]}`);
  return found;
}

/** The manuscript as files in a fresh folder (with the one photo figures refer to). */
function write(files: Record<string, string>, dir = mkdtempSync(path.join(tmpdir(), 'folio-prop-'))): string {
  mkdirSync(path.join(dir, 'images'), { recursive: true });
  cpSync('manuscript/images/01-lake.png', path.join(dir, 'images', 'photo.png'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Keeps a (shrunk) failing manuscript as a fixture named by its content. */
function keep(files: Record<string, string>): string {
  const hash = createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 10);
  const dir = path.join(FOUND, `found-${hash}`);
  write(files, dir);
  return dir;
}

describe('whole-pipeline properties', () => {
  it(
    `${RUNS} generated manuscripts (seed ${SEED}) build right in every output`,
    () => {
      const result = fc.check(
        fc.property(manuscriptArb, (files) => {
          const found = problems(write(files));
          if (found.length) throw new Error(found.join('\n'));
        }),
        // shrinking rebuilds the book at every step: bounded in time, the smallest failure so far is kept
        { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: SHRINK_MS + RUNS * BUILD_S * 1000 },
      );
      if (result.failed || result.interrupted) {
        if (!result.counterexample)
          throw new Error(`interrupted before a failure:\n${fc.defaultReportMessage(result)}`);
        const dir = keep(result.counterexample![0]);
        throw new Error(`kept the shrunk manuscript in ${dir}\n${fc.defaultReportMessage(result)}`);
      }
    },
    SHRINK_MS + (RUNS + 2) * BUILD_S * 1000,
  );

  const kept = existsSync(FOUND) ? readdirSync(FOUND).sort() : [];
  it.each(kept)('kept failure %s builds right now', (name) => {
    expect(problems(path.join(FOUND, name))).toEqual([]);
  });
});
