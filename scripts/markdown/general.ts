import type { MarkdownIt, Token } from 'markdown-it';
import { attr } from './token.js';

/** Render-time settings shared by the Folio plugins. */
export interface RenderEnv {
  print?: boolean;
  /** What encloses a printed address, in the book's language (render/texts.ts `url`). */
  urlWords?: readonly [string, string];
}

/** A cell that holds a number (amounts, percentages, years): set flush right so the digits line up. */
const NUMERIC = /^[+\-−±]?[¥$€£]?\s*\d[\d,，.\s]*(?:%|‰|％)?$/u;
/** A paragraph right before a table that names it (`表1 …`, `表 2：…`, `Table 3. …`) is its 表题. */
const TABLE_TITLE = /^(?:表\s*[0-9０-９一二三四五六七八九十]+|Table\s+\d+)/u;
/** Tokens of inline code up to this length never break inside (`-p`, `--stat`); longer ones may. */
const UNBREAKABLE_TOKEN = 24;

/**
 * What authors outside the newsroom write: links (internal ones become page references in print,
 * external ones print their address), inline code that breaks only between its words, tables with a
 * 表题 and right-aligned numbers.
 */
export function generalPlugin(md: MarkdownIt): void {
  md.core.ruler.push('folio_tables', (state) => {
    tableCaptions(state.tokens);
    numericColumns(state.tokens);
  });
  md.renderer.rules.table_caption_open = (tokens, idx, _o, _e, self) => `<caption${self.renderAttrs(tokens[idx]!)}>`;
  md.renderer.rules.table_caption_close = () => '</caption>\n';
  md.renderer.rules.code_inline = (tokens, idx) => {
    const parts = tokens[idx]!.content.split(/(\s+)/);
    const html = parts
      .map((p) => {
        const e = md.utils.escapeHtml(p);
        return p && !/\s/.test(p) && [...p].length <= UNBREAKABLE_TOKEN ? `<span class="tok">${e}</span>` : e;
      })
      .join('');
    return `<code>${html}</code>`;
  };
  md.renderer.rules.link_open = (tokens, idx, _options, rawEnv) => {
    const env = (rawEnv ?? {}) as RenderEnv;
    const t = tokens[idx]!;
    const meta = (t.meta ?? {}) as LinkMeta;
    const attrs = new Map((t.attrs ?? []).map(([k, v]) => [k, String(v)]));
    const cls = [
      attrs.get('class'),
      meta.kind === 'internal' ? 'xref' : meta.kind === 'external' ? 'ext' : meta.kind === 'bare' ? 'url' : undefined,
    ];
    if (cls.some(Boolean)) attrs.set('class', cls.filter(Boolean).join(' '));
    if (meta.kind === 'internal' && meta.target)
      attrs.set('href', !env.print && meta.file ? `${meta.file}#${meta.target}` : `#${meta.target}`);
    return `<a${[...attrs].map(([k, v]) => ` ${k}="${md.utils.escapeHtml(v)}"`).join('')}>`;
  };
  // In print the address of an external link follows it as text, not as ::after content: Paged.js cannot
  // split generated content, and the part of a long address past the page end was lost (property tests).
  md.renderer.rules.link_close = (tokens, idx, _options, rawEnv) => {
    const env = (rawEnv ?? {}) as RenderEnv;
    let open = idx - 1;
    while (open >= 0 && tokens[open]!.type !== 'link_open') open--;
    const t = tokens[open];
    if (!env.print || !t || ((t.meta ?? {}) as LinkMeta).kind !== 'external') return '</a>';
    const [before, after] = env.urlWords ?? ['（', '）'];
    return `</a><span class="address">${md.utils.escapeHtml(`${before}${t.attrGet('href') ?? ''}${after}`)}</span>`;
  };
}

/** What the model found out about a link (set in scripts/model/content.ts, read when rendering). */
export interface LinkMeta {
  /** internal: to an id in the book; external: an address whose text differs from it; bare: text = address. */
  kind?: 'internal' | 'external' | 'bare';
  /** The id an internal link resolves to. */
  target?: string;
  /** The EPUB file holding the target when it is in another chapter. */
  file?: string;
}

function tableCaptions(tokens: Token[]): void {
  for (let i = 3; i < tokens.length; i++) {
    if (tokens[i]!.type !== 'table_open') continue;
    const [open, inline, close] = [tokens[i - 3]!, tokens[i - 2]!, tokens[i - 1]!];
    if (open.type !== 'paragraph_open' || close.type !== 'paragraph_close' || inline.type !== 'inline') continue;
    if (open.level !== tokens[i]!.level || !TABLE_TITLE.test(inline.content.trim())) continue;
    open.type = 'table_caption_open';
    open.tag = 'caption';
    close.type = 'table_caption_close';
    close.tag = 'caption';
    const table = tokens[i]!;
    tokens.splice(i - 3, 4, table, open, inline, close);
  }
}

function numericColumns(tokens: Token[]): void {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.type !== 'table_open') continue;
    let end = i;
    while (tokens[end]!.type !== 'table_close') end++;
    const rows: Token[][] = [];
    let row: Token[] = [];
    let inBody = false;
    for (let k = i; k < end; k++) {
      const t = tokens[k]!;
      if (t.type === 'tbody_open') inBody = true;
      if (t.type === 'tr_open') row = [];
      if (t.type === 'th_open' || t.type === 'td_open') row.push(t);
      if (t.type === 'tr_close') rows.push(row);
      if ((t.type === 'td_open' || t.type === 'th_open') && inBody)
        t.meta = { ...t.meta, text: tokens[k + 1]!.content };
    }
    const body = rows.slice(1);
    const columns = Math.max(0, ...rows.map((r) => r.length));
    for (let c = 0; c < columns; c++) {
      const cells = body.map((r) => r[c]).filter((x): x is Token => !!x);
      const texts = cells.map((x) => String((x.meta as { text?: string })?.text ?? '').trim()).filter(Boolean);
      if (!texts.length || !texts.every((s) => NUMERIC.test(s))) continue;
      for (const r of rows) {
        const cell = r[c];
        if (cell && !attr(cell, 'style')) cell.attrJoin('class', 'num');
      }
    }
    i = end;
  }
}
