import { PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';
import { decodeStream } from './zlib.js';

/**
 * Ghostscript 10.00 garbles ToUnicode CMaps: it misreads `bfrange` entries (Chromium's
 * `<0009> <000B> <4E09>`, 三上下, came out as "O", "P", "Q") and writes a two-character destination
 * wrong (`<00E7> <20142014>`, the glyph of ——, came out as "—ᐔ"). The PDF/X printed the right glyphs
 * but its text read "把p限的资源用在刀刃P" for 把有限的资源用在刀刃上. So Folio hands Ghostscript CMaps
 * of single entries only (which it reads right) and, as it keeps the character codes, gives each
 * output font afterwards the source map (restricted to its codes) whose single characters agree.
 * A test compares the PDF/X's text with the press PDF's, page by page.
 */
export function toUnicodeMaps(doc: PDFDocument): Map<PDFRef, Map<number, string>> {
  return new Map([...toUnicodeFonts(doc)].map(([ref, f]) => [ref, f.map]));
}

/** Each ToUnicode CMap with its font's name less the subset tag (`AAAAAA+NotoSansSC-Bold` → `NotoSansSC-Bold`). */
export function toUnicodeFonts(doc: PDFDocument): Map<PDFRef, { font: string; map: Map<number, string> }> {
  const maps = new Map<PDFRef, { font: string; map: Map<number, string> }>();
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict) || obj.get(PDFName.of('Type')) !== PDFName.of('Font')) continue;
    const ref = obj.get(PDFName.of('ToUnicode'));
    const stream = ref instanceof PDFRef ? doc.context.lookup(ref) : undefined;
    const font =
      (obj.get(PDFName.of('BaseFont')) as PDFName | undefined)?.decodeText().replace(/^[A-Z]{6}\+/, '') ?? '';
    if (ref instanceof PDFRef && stream instanceof PDFRawStream)
      maps.set(ref, { font, map: parseCMap(Buffer.from(decodeStream(stream)).toString('latin1')) });
  }
  return maps;
}

/** Code → destination (UTF-16BE hex) of a ToUnicode CMap's bfchar and bfrange entries (PDF 32000 9.10.3). */
export function parseCMap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g))
      map.set(parseInt(m[1]!, 16), m[2]!.toUpperCase());
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])/g)) {
      const [lo, hi] = [parseInt(m[1]!, 16), parseInt(m[2]!, 16)];
      if (m[3]!.startsWith('[')) {
        const dsts = [...m[3]!.matchAll(/<([0-9A-Fa-f]+)>/g)].map((d) => d[1]!.toUpperCase());
        for (let c = lo; c <= hi && c - lo < dsts.length; c++) map.set(c, dsts[c - lo]!);
      } else {
        // the last byte of the destination counts up with the code
        const dst = m[3]!.slice(1, -1).toUpperCase();
        for (let c = lo; c <= hi; c++) map.set(c, dst.slice(0, -2) + hex(parseInt(dst.slice(-2), 16) + c - lo, 2));
      }
    }
  }
  return map;
}

/** A ToUnicode CMap of bfchar entries only, 100 to a block. */
export function writeCMap(map: Map<number, string>): string {
  const entries = [...map]
    .sort((a, b) => a[0] - b[0])
    .map(([c, d]) => `<${c.toString(16).toUpperCase().padStart(4, '0')}> <${d}>`);
  const blocks: string[] = [];
  for (let i = 0; i < entries.length; i += 100)
    blocks.push(`${entries.slice(i, i + 100).length} beginbfchar\n${entries.slice(i, i + 100).join('\n')}\nendbfchar`);
  return `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
${blocks.join('\n')}
endcmap
CMapName currentdict /CMap defineresource pop
end
end
`;
}

/**
 * Gives each font of Ghostscript's output its source CMap. A font whose name only one source font has
 * (one subset per face: NotoSerifSC-Regular …) takes that font's map, restricted to the codes the source
 * maps: Ghostscript also lists glyphs of the subset that no text uses, with garbled entries, and those are
 * dropped. Otherwise the source whose single-character entries agree with the font's is taken.
 */
export function restoreToUnicode(out: PDFDocument, sources: { font: string; map: Map<number, string> }[]): number {
  let restored = 0;
  for (const [ref, { font, map: have }] of toUnicodeFonts(out)) {
    const named = sources.filter((s) => s.font === font);
    if (font && named.length === 1) {
      const src = named[0]!.map;
      const want = new Map([...have.keys()].filter((c) => src.has(c)).map((c) => [c, src.get(c)!] as const));
      if (want.size === have.size && [...want].every(([c, d]) => have.get(c) === d)) continue;
      out.context.assign(ref, out.context.flateStream(writeCMap(want)));
      restored++;
      continue;
    }
    const maps = sources.map((s) => s.map);
    if (restoreBySingles(out, ref, have, maps)) restored++;
  }
  return restored;
}

/** The source CMap whose single-character entries agree with the font's (fonts that share a name). */
function restoreBySingles(out: PDFDocument, ref: PDFRef, have: Map<number, string>, sources: Map<number, string>[]) {
  const singles = [...have].filter(([, d]) => d.length === 4);
  if (!singles.length) return false;
  const fits = sources.filter(
    (src) => [...have.keys()].every((c) => src.has(c)) && singles.every(([c, d]) => src.get(c) === d),
  );
  if (!fits.length) return false;
  const want = new Map([...have.keys()].map((c) => [c, fits[0]!.get(c)!] as const));
  // two candidate sources that disagree on a code of this font: leave it as Ghostscript wrote it
  if (fits.some((f) => [...have.keys()].some((c) => f.get(c) !== want.get(c)))) return false;
  if ([...want].every(([c, d]) => have.get(c) === d)) return false;
  out.context.assign(ref, out.context.flateStream(writeCMap(want)));
  return true;
}
