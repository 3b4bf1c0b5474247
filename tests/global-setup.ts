// Builds the seed manuscript once per test run, every target, for the test files that only read its outputs
// (the `seed` project in vitest.config.ts). The build's result is saved beside the outputs as result.json
// (what build() returned, minus the bytes that are in the files anyway); tests/helpers/seed.ts reads both.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    seedOut: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const out = mkdtempSync(path.join(tmpdir(), 'folio-seed-'));
  const { build } = await import('../scripts/build.js');
  const t0 = performance.now();
  const result = await build({ manuscript: 'manuscript', out });
  const { book: _book, pagination, ...rest } = result;
  const saved = { ...rest, pagination: pagination && { ...pagination, pdf: undefined, cover: undefined } };
  writeFileSync(path.join(out, 'result.json'), JSON.stringify(saved));
  process.stderr.write(`seed built once for this run in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${out}\n`);
  project.provide('seedOut', out);
  return () => rmSync(out, { recursive: true, force: true });
}
