export interface TypoFinding {
  page: number;
  /** `file:line` of the block (data-src). */
  src: string;
  /** 1-based character offset in the block's text. */
  offset: number;
  severity: 'error' | 'warning';
  ruleId: string;
  message: string;
}

export interface TypoStats {
  pages: number;
  blocks: number;
  lines: number;
}

/**
 * Runs in the paginated page (page.evaluate): walks the line boxes of every text block with Range
 * client rects and returns what breaks Chinese layout rules (docs/typography.md).
 * Self-contained on purpose: it is serialised into the browser.
 * Over 60 lines on purpose (one of the three exceptions to max-lines-per-function): Puppeteer serialises
 * only this function into the page, so its helpers are nested inside it, and ESLint counts nested
 * functions in their parent.
 */
// eslint-disable-next-line max-lines-per-function -- serialised whole into the page (see above)
export function analyzeTypography(opts: { stretchEm: number }): { findings: TypoFinding[]; stats: TypoStats } {
  const NO_START = '、，。．：；！？”’）】》」』〕·～,.:;!?)]';
  const NO_END = '“‘（【《「『〔([';
  const PUNCT = `${NO_START}${NO_END}—…\u3000 `;
  const findings: TypoFinding[] = [];
  const stats: TypoStats = { pages: 0, blocks: 0, lines: 0 };
  const pages = [...document.querySelectorAll<HTMLElement>('.pagedjs_page')];
  stats.pages = pages.length;
  const seen = new Map<string, number>(); // data-ref → characters on earlier pages
  const canvas = document.createElement('canvas').getContext('2d')!;
  const widthCache = new Map<string, number>();
  const natural = (ch: string, font: string) => {
    const key = `${font}|${ch}`;
    let w = widthCache.get(key);
    if (w === undefined) {
      canvas.font = font;
      w = canvas.measureText(ch).width;
      widthCache.set(key, w);
    }
    return w;
  };
  type Char = { ch: string; x: number; r: number; y: number; h: number; font: string; size: number };
  type Line = Char[];

  const isLeafBlock = (el: HTMLElement) => !el.querySelector('[data-src]');
  // fragments of one element share data-ref; Paged.js marks later ones data-split-from (there is no split-to)
  const fragments = new Map<string, HTMLElement[]>();
  for (const el of document.querySelectorAll<HTMLElement>('.pagedjs_page [data-ref]')) {
    const list = fragments.get(el.dataset.ref!) ?? [];
    list.push(el);
    fragments.set(el.dataset.ref!, list);
  }

  for (const page of pages) {
    const n = Number(page.dataset.pageNumber);
    const area = page.querySelector<HTMLElement>('.pagedjs_page_content');
    if (!area) continue;
    const box = area.getBoundingClientRect();
    const blocks = [...area.querySelectorAll<HTMLElement>('[data-src]')].filter(isLeafBlock);
    const captions = [...area.querySelectorAll<HTMLElement>('figure[data-src] > figcaption')];
    const flowBlocks = [
      ...blocks.filter((b) => /^(P|LI|DD|DT|TD|TH)$/.test(b.tagName) || /^H[1-6]$/.test(b.tagName)),
      ...captions,
    ];
    for (const block of flowBlocks) {
      stats.blocks++;
      const ref = block.dataset.ref ?? block.parentElement?.dataset.ref ?? '';
      const before = seen.get(ref) ?? 0;
      const src = block.dataset.src ?? block.closest<HTMLElement>('[data-src]')?.dataset.src ?? '';
      const chars: Char[] = [];
      const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode() as Text | null; t; t = walker.nextNode() as Text | null) {
        const style = getComputedStyle(t.parentElement!);
        const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const size = parseFloat(style.fontSize);
        const range = document.createRange();
        for (let i = 0; i < t.data.length; i++) {
          const ch = t.data[i]!;
          if (/\s/.test(ch)) continue;
          range.setStart(t, i);
          range.setEnd(t, i + 1);
          const r = range.getClientRects()[0];
          if (!r || r.width === 0) continue;
          chars.push({ ch, x: r.left, r: r.right, y: r.top + r.height / 2, h: r.height, font, size });
        }
      }
      seen.set(ref, before + chars.length);
      if (!chars.length) continue;
      // lines: a new line starts where a character sits clearly lower than the previous one
      const lines: Line[] = [];
      for (const c of chars) {
        const last = lines.at(-1)?.at(-1);
        if (!last || c.y - last.y > Math.min(c.h, last.h) * 0.6) lines.push([c]);
        else lines.at(-1)!.push(c);
      }
      stats.lines += lines.length;
      const add = (severity: 'error' | 'warning', ruleId: string, message: string, offset: number) =>
        findings.push({ page: n, src, offset: before + offset + 1, severity, ruleId, message });
      let index = 0;
      const isHeading = /^H[1-6]$/.test(block.tagName);
      const frags = fragments.get(block.dataset.ref ?? '') ?? [block];
      const continues = frags.indexOf(block) < frags.length - 1;
      const continued = frags.indexOf(block) > 0;
      for (const [li, line] of lines.entries()) {
        const first = line[0]!;
        const lastC = line.at(-1)!;
        const text = line.map((c) => c.ch).join('');
        if ((li > 0 || continued) && NO_START.includes(first.ch))
          add('error', 'line-start-prohibited', `Line starts with "${first.ch}": ${text.slice(0, 12)}…`, index);
        if ((li < lines.length - 1 || continues) && NO_END.includes(lastC.ch))
          add(
            'error',
            'line-end-prohibited',
            `Line ends with "${lastC.ch}": …${text.slice(-12)}`,
            index + line.length - 1,
          );
        const next = lines[li + 1]?.[0];
        if (next && ((lastC.ch === '—' && next.ch === '—') || (lastC.ch === '…' && next.ch === '…')))
          add('error', 'dash-split', `"${lastC.ch}${next.ch}" split across lines`, index + line.length - 1);
        if (next && (next.ch === '—' || next.ch === '…') && lines[li + 1]![1]?.ch === next.ch)
          add('error', 'dash-line-start', `Line starts with "${next.ch}${next.ch}"`, index + line.length);
        if (lastC.r > box.right + 1 || first.x < box.left - 1)
          add(
            'error',
            'line-overflow',
            `Line overflows the text block by ${Math.max(lastC.r - box.right, box.left - first.x).toFixed(1)} px: ` +
              `${text.slice(0, 12)}…`,
            index,
          );
        // inter-character stretch of a justified line: advance beyond the glyphs' natural widths
        const isLast = li === lines.length - 1 && !continues;
        if (!isHeading && !isLast && line.length > 4) {
          const extra =
            line.slice(0, -1).reduce((s, c, k) => s + (line[k + 1]!.x - c.x - natural(c.ch, c.font)), 0) /
            (line.length - 1);
          if (extra > opts.stretchEm * first.size)
            add(
              'warning',
              'line-stretched',
              `Line stretched by ${(extra / first.size).toFixed(2)} em per character: ${text.slice(0, 12)}…`,
              index,
            );
        }
        index += line.length;
      }
      // 孤字: the paragraph's last line holds one character (punctuation does not count)
      const lastLine = lines.at(-1)!;
      if (!continues && !isHeading && block.tagName === 'P' && lines.length + (continued ? 1 : 0) > 1) {
        const letters = lastLine.filter((c) => !PUNCT.includes(c.ch)).length;
        if (letters <= 1)
          add(
            'warning',
            'orphan-character',
            `Last line holds a single character: "${lastLine.map((c) => c.ch).join('')}"`,
            index - lastLine.length,
          );
      }
      // widows and orphans across pages
      if (block.tagName === 'P') {
        if (continued && !continues && lines.length === 1)
          add('warning', 'widow', 'Page starts with the last line of a paragraph', 0);
        if (continues && !continued && lines.length === 1)
          add('warning', 'orphan', 'Page ends with the first line of a paragraph', 0);
      }
      // Latin glyphs drawing Chinese quotes: a font listed before the CJK face that has “”‘’ draws them
      // narrow and off-centre. Measure the quote with the whole stack and with the CJK face alone.
      for (const [k, c] of chars.entries()) {
        if (!'“”‘’'.includes(c.ch)) continue;
        const style = c.font.replace(/^(\S+ \S+ \S+) .*$/, '$1');
        const families = c.font.slice(style.length + 1);
        const cjk = families
          .split(',')
          .map((f) => f.trim())
          .find((f) => /\b(SC|TC|HK|JP|KR|CJK)\b|Han|Song|Hei|Kai|Ming|宋|黑|楷/i.test(f));
        if (!cjk || families.trim().startsWith(cjk)) continue;
        const whole = natural(c.ch, c.font);
        const alone = natural(c.ch, `${style} ${cjk}`);
        if (Math.abs(whole - alone) > 0.5)
          add(
            'error',
            'quote-latin-glyph',
            `"${c.ch}" is drawn by a font listed before ${cjk} ` +
              `(${(whole / c.size).toFixed(2)} em instead of ${(alone / c.size).toFixed(2)} em)`,
            k,
          );
      }
    }
    // a heading alone at the foot of a page
    const lastBlock = blocks.at(-1);
    if (lastBlock && /^H[1-6]$/.test(lastBlock.tagName) && page.nextElementSibling) {
      findings.push({
        page: n,
        src: lastBlock.dataset.src ?? '',
        offset: 1,
        severity: 'error',
        ruleId: 'heading-stranded',
        message: `Heading "${lastBlock.textContent?.trim().slice(0, 20)}" is the last thing on the page`,
      });
    }
    // a caption on another page than its image
    for (const cap of area.querySelectorAll<HTMLElement>('figcaption')) {
      const fig = cap.closest('figure');
      const img = fig?.querySelector('img');
      if (!img && fig?.hasAttribute('data-split-from')) {
        findings.push({
          page: n,
          src: fig.closest<HTMLElement>('[data-src]')?.dataset.src ?? '',
          offset: 1,
          severity: 'error',
          ruleId: 'caption-separated',
          message: 'Caption is on another page than its image',
        });
      }
    }
  }
  return { findings, stats };
}
