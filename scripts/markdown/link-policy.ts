import path from 'node:path';
import MarkdownIt from 'markdown-it';

const { unescapeAll } = new MarkdownIt().utils;

/** Schemes a link may use: web pages, mail and file-transfer addresses. Everything else is refused. */
export const LINK_SCHEMES = new Set(['http', 'https', 'mailto', 'ftp']);

/**
 * A link target as a browser would read it, for judging: HTML entities and backslash escapes decoded
 * (`jav&#x61;script:`), percent-escapes decoded (up to three rounds: `%6Aavascript:`), and ASCII
 * whitespace and control characters removed (`java\tscript:`, a leading newline), which browsers drop.
 * @example normalizeHref(' jav&#x61;scr\tipt:x') // 'javascript:x'
 */
export function normalizeHref(raw: string): string {
  let s = unescapeAll(raw);
  for (let i = 0; i < 3; i++) {
    try {
      const d = decodeURIComponent(s);
      if (d === s) break;
      s = unescapeAll(d);
    } catch {
      break; // a stray % is kept
    }
  }
  // eslint-disable-next-line no-control-regex -- the characters a URL parser strips or ignores
  return s.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
}

export type LinkVerdict =
  | { ok: true; kind: 'internal' | 'external' }
  | { ok: false; ruleId: 'link-unsafe' | 'link-escape' | 'link-relative'; message: string; hint: string };

const HINT = 'Links may point to http(s) pages, mail addresses or places in the book (#标题 or #id) only.';

/**
 * Judges a link target. `fromDir` is the folder of the chapter and `root` the manuscript folder: a
 * relative link has no page to go to in a PDF or an EPUB (it would become a link to the build's own
 * origin), and one that climbs out of the manuscript names a file of the machine.
 * @example judgeHref('jav&#x61;script:x', '/m', '/m') // { ok: false, ruleId: 'link-unsafe', … }
 */
export function judgeHref(raw: string, fromDir: string, root: string): LinkVerdict {
  const href = normalizeHref(raw);
  if (href.startsWith('#')) return { ok: true, kind: 'internal' };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href)?.[1]?.toLowerCase();
  if (scheme && LINK_SCHEMES.has(scheme)) return { ok: true, kind: 'external' };
  if (scheme) return { ok: false, ruleId: 'link-unsafe', message: `Link to a "${scheme}:" URL`, hint: HINT };
  if (/^[\\/]{2}/.test(href)) {
    const message = `Link without a scheme to another host: ${raw}`;
    return { ok: false, ruleId: 'link-unsafe', message, hint: 'Write the full address, https://….' };
  }
  const file = href.replace(/[?#].*$/s, '');
  const target = path.resolve(fromDir, file.replace(/\\/g, '/'));
  const rel = path.relative(root, target);
  if (path.isAbsolute(file) || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    return {
      ok: false,
      ruleId: 'link-escape',
      message: `Link leaves the manuscript folder: ${raw}`,
      hint: 'A book cannot link to files of this machine; link to a place in the book or an https:// address.',
    };
  }
  return {
    ok: false,
    ruleId: 'link-relative',
    message: `Relative link goes nowhere in the PDF or the EPUB: ${raw}`,
    hint: 'Link to a place in the book (#标题 or #id) or to a full https:// address.',
  };
}
