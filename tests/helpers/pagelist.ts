import { computeGeometry } from '../../scripts/render/geometry.js';
import type { EpubFile } from './epub.js';
import { xhtmlText } from './epub.js';
import { pageText, squash } from './pdf.js';

/**
 * For every page-list entry pointing into a chapter: the text right after the marker in the EPUB must be
 * the text the booklet's page begins with. Returns one line per mismatch (empty = all agree).
 */
export async function pageListMismatches(
  epub: EpubFile,
  pdf: string,
  trim = { width: 148, height: 210 },
): Promise<{ checked: number; midParagraph: number; problems: string[] }> {
  const nav = await epub.text('OEBPS/toc.xhtml');
  const list = [...nav.matchAll(/<li><a href="(ch[^"#]+)#(page-(\d+))">(\d+)<\/a><\/li>/g)].map((m) => ({
    file: m[1]!,
    id: m[2]!,
    n: Number(m[4]),
  }));
  const g = computeGeometry(trim);
  const problems: string[] = [];
  let midParagraph = 0;
  for (const p of list) {
    const xhtml = await epub.text(`OEBPS/${p.file}`);
    const at = xhtml.indexOf(`id="${p.id}"`);
    if (at < 0) {
      problems.push(`${p.id}: no marker in ${p.file}`);
      continue;
    }
    const tag = xhtml.lastIndexOf('<', at);
    const before = xhtml.slice(Math.max(0, tag - 4), tag);
    if (!/>\s*$/.test(before)) midParagraph++; // the marker splits running text
    // eight characters pin the position; further on, list numbers drawn only in print may differ
    const after = squash(xhtmlText(xhtml.slice(tag))).slice(0, 8);
    const side = p.n % 2 ? g.inner : g.outer;
    const printed = squash(
      pageText(pdf, p.n, { x: side - 2, y: g.top - 2, w: g.chars * g.em + 4, h: g.lines * g.line + 4 }),
    ).replace(/^▲/, '');
    if (!printed.startsWith(after))
      problems.push(`booklet p. ${p.n} starts "${printed.slice(0, 12)}", EPUB ${p.id} precedes "${after}"`);
  }
  return { checked: list.length, midParagraph, problems };
}
