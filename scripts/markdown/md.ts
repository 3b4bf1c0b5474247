import MarkdownIt from 'markdown-it';
import type { MarkdownIt as MarkdownItType } from 'markdown-it';
import attrs from 'markdown-it-attrs';
import cjkBreaks from 'markdown-it-cjk-breaks';
import cjkFriendly from 'markdown-it-cjk-friendly';
import { containersPlugin } from './containers.js';
import { figuresPlugin } from './figures.js';
import { footnotesPlugin } from './footnotes.js';
import { generalPlugin } from './general.js';
import { checkHtml, stripComments } from './html-policy.js';
import { longwordPlugin } from './longword.js';
import { nobreakPlugin } from './nobreak.js';

/**
 * The one markdown-it configuration every stage uses (build, lint, EPUB).
 * @example createMarkdown().render('中文\n换行') // '<p>中文换行</p>\n'
 */
export function createMarkdown(): MarkdownItType {
  // html: true so raw HTML arrives as tokens we can judge; the renderer below escapes what fails.
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  md.disable('code'); // indented prose must never turn into a code block
  md.use(cjkFriendly);
  md.use(cjkBreaks);
  md.use(attrs, { allowedAttributes: ['id', 'class', 'lang', /^data-[a-z-]+$/, 'width'] });
  md.use(footnotesPlugin);
  md.use(containersPlugin);
  md.use(figuresPlugin);
  md.use(generalPlugin);
  // markdown-it-cjk-breaks reads the last character of the text beside a line break and throws on an
  // empty text token, which markdown-it-attrs leaves after removing "{…}" (found by the fuzz test).
  md.core.ruler.before('cjk_breaks', 'folio_drop_empty_text', (state) => {
    for (const t of state.tokens)
      if (t.type === 'inline' && t.children)
        t.children = t.children.filter((c) => c.type !== 'text' || c.content !== '');
  });
  md.use(nobreakPlugin);
  md.use(longwordPlugin);
  const guard = (html: string) => (checkHtml(html) === null ? stripComments(html) : md.utils.escapeHtml(html));
  md.renderer.rules.html_block = (tokens, idx) => guard(tokens[idx]!.content);
  md.renderer.rules.html_inline = (tokens, idx) => guard(tokens[idx]!.content);
  return md;
}
