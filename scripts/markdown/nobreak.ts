import type { MarkdownIt, Token } from 'markdown-it';

/**
 * The stricter 避头尾 level: `——` and `……` never start a line. Each is bound to the character before it
 * with a no-break span (`.nobr`, white-space: nowrap); the text itself is unchanged.
 * `天使之心——日喀则` → `天使之<span class="nobr">心——</span>日喀则`
 */
export function nobreakPlugin(md: MarkdownIt): void {
  const PAIR = /([^\s—…])(——|……)/gu;
  md.core.ruler.push('folio_nobreak', (state) => {
    for (const block of state.tokens) {
      if (block.type !== 'inline' || !block.children) continue;
      const out: Token[] = [];
      for (const t of block.children) {
        if (t.type !== 'text' || !PAIR.test(t.content)) {
          out.push(t);
          continue;
        }
        PAIR.lastIndex = 0;
        let last = 0;
        for (const m of t.content.matchAll(PAIR)) {
          const at = m.index!;
          if (at > last) out.push(text(state, t.content.slice(last, at)));
          out.push(new state.Token('nobreak_open', 'span', 1));
          out.push(text(state, m[0]));
          out.push(new state.Token('nobreak_close', 'span', -1));
          last = at + m[0].length;
        }
        if (last < t.content.length) out.push(text(state, t.content.slice(last)));
      }
      block.children = out;
    }
  });
  md.renderer.rules.nobreak_open = () => '<span class="nobr">';
  md.renderer.rules.nobreak_close = () => '</span>';
}

function text(state: { Token: new (type: string, tag: string, nesting: -1 | 0 | 1) => Token }, content: string): Token {
  const t = new state.Token('text', '', 0);
  t.content = content;
  return t;
}
