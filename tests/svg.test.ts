// SVG figures are parsed with a real XML parser and refused when they could run script or load anything.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sniffImage } from '../scripts/manuscript/image.js';
import { checkSvg } from '../scripts/manuscript/svg.js';

const NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"';
const svg = (body: string) => `<svg ${NS} width="10" height="10">\n${body}\n</svg>`;
const ids = (text: string) => checkSvg(text).map((p) => `${p.line}:${p.column} ${p.ruleId}`);

describe('checkSvg', () => {
  it('accepts a static drawing with local references', () => {
    expect(
      checkSvg(
        svg(
          '<defs><linearGradient id="g"/><style>rect{fill:url(#g)}</style></defs><rect id="r" fill="url( \'#g\' )"/>' +
            '<use xlink:href="#r"/><a href="#r"><text>文字 &amp; &#x4E2D;</text></a>' +
            '<image href="data:image/png;base64,iVBORw0KGgo="/><!-- a comment -->' +
            '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>',
        ),
      ),
    ).toEqual([]);
  });

  it.each([
    ['<script>alert(1)</script>', '2:1 svg-script'],
    ['<svg:script xmlns:svg="http://www.w3.org/2000/svg">x</svg:script>', '2:1 svg-script'],
    ['<SCRIPT>x</SCRIPT>', '2:1 svg-script'],
    ['  <rect ONLOAD="x"/>', '2:3 svg-script'],
    ['<g><circle r="1" onmouseover="x"/></g>', '2:4 svg-script'],
    ['<foreignObject/>', '2:1 svg-script'],
    ['<h:div xmlns:h="http://www.w3.org/1999/xhtml"/>', '2:1 svg-script'],
    ['<handler type="text/ecmascript">x</handler>', '2:1 svg-script'],
    ['<set attributeName="xlink:href" to="javascript:alert(1)"/>', '2:1 svg-script'],
    ['<animate attributeName="onclick" values="x"/>', '2:1 svg-script'],
    ['<a href="jav&#x61;script:alert(1)">x</a>', '2:1 svg-external'],
    ['<a xlink:href="  javascript:x">x</a>', '2:1 svg-external'],
    ['<image href="http://example.com/a.png"/>', '2:1 svg-external'],
    ['<image href="&#104;ttp://example.com/a.png"/>', '2:1 svg-external'],
    ['<image href="data:image/svg+xml;base64,PHN2Zz4="/>', '2:1 svg-external'],
    ['<use href="other.svg#x"/>', '2:1 svg-external'],
    ['<use href="//example.com/x"/>', '2:1 svg-external'],
    ['<feImage href="file:///etc/passwd"/>', '2:1 svg-external'],
    ['<rect fill="url(http://x/y)"/>', '2:1 svg-external'],
    ['<rect style="fill:URL( &quot;a.png&quot; )"/>', '2:1 svg-external'],
    ['<style>rect{fill:\\75 rl(http://x)}</style>', '2:1 svg-external'],
    ['<style>@import "http://x/a.css";</style>', '2:1 svg-external'],
    ['<style><![CDATA[@im/**/port url(x)]]></style>', '2:1 svg-external'],
    ['<style>rect{fill:image-set("http://x" 1x)}</style>', '2:1 svg-external'],
  ])('refuses %s', (body, expected) => {
    expect(ids(svg(body))).toContain(expected);
  });

  it('refuses a DOCTYPE (entities, external or billion laughs), a stylesheet PI, undefined entities', () => {
    expect(
      ids('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<svg>&x;</svg>'),
    ).toEqual(expect.arrayContaining(['2:1 svg-doctype']));
    const letter = (i: number) => String.fromCharCode(97 + i);
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY ${letter(i + 1)} "${`&${letter(i)};`.repeat(10)}">`);
    const laughs = `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${levels.join('')}]>\n<svg>&j;</svg>`;
    const t0 = performance.now();
    expect(ids(laughs)).toContain('1:1 svg-doctype');
    expect(performance.now() - t0).toBeLessThan(500);
    expect(ids('<?xml-stylesheet href="http://x/a.css"?>\n<svg/>')).toContain('1:1 svg-external');
    expect(ids(svg('&nbsp;'))).toEqual(['2:6 svg-invalid']); // at the end of the undefined entity
    expect(ids('<svg><rect></svg>')[0]).toMatch(/svg-invalid/);
  });
});

describe('sniffImage', () => {
  it('sniffs SVG from its bytes, not its name', () => {
    expect(sniffImage(Buffer.from(`<?xml version="1.0"?>\n<!-- x -->\n${svg('')}`))).toBe('svg');
    expect(sniffImage(Buffer.from('<html><svg/></html>'))).toBeUndefined();
    expect(sniffImage(Buffer.from('# README\n'))).toBeUndefined();
  });
});

/** Pieces of an SVG document: each safe or hostile, so the expected verdict is known by construction. */
const SAFE = [
  '<rect width="1" height="1"/>',
  '<circle r="2" fill="url(#g)"/>',
  '<use xlink:href="#g"/>',
  '<a href="#top"><text>图 &amp; 文</text></a>',
  '<style>rect{stroke:url(#g)}</style>',
  '<g class="a" transform="scale(2)"><path d="M0 0L1 1"/></g>',
  '<image href="data:image/png;base64,iVBORw0KGgo="/>',
  '<!-- <script>comment</script> -->',
  '<text>javascript:alert(1) url(http://x) onload=</text>',
  '<desc>&lt;script&gt;</desc>',
];
const SCHEMES = [
  'javascript:',
  'JaVaScRiPt:',
  'jav&#x61;script:',
  '&#106;avascript:',
  'http://x/',
  '//x/',
  'file:///',
  'a.png',
  'data:text/html,',
];
const HOSTILE = [
  ...['script', 'Script', 'svg:script', 'foreignObject', 'FOREIGNOBJECT', 'handler', 'iframe', 'embed', 'object'].map(
    (n) => `<${n}${n.includes(':') ? ' xmlns:svg="http://www.w3.org/2000/svg"' : ''}>x</${n}>`,
  ),
  ...['onload', 'onclick', 'OnMouseOver', 'onbegin', 'onfocusin'].map((a) => `<rect ${a}="alert(1)"/>`),
  ...SCHEMES.flatMap((s) => [`<a href="${s}x">l</a>`, `<use xlink:href="${s}#x"/>`, `<image href=" ${s}y.png"/>`]),
  ...SCHEMES.map((s) => `<rect style="fill:url('${s}x')"/>`),
  '<style>a{b:u\\72l(x)}</style>',
  '<style>@import url(#x);</style>',
  '<rect fill="url( x.svg#g )"/>',
  '<html:p xmlns:html="http://www.w3.org/1999/xhtml">x</html:p>',
  '<m:math xmlns:m="http://www.w3.org/1998/Math/MathML"/>',
  '<set attributeName="href" to="#x"/>',
];

describe('checkSvg under fuzzing', () => {
  it('refuses a document exactly when a hostile piece is in it, and never throws', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...SAFE), fc.constantFrom(...HOSTILE)), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (pieces, nesting) => {
          // nest some pieces inside <g> so positions and depth vary
          const body = pieces.map((p, i) => ((nesting[i] ?? 0) % 3 === 0 ? `<g>${p}</g>` : p)).join('\n');
          const problems = checkSvg(svg(body));
          const hostile = pieces.some((p) => HOSTILE.includes(p));
          expect(problems.length > 0, body).toBe(hostile);
          for (const p of problems) expect(p.ruleId).toMatch(/^svg-(script|external)$/);
        },
      ),
      { numRuns: 800, seed: 20261201 },
    );
  });

  it('never throws on arbitrary text and marks malformed XML svg-invalid with a position', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string(), fc.constantFrom('<', '>', '&', '"', '<!DOCTYPE', '<![CDATA[', '<?', '<svg', '/>')),
          {
            maxLength: 30,
          },
        ),
        (parts) => {
          const problems = checkSvg(parts.join(''));
          for (const p of problems) {
            expect(p.line).toBeGreaterThanOrEqual(1);
            expect(p.column).toBeGreaterThanOrEqual(1);
          }
        },
      ),
      { numRuns: 800, seed: 20261201 },
    );
  });
});
