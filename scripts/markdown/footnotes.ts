import type { MarkdownIt, Renderer, Token } from 'markdown-it';
import footnote from 'markdown-it-footnote';

/** Marks a call never follows: the call goes after the character before them (`补。”[^2]` → `补[^2]。”`). */
const TRAILING_PUNCTUATION = /[，。、；：？！…—”’）》」』〕】〉·,.;:?!)]+$/u;

/** Render-time settings: `print` sets each note at its call (Paged.js moves it to the page foot). */
export interface FootnoteEnv {
  docId?: string;
  print?: boolean;
  /** Footnote id → its text rendered inline (filled by {@link footnoteBodies}). */
  footnoteBodies?: Map<number, string>;
}

/**
 * markdown-it-footnote with Folio's rendering: the call is the note's number (`[1]` in the EPUB, a
 * superscript number in print), placed before trailing punctuation; no `↩` back-link text (the EPUB
 * gets a numbered back-link instead, see scripts/epub/content.ts); in print each note is a
 * `<span class="footnote">` at its call, which the stylesheet floats to the foot of the page.
 */
export function footnotesPlugin(md: MarkdownIt): void {
  md.use(footnote);
  md.core.ruler.after('inline', 'folio_footnote_punctuation', (state) => {
    for (const block of state.tokens) if (block.type === 'inline' && block.children) moveCalls(block.children, state);
  });
  const rules = md.renderer.rules;
  rules.footnote_ref = (tokens, idx, _o, rawEnv) => {
    const env = (rawEnv ?? {}) as FootnoteEnv;
    const { id, subId } = tokens[idx]!.meta as { id: number; subId: number };
    const n = id + 1;
    const base = `${env.docId ? `-${env.docId}-` : ''}${n}`;
    if (env.print) {
      if (subId > 0) return `<sup class="fn-again">${n}</sup>`;
      return `<span class="footnote fn-${n}" data-n="${n}">${env.footnoteBodies?.get(id) ?? ''}</span>`;
    }
    const refId = subId > 0 ? `fnref${base}-${subId + 1}` : `fnref${base}`;
    return `<sup class="footnote-ref"><a href="#fn${base}" id="${refId}">[${n}]</a></sup>`;
  };
  rules.footnote_anchor = () => '';
  const open = rules.footnote_open!;
  rules.footnote_open = (tokens, idx, options, env, self) =>
    open(tokens, idx, options, env, self).replace(
      '<li ',
      `<li data-n="${(tokens[idx]!.meta as { id: number }).id + 1}" `,
    );
}

function moveCalls(children: Token[], state: { Token: new (t: string, tag: string, n: -1 | 0 | 1) => Token }): void {
  for (let i = 1; i < children.length; i++) {
    const ref = children[i]!;
    const before = children[i - 1]!;
    if (ref.type !== 'footnote_ref' || before.type !== 'text') continue;
    const m = TRAILING_PUNCTUATION.exec(before.content);
    if (!m) continue;
    before.content = before.content.slice(0, m.index);
    const after = children[i + 1];
    if (after?.type === 'text') after.content = m[0] + after.content;
    else {
      const t = new state.Token('text', '', 0);
      t.content = m[0];
      children.splice(i + 1, 0, t);
    }
  }
  bindCalls(children, state);
  // a text token left empty by the move would trip later plugins (see md.ts)
  for (let i = children.length - 1; i >= 0; i--)
    if (children[i]!.type === 'text' && children[i]!.content === '') children.splice(i, 1);
}

/** Closing marks that may not start a line (the call must not be left before them at a line end). */
const LEADING_CLOSERS = /^[，。、；：？！…—”’）》」』〕】〉·,.;:?!)]+/u;

/**
 * The character before a call, the call and the closing marks after it stay on one line (a no-break
 * span, as the nobreak plugin does for —— and ……): a break before 。 is prohibited, and the browser does
 * not see the call and the mark as one unit once the note has gone to the foot of the page.
 */
function bindCalls(children: Token[], state: { Token: new (t: string, tag: string, n: -1 | 0 | 1) => Token }): void {
  const text = (content: string) => Object.assign(new state.Token('text', '', 0), { content });
  for (let i = 0; i < children.length; i++) {
    if (children[i]!.type !== 'footnote_ref') continue;
    const before = children[i - 1];
    const after = children[i + 1];
    const closers = after?.type === 'text' ? (LEADING_CLOSERS.exec(after.content)?.[0] ?? '') : '';
    const last = before?.type === 'text' ? ([...before.content].at(-1) ?? '') : '';
    if (!closers && !last) continue;
    const group: Token[] = [new state.Token('nobreak_open', 'span', 1)];
    if (last) {
      before!.content = before!.content.slice(0, before!.content.length - last.length);
      group.push(text(last));
    }
    group.push(children[i]!);
    if (closers) {
      after!.content = after!.content.slice(closers.length);
      group.push(text(closers));
    }
    group.push(new state.Token('nobreak_close', 'span', -1));
    children.splice(i, 1, ...group);
    i += group.length - 1;
  }
}

/** Each note's paragraphs rendered inline, for print, where a note sits at its call. */
export function footnoteBodies(
  tokens: Token[],
  renderer: Renderer,
  options: Parameters<Renderer['renderInline']>[1],
  env: Record<string, unknown>,
): Map<number, string> {
  const bodies = new Map<number, string[]>();
  let current: number | undefined;
  for (const t of tokens) {
    if (t.type === 'footnote_open') current = (t.meta as { id: number }).id;
    else if (t.type === 'footnote_close') current = undefined;
    else if (current !== undefined && t.type === 'inline' && t.children) {
      const list = bodies.get(current) ?? [];
      list.push(renderer.renderInline(t.children, options, env));
      bodies.set(current, list);
    }
  }
  return new Map([...bodies].map(([id, parts]) => [id, parts.join(' ')]));
}

/** The tokens before the footnote block: what print renders (the notes are set at their calls). */
export function withoutFootnoteBlock(tokens: Token[]): Token[] {
  const at = tokens.findIndex((t) => t.type === 'footnote_block_open');
  return at < 0 ? tokens : tokens.slice(0, at);
}
