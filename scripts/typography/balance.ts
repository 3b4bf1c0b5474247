/**
 * Runs in the page before Paged.js (page.evaluate): lays each chapter paragraph out at the text-block
 * width and, where its last line would hold a single character (孤字), tracks the paragraph by the
 * smallest letter-spacing (±0.01 … ±0.04 em, tighter first) that takes the character back or brings
 * a companion down. Line breaking inside a paragraph does not depend on where pages break, so this
 * holds after pagination. Self-contained: serialised into the browser.
 */
export async function balanceParagraphs(): Promise<{ checked: number; fixed: string[]; unfixed: string[] }> {
  const PUNCT = '、，。．：；！？”’）】》」』〕·～“‘（【《「『〔—…,.:;!?()[]　 ';
  const probe = document.createElement('style');
  probe.textContent = 'section.chapter { width: var(--text-width) !important; }';
  document.head.append(probe);
  const paragraphs = [...document.querySelectorAll<HTMLElement>('section.chapter p')].filter(
    (p) => !p.closest('figure'),
  );
  // first layout requests the unicode-range font slices; measure once they are in
  void document.body.offsetHeight;
  await document.fonts.ready;

  const range = document.createRange();
  const chars = (p: HTMLElement) => {
    const out: { node: Text; i: number; ch: string }[] = [];
    const w = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let t = w.nextNode() as Text | null; t; t = w.nextNode() as Text | null)
      for (let i = 0; i < t.data.length; i++) if (!/\s/.test(t.data[i]!)) out.push({ node: t, i, ch: t.data[i]! });
    return out;
  };
  const top = (c: { node: Text; i: number }) => {
    range.setStart(c.node, c.i);
    range.setEnd(c.node, c.i + 1);
    return range.getClientRects()[0]?.top ?? 0;
  };
  /** Letters (not punctuation) on the last line, or Infinity for a one-line paragraph. */
  const lastLineLetters = (list: ReturnType<typeof chars>) => {
    if (!list.length) return Infinity;
    const lastTop = top(list.at(-1)!);
    if (Math.abs(top(list[0]!) - lastTop) < 2) return Infinity;
    let letters = 0;
    for (let k = list.length - 1; k >= 0 && Math.abs(top(list[k]!) - lastTop) < 2; k--)
      if (!PUNCT.includes(list[k]!.ch)) letters++;
    return letters;
  };
  const fixed: string[] = [];
  const unfixed: string[] = [];
  for (const p of paragraphs) {
    const list = chars(p);
    if (lastLineLetters(list) > 1) continue;
    let ok = false;
    for (const v of [-0.01, -0.02, -0.03, 0.01, 0.02, -0.04, 0.03, 0.04]) {
      p.style.letterSpacing = `${v}em`;
      if (lastLineLetters(list) > 1) {
        ok = true;
        break;
      }
    }
    if (ok) fixed.push(`${p.dataset.src} ${p.style.letterSpacing}`);
    else {
      p.style.letterSpacing = '';
      unfixed.push(p.dataset.src ?? '');
    }
  }
  probe.remove();
  return { checked: paragraphs.length, fixed, unfixed };
}
