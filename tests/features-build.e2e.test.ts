// The features fixture (two chapters: code in a heading, a kicker written after the title, footnotes, emphasis)
// through the command users run: every target and the build's own check, as a newcomer's book would go.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folio } from './helpers/fixture.js';
import { pageCount, pageText, squash } from './helpers/pdf.js';

const FEATURES = 'tests/fixtures/manuscripts/features';

describe('the features fixture, default build', () => {
  it(
    'builds every target and passes its check: code in a coloured heading at the heading size (one-ink ' +
      'rule), the kicker above the title in print',
    () => {
      const out = mkdtempSync(path.join(tmpdir(), 'folio-features-'));
      const r = folio(['build', '--manuscript', FEATURES, '--out', out]);
      // before: preflight-small-type-inks (11.7 pt `ping` in the accent colour), then fidelity-order (the kicker
      // written after 02-network.md's title is set above it by the opener)
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/check passed/);
      const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
        outputs: { target: string; file: string }[];
      };
      expect(manifest.outputs.map((o) => o.target).sort()).toEqual([
        'booklet',
        'epub',
        'imposed',
        'press',
        'press-pdfx',
      ]);
      const pdf = path.join(out, manifest.outputs.find((o) => o.target === 'booklet')!.file);
      const pages = [...Array(pageCount(pdf)).keys()].map((i) => squash(pageText(pdf, i + 1)));
      // the chapter's opening page: the one with the kicker (the contents page has the title only)
      const opening = pages.filter((t) => t.includes('一位网络管理员的冬天'));
      expect(opening).toHaveLength(1);
      const [kicker, title] = ['一位网络管理员的冬天', '机房里的'].map((s) => opening[0]!.indexOf(s));
      expect(title).toBeGreaterThan(kicker!);
    },
  );
});
