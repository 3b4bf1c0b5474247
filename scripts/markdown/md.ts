import MarkdownIt from 'markdown-it';
import type { MarkdownIt as MarkdownItType } from 'markdown-it';
import attrs from 'markdown-it-attrs';
import cjkBreaks from 'markdown-it-cjk-breaks';
import cjkFriendly from 'markdown-it-cjk-friendly';
import footnote from 'markdown-it-footnote';
import { containersPlugin } from './containers.js';
import { figuresPlugin } from './figures.js';
import { checkHtml, stripComments } from './html-policy.js';
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
  md.use(footnote);
  md.use(containersPlugin);
  md.use(figuresPlugin);
  md.use(nobreakPlugin);
  const guard = (html: string) => (checkHtml(html) === null ? stripComments(html) : md.utils.escapeHtml(html));
  md.renderer.rules.html_block = (tokens, idx) => guard(tokens[idx]!.content);
  md.renderer.rules.html_inline = (tokens, idx) => guard(tokens[idx]!.content);
  return md;
}

