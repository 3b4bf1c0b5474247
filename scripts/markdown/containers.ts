import type { MarkdownIt, Token } from 'markdown-it';
import container from 'markdown-it-container';
import { attr } from './token.js';

/** The `::: name` blocks a chapter may use; each becomes `<div class="name">` (or `<aside>`). */
export const CONTAINERS: Record<string, { tag: string; role?: string }> = {
  kicker: { tag: 'p' },
  dek: { tag: 'div' },
  byline: { tag: 'p' },
  pullquote: { tag: 'aside' },
  note: { tag: 'aside' },
};

/** Registers every known container. Unknown names are left as text for the linter to report. */
export function containersPlugin(md: MarkdownIt): void {
  for (const [name, spec] of Object.entries(CONTAINERS)) {
    md.use(container, name, {
      validate: (params: string) => params.trim().split(/\s+/)[0] === name,
      render(tokens: Token[], idx: number) {
        const t = tokens[idx]!;
        if (t.nesting === 1) {
          const attrs =
            t.attrs
              ?.filter(([k]) => k !== 'class')
              .map(([k, v]) => ` ${k}="${md.utils.escapeHtml(String(v))}"`)
              .join('') ?? '';
          const cls = [name, attr(t, 'class')].filter(Boolean).join(' ');
          return `<${spec.tag === 'p' ? 'div' : spec.tag} class="${cls}"${attrs}>\n`;
        }
        return `</${spec.tag === 'p' ? 'div' : spec.tag}>\n`;
      },
    });
  }
}
