/** Raw HTML a manuscript may carry: a few inline tags with harmless attributes. */
export const SAFE_TAGS = new Set([
  'br',
  'wbr',
  'sup',
  'sub',
  'small',
  'span',
  'abbr',
  'mark',
  'u',
  's',
  'del',
  'ins',
  'ruby',
  'rt',
  'rp',
  'cite',
  'q',
  'kbd',
  'em',
  'strong',
  // an empty anchor (`<a id="x"></a>`) is a link target; it may carry no href (links are Markdown's)
  'a',
]);
export const SAFE_ATTRS = new Set(['class', 'lang', 'title', 'dir']);
/** Attributes only some tags may carry. */
const TAG_ATTRS: Record<string, Set<string>> = { a: new Set(['id', 'name']), span: new Set(['id']) };

const TAG = /<!--[\s\S]*?-->|<\/?([A-Za-z][A-Za-z0-9-]*)([^<>]*)>|</g;
const ATTR = /\s+([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/gy;

/**
 * Checks a raw HTML fragment against the allow-list.
 * @example checkHtml('<sup>2</sup>') // null
 * @example checkHtml('<img src=x onerror=alert(1)>') // 'tag <img> is not allowed'
 */
export function checkHtml(fragment: string): string | null {
  for (const m of fragment.matchAll(TAG)) {
    if (m[0].startsWith('<!--')) continue;
    if (m[0] === '<') return 'unparsable "<"';
    const name = m[1]!.toLowerCase();
    if (!SAFE_TAGS.has(name)) return `tag <${name}> is not allowed`;
    const rest = m[2]!.replace(/\/\s*$/, '');
    ATTR.lastIndex = 0;
    let consumed = 0;
    let a: RegExpExecArray | null;
    while ((a = ATTR.exec(rest))) {
      consumed = ATTR.lastIndex;
      const attr = a[1]!.toLowerCase();
      if (!SAFE_ATTRS.has(attr) && !TAG_ATTRS[name]?.has(attr))
        return `attribute "${attr}" on <${name}> is not allowed`;
    }
    if (rest.slice(consumed).trim()) return `malformed attributes on <${name}>`;
  }
  return null;
}

/** Comments are editors' notes: they never reach an output. */
export const stripComments = (html: string): string => html.replace(/<!--[\s\S]*?-->/g, '');
