// folio proof: the contact sheet, and the compare mode marking exactly the pages an edit changed.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../scripts/build.js';
import { makeProof } from '../scripts/proof/proof.js';
import { pageCount, pageText, squash } from './helpers/pdf.js';

describe('folio proof', () => {
  it(
    'renders every page at 150 dpi and a contact sheet ' + 'in spreads, and marks only the page an edit changed',
    async () => {
      const root = mkdtempSync(path.join(tmpdir(), 'folio-proof-'));
      const before = await build({ manuscript: 'manuscript', out: path.join(root, 'a'), targets: ['booklet'] });
      const dir = path.join(root, 'm');
      cpSync('manuscript', dir, { recursive: true });
      // one character for another of the same width: the text on that page changes, nothing reflows
      const file = path.join(dir, '01-feature.md');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          '组织800余名日喀则干部赴吉林学习锻炼',
          '组织800余名日喀则干部赴吉林学习交流',
        ),
      );
      const after = await build({ manuscript: dir, out: path.join(root, 'b'), targets: ['booklet'] });
      const a = path.join(root, 'a', before.outputs[0]!.file);
      const b = path.join(root, 'b', after.outputs[0]!.file);
      const edited = [...Array(pageCount(b)).keys()]
        .map((i) => i + 1)
        .filter((n) => squash(pageText(b, n)).includes('赴吉林学习交流'));
      expect(edited).toHaveLength(1);

      const proof = await makeProof(b, path.join(root, 'proof'), { against: a });
      expect(proof.pages).toBe(pageCount(b));
      expect(proof.pagePngs).toHaveLength(pageCount(b));
      const png = readFileSync(proof.pagePngs[0]!);
      expect(Math.abs(png.readUInt32BE(16) - (148 / 25.4) * 150)).toBeLessThan(2); // 874 px wide at 150 dpi
      expect(existsSync(proof.sheetPng)).toBe(true);
      expect(readFileSync(proof.sheetHtml, 'utf8')).toContain(
        `<figure class="changed"><img src="page-${String(edited[0]).padStart(2, '0')}.png"`,
      );
      // exactly the pages whose text differs — the edited page and nothing else (the 版权页 carries no build
      // stamp; the content hash is in the press files' slug line only)
      const differing = [...Array(pageCount(b)).keys()]
        .map((i) => i + 1)
        .filter((n) => pageText(a, n) !== pageText(b, n));
      expect(differing).toEqual(edited);
      expect(proof.changed).toEqual(differing);

      // and an identical build changes nothing
      const same = await makeProof(a, path.join(root, 'proof-same'), { against: a });
      expect(same.changed).toEqual([]);
    },
  );
});
