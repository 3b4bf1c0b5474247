import type { MarkdownIt, Token } from 'markdown-it';
import { attr } from './token.js';

/**
 * An image alone in a paragraph becomes a figure; the image title is its caption.
 * `![alt](a.png "Caption")` → `<figure><img alt="alt"><figcaption>Caption</figcaption></figure>`.
 */
export function figuresPlugin(md: MarkdownIt): void {
  md.core.ruler.push('folio_figures', (state) => {
    const tokens = state.tokens;
    for (let i = 1; i < tokens.length - 1; i++) {
      const open = tokens[i - 1]!;
      const inline = tokens[i]!;
      const close = tokens[i + 1]!;
      if (open.type !== 'paragraph_open' || inline.type !== 'inline' || close.type !== 'paragraph_close') continue;
      const children = (inline.children ?? []).filter(
        (c) => !(c.type === 'text' && c.content.trim() === '') && c.type !== 'softbreak',
      );
      if (children.length !== 1 || children[0]!.type !== 'image') continue;
      const image = children[0]!;
      open.type = 'figure_open';
      open.tag = 'figure';
      close.type = 'figure_close';
      close.tag = 'figure';
      // attributes written as {…} after the image belong to the figure
      for (const [k, v] of image.attrs ?? []) if (k !== 'src' && k !== 'alt' && k !== 'title') open.attrSet(k, v);
      image.attrs = (image.attrs ?? []).filter(([k]) => k === 'src' || k === 'alt' || k === 'title');
      inline.children = [image];
      open.meta = { ...open.meta, figure: true };
    }
  });
  md.renderer.rules.figure_open = (tokens, idx, options, env, self) => {
    (env as FigureEnv).inFigure = true;
    return `<figure${self.renderAttrs(tokens[idx]!)}>\n`;
  };
  md.renderer.rules.figure_close = (tokens, idx, options, env) => {
    (env as FigureEnv).inFigure = false;
    return '</figure>\n';
  };
  const image = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx] as Token;
    const title = attr(token, 'title');
    if (!(env as FigureEnv).inFigure || !title) return image(tokens, idx, options, env, self);
    // render a copy without the title: the token is rendered again for print and must keep it
    const copy = Object.assign(Object.create(Object.getPrototypeOf(token) as object) as Token, token, {
      attrs: (token.attrs ?? []).filter(([k]) => k !== 'title'),
    });
    const list = [...tokens];
    list[idx] = copy;
    // a caption that already starts with a mark (▲ …) keeps it; the stylesheet's mark is then left out
    const marked = CAPTION_MARK.test(title) ? ' class="marked"' : '';
    return `${image(list, idx, options, env, self)}\n<figcaption${marked}>${md.utils.escapeHtml(title)}</figcaption>`;
  };
}

/** Marks newspapers put before a caption; an author who typed one keeps it. */
export const CAPTION_MARK = /^[▲△▶▷►▸◀◆◇■□●○★☆]/u;

interface FigureEnv {
  inFigure?: boolean;
}
