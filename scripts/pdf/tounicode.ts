import { decodePDFRawStream, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';

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
  const maps = new Map<PDFRef, Map<number, string>>();
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict) || obj.get(PDFName.of('Type')) !== PDFName.of('Font')) continue;
    const ref = obj.get(PDFName.of('ToUnicode'));
    const stream = ref instanceof PDFRef ? doc.context.lookup(ref) : undefined;
    if (ref instanceof PDFRef && stream instanceof PDFRawStream)
      maps.set(ref, parseCMap(Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1')));
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

/** Gives each font of Ghostscript's output the source CMap that agrees with its single-character entries. */
export function restoreToUnicode(out: PDFDocument, sources: Map<number, string>[]): number {
  let restored = 0;
  for (const [ref, have] of toUnicodeMaps(out)) {
    const singles = [...have].filter(([, d]) => d.length === 4);
    if (!singles.length) continue;
    const fits = sources.filter(
      (src) => [...have.keys()].every((c) => src.has(c)) && singles.every(([c, d]) => src.get(c) === d),
    );
    if (!fits.length) continue;
    const want = new Map([...have.keys()].map((c) => [c, fits[0]!.get(c)!] as const));
    // two candidate sources that disagree on a code of this font: leave it as Ghostscript wrote it
    if (fits.some((f) => [...have.keys()].some((c) => f.get(c) !== want.get(c)))) continue;
    if ([...want].every(([c, d]) => have.get(c) === d)) continue;
    out.context.assign(ref, out.context.flateStream(writeCMap(want)));
    restored++;
  }
  return restored;
}
