import { defineConfig } from 'vitest/config';

/** Test files that only read the seed's outputs: the seed is built once for them (tests/global-setup.ts). */
const SEED_READERS = [
  'tests/booklet.e2e.test.ts',
  'tests/epub.e2e.test.ts',
  'tests/epub-reader.e2e.test.ts',
  'tests/press.e2e.test.ts',
  'tests/pdfx-images.e2e.test.ts',
  'tests/preview.e2e.test.ts',
];

export default defineConfig({
  test: {
    // Browser tests build real PDFs with the real Chromium; two cores, so run files one at a time.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 300_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: ['tests/**/*.e2e.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['tests/**/*.e2e.test.ts'], exclude: SEED_READERS } },
      { extends: true, test: { name: 'seed', include: SEED_READERS, globalSetup: ['tests/global-setup.ts'] } },
    ],
  },
});
