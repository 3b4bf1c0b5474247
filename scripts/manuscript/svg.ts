import { type SaxesAttributeNS, SaxesParser, type SaxesTagNS } from 'saxes';
import { positionAt } from '../diagnostics/diagnostic.js';

/** One refused construct in an SVG file, at the place it starts (1-based line and column). */
export interface SvgProblem {
  line: number;
  column: number;
  message: string;
  ruleId: 'svg-invalid' | 'svg-doctype' | 'svg-script' | 'svg-external';
  hint: string;
}

/** Namespaces whose elements a browser would run or render as a document: never inside a figure. */
const ACTIVE_NS = new Set(['http://www.w3.org/1999/xhtml', 'http://www.w3.org/1998/Math/MathML']);
/** SVG elements that run script, embed another document or load one. */
const ACTIVE_ELEMENTS = new Set(['script', 'foreignobject', 'handler', 'listener', 'iframe', 'embed', 'object']);
const ANIMATION = new Set(['set', 'animate', 'animatemotion', 'animatetransform', 'animatecolor', 'discard']);
/** Raster images embedded in the file itself are inert; any other URL leaves the file. */
const INLINE_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i;

const HINTS = {
  'svg-invalid': 'Re-export the SVG from the drawing program; it must be well-formed XML.',
  'svg-doctype': 'Remove the <!DOCTYPE …> and any entity declarations; SVG needs neither.',
  'svg-script':
    'A figure must be a static drawing: remove scripts, on… event attributes, foreignObject and embedded HTML ' +
    '(or export the figure as PNG).',
  'svg-external':
    'Make the SVG self-contained: embed images and fonts, keep only local references such as href="#id" or url(#id).',
} as const;

/**
 * Checks an SVG figure with a real XML parser (saxes, strict, namespace-aware; it never fetches or
 * expands anything outside the text). Refuses a DOCTYPE (entity tricks), processing instructions
 * (`xml-stylesheet`), scripts, on… handlers, foreignObject and HTML, animations that set a link, and
 * every reference that is not a local fragment (`href`, `xlink:href`, CSS `url()`, `@import`).
 * @example checkSvg('<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>')[0].ruleId // 'svg-script'
 */
export function checkSvg(text: string): SvgProblem[] {
  const problems: SvgProblem[] = [];
  const p = new SaxesParser({ xmlns: true, position: true });
  let at = { line: 1, column: 1 };
  const report = (ruleId: SvgProblem['ruleId'], message: string) =>
    problems.push({ ...at, message, ruleId, hint: HINTS[ruleId] });
  let failed = false;
  p.on('error', (e) => {
    if (failed) return;
    failed = true;
    const m = /^(\d+):(\d+): (.*)$/s.exec(e.message);
    problems.push({
      line: Math.max(1, m ? Number(m[1]) : p.line),
      column: Math.max(1, m ? Number(m[2]) : p.column),
      message: `SVG is not well-formed XML: ${m ? m[3] : e.message}`,
      ruleId: 'svg-invalid',
      hint: HINTS['svg-invalid'],
    });
  });
  const find = (needle: RegExp) => (at = positionAt(text, Math.max(0, text.search(needle))));
  p.on('doctype', () => {
    find(/<!DOCTYPE/i);
    report('svg-doctype', 'SVG has a DOCTYPE (entity declarations are refused)');
  });
  p.on('processinginstruction', (pi) => {
    find(new RegExp(`<\\?${pi.target.replace(/[^\w-]/g, '')}`));
    report('svg-external', `SVG has a processing instruction <?${pi.target} …?>`);
  });
  p.on('opentagstart', (t) => (at = { line: p.line, column: Math.max(1, p.column - t.name.length - 1) }));
  const styles: boolean[] = [];
  p.on('opentag', (t) => {
    styles.push(t.local.toLowerCase() === 'style');
    checkElement(t as SaxesTagNS, report);
  });
  p.on('closetag', () => styles.pop());
  p.on('text', (s) => {
    if (styles.at(-1)) checkCss(s, '<style>', report);
  });
  p.on('cdata', (s) => {
    if (styles.at(-1)) checkCss(s, '<style>', report);
  });
  try {
    p.write(text).close();
  } catch {
    /* reported by the error handler */
  }
  return problems;
}

type Report = (ruleId: SvgProblem['ruleId'], message: string) => void;

function checkElement(t: SaxesTagNS, report: Report): void {
  const name = t.local.toLowerCase();
  if (ACTIVE_NS.has(t.uri)) return report('svg-script', `SVG embeds an HTML or MathML element <${t.name}>`);
  // by local name in any namespace: a script is refused however it is prefixed
  if (ACTIVE_ELEMENTS.has(name)) return report('svg-script', `SVG has a <${t.name}> element`);
  for (const a of Object.values(t.attributes) as SaxesAttributeNS[]) {
    const local = a.local.toLowerCase();
    const value = a.value.trim();
    if (local.startsWith('on')) report('svg-script', `SVG element <${t.name}> has an event handler ${a.name}="…"`);
    else if (local === 'href' || local === 'src' || local === 'base') {
      if (!value.startsWith('#') && !(name === 'image' && INLINE_IMAGE.test(value)))
        report('svg-external', `SVG element <${t.name}> refers outside the file: ${a.name}="${short(value)}"`);
    } else if (ANIMATION.has(name) && local === 'attributename' && /^(xlink:)?href$|^on/i.test(value)) {
      report('svg-script', `SVG animation <${t.name}> changes ${value}`);
    } else checkCss(a.value, `<${t.name} ${a.name}>`, report);
  }
}

/** CSS in a `<style>` or an attribute: only `url(#fragment)`; no `@import`, no `image-set()`-like loaders. */
function checkCss(raw: string, where: string, report: Report): void {
  const css = unescapeCss(raw.replace(/\/\*[\s\S]*?\*\//g, ''));
  if (/@import/i.test(css)) report('svg-external', `SVG ${where} has a CSS @import`);
  const loader = /(?:^|[^\w-])((?:-webkit-)?image-set|image|cross-fade|src)\s*\(/i.exec(css);
  if (loader) report('svg-external', `SVG ${where} loads through CSS ${loader[1]}()`);
  for (const m of css.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))\s*\)/gi)) {
    const ref = (m[1] ?? m[2] ?? m[3] ?? '').trim();
    if (!ref.startsWith('#')) report('svg-external', `SVG ${where} refers outside the file: url(${short(ref)})`);
  }
}

/** CSS escapes (`\\75 rl(` is `url(`) decoded, so that a check cannot be dodged by spelling. */
const unescapeCss = (css: string) =>
  css
    .replace(/\\([0-9a-f]{1,6})\s?/gi, (_, hex: string) =>
      String.fromCodePoint(Math.min(Number.parseInt(hex, 16), 0x10ffff)),
    )
    .replace(/\\(.)/g, '$1');

const short = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}…` : s);
