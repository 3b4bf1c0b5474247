/**
 * The parts of a Markdown source that are prose. Code, URLs, link targets, HTML tags, attribute
 * blocks, container fences, footnote labels and table rules are masked, so text rules never touch them.
 */
export function proseMask(text: string): Uint8Array {
  const mask = new Uint8Array(text.length); // 1 = not prose
  const hide = (from: number, to: number) => mask.fill(1, from, to);
  const each = (re: RegExp, group = 0) => {
    for (const m of text.matchAll(re)) {
      const start = m.index! + (group ? m[0].indexOf(m[group]!) : 0);
      hide(start, start + m[group]!.length);
    }
  };
  each(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm); // fenced code
  each(/`[^`\n]+`/g); // code spans
  each(/\]\([^)\n]*\)/g); // link and image targets (with titles: captions are checked through the model)
  each(/<[^>\n]+>/g); // HTML tags and autolinks
  each(/\{[#.][^}\n]*\}/g); // {#id .class} attribute blocks
  each(/^:::[^\n]*$/gm); // container fences
  each(/\[\^[^\]\n]+\]/g); // footnote labels
  each(/https?:\/\/\S+/g); // bare URLs
  each(/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/gm); // table rules
  each(/^\s*([-*_])(\s*\1){2,}\s*$/gm); // thematic breaks
  return mask;
}

/** The caption (image title) ranges inside image targets: prose after all. */
export function captionRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of text.matchAll(/!\[[^\]\n]*\]\([^)\s]+\s+"([^"\n]*)"\)/g)) {
    const start = m.index! + m[0].lastIndexOf(`"${m[1]}"`) + 1;
    out.push([start, start + m[1]!.length]);
  }
  return out;
}
