// The seed build of this test run (tests/global-setup.ts): its output folder, what build() returned, and the
// document model (rebuilt here: pure and deterministic, the same book the build laid out).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import type { BuildResult } from '../../scripts/build.js';
import type { Target } from '../../scripts/targets.js';
import { loadManuscript } from '../../scripts/manuscript/load.js';
import { buildBook } from '../../scripts/model/book.js';

export type SeedResult = Omit<BuildResult, 'book'>;

export interface Seed {
  out: string;
  result: SeedResult & Pick<BuildResult, 'book'>;
  /** Absolute path of a target's output file. */
  file(target: Target): string;
}

export async function seedBuild(): Promise<Seed> {
  const out = inject('seedOut');
  const saved = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as SeedResult;
  const book = buildBook(await loadManuscript('manuscript'));
  const file = (target: Target) => {
    const entry = saved.outputs.find((o) => o.target === target);
    if (!entry) throw new Error(`the seed build made no ${target}`);
    return path.join(out, entry.file);
  };
  return { out, result: { ...saved, book }, file };
}
