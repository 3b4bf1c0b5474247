import type { MarkdownIt, Token } from 'markdown-it';
import type { Reporter } from '../diagnostics/diagnostic.js';
import { footnoteBodies, withoutFootnoteBlock } from '../markdown/footnotes.js';
import type { LinkMeta } from '../markdown/general.js';
import { attr } from '../markdown/token.js';

/**
 * A block's text as a reader meets it: the author's words, and where an output adds text of its own —
 * a footnote call, a page reference after an internal link, the address after an external link.
 * `folio check` turns these into what each output must show (scripts/check/fidelity.ts).
 */
export type Segment = string | { call: number } | { xref: string } | { url: string };

/** The plain text of segments (the author's words only). */
export const segmentText = (segments: Segment[]): string =>
  segments.map((s) => (typeof s === 'string' ? s : '')).join('');

/** Segments of an inline token: text and code as written, calls and link additions marked. */
export function inlineSegments(token: Token | undefined): Segment[] {
  if (!token?.children) return token?.content ? [token.content] : [];
  const out: Segment[] = [];
  const links: Token[] = [];
  for (const c of token.children) {
    if (c.type === 'text' || c.type === 'code_inline') out.push(c.content);
    else if (c.type === 'footnote_ref') out.push({ call: (c.meta as { id: number }).id + 1 });
    else if (c.type === 'link_open') links.push(c);
    else if (c.type === 'link_close') {
      const open = links.pop();
      const meta = (open?.meta ?? {}) as LinkMeta;
      if (meta.kind === 'internal') out.push({ xref: meta.target ?? '' });
      if (meta.kind === 'external') out.push({ url: attr(open!, 'href') ?? '' });
    }
  }
  return out;
}

/** A link in a chapter, found while walking its tokens. */
export interface LinkRef {
  token: Token;
  chapterId: string;
  file: string;
  line: number;
  column: number;
}

const EXTERNAL = /^(?:https?|ftp|mailto):/i;

/** Classifies a link as it is met: external (text ≠ address), bare (text = address) or internal (`#…`). */
export function classifyLink(children: Token[], i: number, ref: Omit<LinkRef, 'token'>, internal: LinkRef[]): void {
  const open = children[i]!;
  const href = attr(open, 'href') ?? '';
  if (href.startsWith('#')) {
    open.meta = { ...open.meta, kind: 'internal' } satisfies LinkMeta;
    internal.push({ token: open, ...ref });
    return;
  }
  if (!EXTERNAL.test(href)) return;
  let text = '';
  for (let k = i + 1; k < children.length && children[k]!.type !== 'link_close'; k++) text += children[k]!.content;
  const bare = text.replace(/^mailto:/, '') === href.replace(/^mailto:/, '');
  open.meta = { ...open.meta, kind: bare ? 'bare' : 'external' } satisfies LinkMeta;
}

/** Ids an author can link to in one chapter: `{#id}` on any block or span, and `<a id>` / `<span id>`. */
export function declaredIds(tokens: Token[]): string[] {
  const ids: string[] = [];
  const walk = (list: Token[]) => {
    for (const t of list) {
      const id = attr(t, 'id');
      if (id) ids.push(id);
      if (t.type === 'html_inline' || t.type === 'html_block')
        for (const m of t.content.matchAll(/<(?:a|span)\b[^>]*?\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi))
          ids.push(m[1] ?? m[2] ?? m[3]!);
      if (t.children) walk(t.children);
    }
  };
  walk(tokens);
  return ids;
}

/**
 * Internal links, resolved over the whole book: `#id` to an id anywhere, else `#标题` to a heading of
 * that text. Unknown targets are errors at the link.
 */
export function resolveLinks(
  links: LinkRef[],
  ids: Map<string, string>,
  headings: { id: string; text: string; chapterId: string }[],
  reporter: Reporter,
): void {
  const byText = new Map<string, { id: string; chapterId: string }>();
  for (const h of headings) if (!byText.has(h.text)) byText.set(h.text, h);
  for (const l of links) {
    const raw = (attr(l.token, 'href') ?? '').slice(1);
    let wanted = raw;
    try {
      wanted = decodeURIComponent(raw);
    } catch {
      // a stray % stays as written
    }
    const chapter = ids.get(wanted);
    const hit = chapter ? { id: wanted, chapterId: chapter } : byText.get(wanted);
    if (!hit) {
      reporter.error({
        file: l.file,
        line: l.line,
        column: l.column,
        message: `Link to "#${wanted}", which is no heading or id in the book`,
        ruleId: 'link-target-missing',
        hint: 'Link to a heading by its text ([见上文](#标题)) or give the target an id: ## 标题 {#id}.',
      });
      l.token.meta = { ...l.token.meta, kind: undefined } satisfies LinkMeta;
      continue;
    }
    l.token.meta = {
      ...l.token.meta,
      kind: 'internal',
      target: hit.id,
      file: hit.chapterId === l.chapterId ? undefined : `${hit.chapterId}.xhtml`,
    } satisfies LinkMeta;
  }
}

/** The chapter's HTML twice: for the EPUB (notes after the text) and for print (each note at its call). */
export function renderChapter(md: MarkdownIt, tokens: Token[], env: Record<string, unknown>) {
  const html = md.renderer.render(tokens, md.options, env);
  const bodies = footnoteBodies(tokens, md.renderer, md.options, { ...env, print: true });
  const printHtml = md.renderer.render(withoutFootnoteBlock(tokens), md.options, {
    ...env,
    print: true,
    footnoteBodies: bodies,
  });
  return { html, printHtml, notes: bodies.size };
}
