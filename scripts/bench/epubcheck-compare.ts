/**
 * `node --import tsx scripts/bench/epubcheck-compare.ts <book.epub>`: the EPUB and deliberately broken
 * copies of it, each through the real epubcheck (Java) and through @likecoin/epubcheck-ts; prints both
 * verdicts (errors / warnings) and the times, for docs/performance.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { fastEpubcheck } from '../check/epubcheck.js';

type Edit = (zip: JSZip) => Promise<void>;
const edit =
  (name: string, f: (s: string) => string): Edit =>
  async (zip) => {
    zip.file(name, f(await zip.file(name)!.async('string')));
  };
const CASES: [string, Edit][] = [
  ['as built', async () => {}],
  ['manifest item missing from the zip', async (z) => void z.remove('OEBPS/images/01-lake.png')],
  ['file in the zip not in the manifest', async (z) => void z.file('OEBPS/extra.xhtml', '<p/>')],
  ['bad XHTML (unclosed element)', edit('OEBPS/ch1.xhtml', (s) => s.replace('</p>', ''))],
  [
    'undeclared script (no scripted)',
    edit('OEBPS/ch1.xhtml', (s) => s.replace('</head>', '<script>1</script></head>')),
  ],
  [
    'undeclared remote resource',
    edit('OEBPS/ch1.xhtml', (s) =>
      s
        .replace('<body', '<body><img src="https://example.com/a.png" alt=""/>')
        .replace(/<body([^>]*)><img([^>]*)\/>/, '<body$1><p><img$2/></p>'),
    ),
  ],
  ['nav without the toc nav', edit('OEBPS/toc.xhtml', (s) => s.replace('epub:type="toc" id="toc"', 'id="toc"'))],
  ['nav link to a missing file', edit('OEBPS/toc.xhtml', (s) => s.replace('ch1.xhtml#ch1-s1', 'ch9.xhtml#ch1-s1'))],
  [
    'broken link inside a chapter',
    edit('OEBPS/ch1.xhtml', (s) =>
      s
        .replace('<body', '<body><a href="nowhere.xhtml">x</a>')
        .replace(/<body([^>]*)><a([^>]*)>x<\/a>/, '<body$1><p><a$2>x</a></p>'),
    ),
  ],
  ['duplicate id', edit('OEBPS/ch1.xhtml', (s) => s.replace('id="ch1-s1"', 'id="ch1-title"'))],
  ['wrong media-type in the manifest', edit('OEBPS/content.opf', (s) => s.replace('image/png', 'image/jpeg'))],
  ['mimetype not first / wrong', async (z) => void z.file('mimetype', 'application/zip')],
];

const dir = mkdtempSync(path.join(tmpdir(), 'epubcheck-compare-'));
const source = readFileSync(process.argv[2]!);
console.log('case | epubcheck 4.2.6 (Java) | epubcheck-ts | ms Java | ms ts');
for (const [name, change] of CASES) {
  const zip = await JSZip.loadAsync(source);
  await change(zip);
  const file = path.join(dir, 'book.epub');
  // the mimetype stays first and stored (not compressed), as the packer writes it
  zip.file('mimetype', await zip.file('mimetype')!.async('string'), { compression: 'STORE' });
  const data = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  writeFileSync(file, data);
  let t = performance.now();
  const r = spawnSync('java', ['-jar', '/usr/share/java/epubcheck.jar', file], { encoding: 'utf8' });
  const javaMs = performance.now() - t;
  const m = /Messages: (\d+) fatals? \/ (\d+) errors? \/ (\d+) warnings?/.exec(`${r.stdout}${r.stderr}`);
  const java = m ? `${Number(m[1]) + Number(m[2])} E / ${m[3]} W` : 'no summary';
  const ids = [...`${r.stdout}${r.stderr}`.matchAll(/(?:ERROR|FATAL|WARNING)\(([A-Z]+-\d+)\)/g)].map((x) => x[1]);
  t = performance.now();
  const ts = await fastEpubcheck(data);
  const tsMs = performance.now() - t;
  const tsIds = ts.messages.map((x) => x.id);
  const javaCol = `${java} ${[...new Set(ids)].join(',')}`;
  const tsCol = `${ts.errors} E / ${ts.warnings} W ${[...new Set(tsIds)].join(',')}`;
  console.log(`${name} | ${javaCol} | ${tsCol} | ${javaMs.toFixed(0)} | ${tsMs.toFixed(0)}`);
}
rmSync(dir, { recursive: true, force: true });
