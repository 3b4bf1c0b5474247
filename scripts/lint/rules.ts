import * as OpenCC from 'opencc-js';
import { CONTAINERS } from '../markdown/containers.js';
import type { Book } from '../model/book.js';
import type { SourceFile } from '../manuscript/load.js';
import type { Severity } from '../diagnostics/diagnostic.js';

/** One finding in a source file; offsets are UTF-16 positions in the file's text. */
export interface Finding {
  file: SourceFile;
  offset: number;
  severity: Severity;
  ruleId: string;
  message: string;
  hint: string;
  fix?: { length: number; replacement: string };
}

export interface TextContext {
  file: SourceFile;
  text: string;
  /** 1 where the text is not prose (code, URLs, markup). */
  mask: Uint8Array;
  allow: string[];
}

export interface TextRule {
  id: string;
  fixable: boolean;
  check(ctx: TextContext, report: (f: Omit<Finding, 'file' | 'ruleId'> & { ruleId?: string }) => void): void;
}

export interface BookRule {
  id: string;
  check(book: Book, report: (f: Omit<Finding, 'ruleId'> & { ruleId?: string }) => void): void;
}

const HAN = /[\p{Script=Han}\u3000-\u303f\uff01-\uff5e“”‘’]/u;
const isHan = (c: string | undefined) => !!c && HAN.test(c);
const free = (ctx: TextContext, at: number, len = 1) => !ctx.mask.subarray(at, at + len).some((v) => v === 1);

const FULL: Record<string, string> = { ',': '，', ':': '：', ';': '；', '?': '？', '!': '！', '(': '（', ')': '）' };

/** Rules that read the Markdown source as text. */
export const TEXT_RULES: TextRule[] = [
  {
    id: 'punctuation-halfwidth',
    fixable: true,
    check(ctx, report) {
      const t = ctx.text;
      for (let i = 0; i < t.length; i++) {
        const c = t[i]!;
        if (!(c in FULL) || !free(ctx, i)) continue;
        const prev = t[i - 1];
        const next = t[i + 1];
        // in Chinese text: a Han character or full-width mark on either side (not "10:30", "a, b", URLs)
        const chinese =
          c === '('
            ? isHan(next) || isHan(prev)
            : c === ')'
              ? isHan(prev) || isHan(next)
              : isHan(prev) || (isHan(next) && !/[\w]/.test(prev ?? ''));
        if (!chinese) continue;
        report({
          offset: i,
          severity: 'warning',
          message: `Unexpected half-width "${c}" in Chinese text, expected "${FULL[c]}"`,
          hint: 'Chinese text uses full-width punctuation (GB/T 15834). `folio lint --fix` converts it.',
          fix: { length: 1, replacement: FULL[c]! },
        });
      }
    },
  },
  {
    id: 'ellipsis-dash',
    fixable: true,
    check(ctx, report) {
      const t = ctx.text;
      const rules: [RegExp, string, string][] = [
        [/\.{3,}|。{3,}/g, '……', 'an ellipsis of dots'],
        [/(?<!…)…(?!…)/g, '……', 'a single "…"'],
        [/(?<![-—])-{2,3}(?![-—])/g, '——', 'hyphens'],
        [/(?<!—)—(?!—)/g, '——', 'a single "—"'],
      ];
      for (const [re, want, what] of rules) {
        for (const m of t.matchAll(re)) {
          const i = m.index!;
          if (!free(ctx, i, m[0].length)) continue;
          if (!isHan(t[i - 1]) && !isHan(t[i + m[0].length])) continue;
          report({
            offset: i,
            severity: 'warning',
            message: `Unexpected ${what} "${m[0]}", expected "${want}"`,
            hint: 'Chinese uses the two-em "……" and "——" (GB/T 15834). `folio lint --fix` replaces it.',
            fix: { length: m[0].length, replacement: want },
          });
        }
      }
    },
  },
  {
    id: 'quote-straight',
    fixable: true,
    check(ctx, report) {
      for (const m of ctx.text.matchAll(/"([^"\n]*\p{Script=Han}[^"\n]*)"/gu)) {
        if (!free(ctx, m.index!, m[0].length)) continue;
        report({
          offset: m.index!,
          severity: 'warning',
          message: 'Unexpected straight quotes around Chinese text, expected “…”',
          hint: 'Use “ ” (and ‘ ’ inside). `folio lint --fix` replaces them.',
          fix: { length: m[0].length, replacement: `“${m[1]}”` },
        });
      }
    },
  },
  {
    id: 'quote-style-mixed',
    fixable: false,
    check(ctx, report) {
      const curly = [...ctx.text.matchAll(/[“”]/g)].filter((m) => free(ctx, m.index!));
      const corner = [...ctx.text.matchAll(/[「」『』]/g)].filter((m) => free(ctx, m.index!));
      if (!curly.length || !corner.length) return;
      const [minority, style, other] = corner.length <= curly.length ? [corner, '「」', '“”'] : [curly, '“”', '「」'];
      for (const m of minority)
        report({
          offset: m.index!,
          severity: 'warning',
          message: `Unexpected ${style} quote "${m[0]}": the manuscript mostly uses ${other}`,
          hint: 'Use one quotation style: “ ” with ‘ ’ inside for zh-CN.',
        });
    },
  },
  {
    id: 'space-han-latin',
    fixable: true,
    check(ctx, report) {
      for (const m of ctx.text.matchAll(
        /(?<=\p{Script=Han})[ \t]+(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%])[ \t]+(?=\p{Script=Han})/gu,
      )) {
        if (!free(ctx, m.index!, m[0].length)) continue;
        const line = ctx.text.lastIndexOf('\n', m.index!) + 1;
        if (/^(#{1,6}|:::)\s/.test(ctx.text.slice(line, m.index!))) continue; // heading and container words are separated on purpose
        report({
          offset: m.index!,
          severity: 'warning',
          message: 'Unexpected space between Han and Latin/digits',
          hint: 'Do not type these spaces: the stylesheet spaces Han and Latin (text-autospace). `folio lint --fix` removes them.',
          fix: { length: m[0].length, replacement: '' },
        });
      }
    },
  },
  {
    id: 'traditional-character',
    fixable: true,
    check(ctx, report) {
      const convert = converter();
      const t = ctx.text;
      const allowed = new Uint8Array(t.length);
      for (const word of ctx.allow)
        for (let i = t.indexOf(word); i >= 0; i = t.indexOf(word, i + 1)) allowed.fill(1, i, i + word.length);
      const out = convert(t);
      if (out.length !== t.length) return; // phrase-level changes: nothing to point at character by character
      for (let i = 0; i < t.length; i++) {
        if (t[i] === out[i] || !free(ctx, i) || allowed[i]) continue;
        report({
          offset: i,
          severity: 'warning',
          message: `Unexpected traditional character "${t[i]}" in a Simplified (zh-CN) manuscript, expected "${out[i]}"`,
          hint: 'If it is part of a name, add the word to lint.allow in book.yaml; `folio lint --fix` converts it.',
          fix: { length: 1, replacement: out[i]! },
        });
      }
    },
  },
  {
    id: 'link-unsafe',
    fixable: false,
    check(ctx, report) {
      for (const m of ctx.text.matchAll(/\]\(\s*<?\s*(javascript|vbscript|data|file):/gi)) {
        report({
          offset: m.index! + 2,
          severity: 'error',
          message: `Link to a "${m[1]!.toLowerCase()}:" URL`,
          hint: 'Links may point to http(s) pages, mail addresses or places in the book only.',
        });
      }
    },
  },
  {
    id: 'container',
    fixable: false,
    check(ctx, report) {
      const stack: number[] = [];
      for (const m of ctx.text.matchAll(/^:::[ \t]*([^\s{]*)[^\n]*$/gm)) {
        const name = m[1]!;
        if (!name) {
          if (stack.length) stack.pop();
          else
            report({
              offset: m.index!,
              ruleId: 'container-unopened',
              severity: 'error',
              message: 'Closing ":::" without an opening container',
              hint: 'Remove the line or open a container above it.',
            });
          continue;
        }
        if (!(name in CONTAINERS))
          report({
            offset: m.index! + m[0].indexOf(name),
            ruleId: 'container-unknown',
            severity: 'warning',
            message: `Unknown container "${name}", expected one of ${Object.keys(CONTAINERS).join(', ')}`,
            hint: 'The block is printed as plain text. Use a known container name.',
          });
        stack.push(m.index!);
      }
      for (const at of stack)
        report({
          offset: at,
          ruleId: 'container-unclosed',
          severity: 'error',
          message: 'Container is never closed with ":::"',
          hint: 'Add a line ":::" where the container ends.',
        });
    },
  },
  {
    id: 'footnote',
    fixable: false,
    check(ctx, report) {
      const defs = new Map<string, number>();
      for (const m of ctx.text.matchAll(/^\[\^([^\]\n]+)\]:/gm)) defs.set(m[1]!, m.index!);
      const refs = new Map<string, number>();
      for (const m of ctx.text.matchAll(/\[\^([^\]\n]+)\](?!:)/g)) if (!refs.has(m[1]!)) refs.set(m[1]!, m.index!);
      for (const [label, at] of refs)
        if (!defs.has(label))
          report({
            offset: at,
            ruleId: 'footnote-undefined',
            severity: 'error',
            message: `Footnote [^${label}] has no definition`,
            hint: `Add a line "[^${label}]: …" below the paragraph.`,
          });
      for (const [label, at] of defs)
        if (!refs.has(label))
          report({
            offset: at,
            ruleId: 'footnote-unused',
            severity: 'warning',
            message: `Footnote [^${label}] is defined but never referenced`,
            hint: `Reference it in the text with [^${label}], or remove it.`,
          });
    },
  },
];

let opencc: ((s: string) => string) | undefined;
const converter = () => (opencc ??= OpenCC.Converter({ from: 't', to: 'cn' }));

/** Rules that need the document model (all chapters, headings, figures). */
export const BOOK_RULES: BookRule[] = [
  {
    id: 'heading-increment',
    check(book, report) {
      for (const ch of book.chapters) {
        let prev = 0;
        for (const h of ch.headings) {
          if (prev && h.level > prev + 1)
            report({
              file: ch.file,
              offset: offsetOfLine(ch.file, h.source),
              severity: 'warning',
              message: `Unexpected heading rank ${h.level}, expected ${prev + 1}`,
              hint: `Change "${'#'.repeat(h.level)}" to "${'#'.repeat(prev + 1)}", or add a level-${prev + 1} heading above.`,
            });
          prev = h.level;
        }
      }
    },
  },
  {
    id: 'heading-duplicate',
    check(book, report) {
      const seen = new Map<string, string>();
      for (const ch of book.chapters) {
        const h = ch.headings.find((x) => x.level === 1);
        if (!h) continue;
        if (seen.has(h.text))
          report({
            file: ch.file,
            offset: offsetOfLine(ch.file, h.source),
            severity: 'warning',
            message: `Two chapters have the title "${h.text}" (also ${seen.get(h.text)})`,
            hint: 'Give each chapter its own title: the contents and running heads need them.',
          });
        else seen.set(h.text, h.source);
      }
    },
  },
  {
    id: 'duplicate-block',
    check(book, report) {
      const seen = new Map<string, string>();
      for (const ch of book.chapters) {
        for (const b of ch.blocks) {
          if (b.kind === 'heading') continue;
          const key = `${b.kind}:${b.text.replace(/\s+/g, '')}`;
          if (b.text.replace(/\s+/g, '').length < 8) continue;
          if (seen.has(key))
            report({
              file: ch.file,
              offset: offsetOfLine(ch.file, b.source),
              ruleId: b.kind === 'caption' ? 'duplicate-caption' : 'duplicate-paragraph',
              severity: 'warning',
              message: `Duplicate ${b.kind === 'caption' ? 'caption' : 'paragraph'} (first at ${seen.get(key)})`,
              hint: 'Newspaper extraction repeats blocks; keep one.',
            });
          else seen.set(key, b.source);
        }
      }
    },
  },
  {
    id: 'figure-text',
    check(book, report) {
      for (const ch of book.chapters) {
        for (const f of ch.figures) {
          const at = offsetOfLine(ch.file, f.source);
          if (!f.alt.trim())
            report({
              file: ch.file,
              offset: at,
              ruleId: 'figure-alt',
              severity: 'warning',
              message: 'Figure has no alt text',
              hint: 'Describe the picture in ![…](…): screen readers and the EPUB need it.',
            });
          if (!f.caption.trim())
            report({
              file: ch.file,
              offset: at,
              ruleId: 'figure-caption',
              severity: 'warning',
              message: 'Figure has no caption',
              hint: 'Give the image a title: ![alt](images/x.jpg "Caption.")',
            });
        }
      }
    },
  },
];

function offsetOfLine(file: SourceFile, source: string): number {
  const line = Number(source.split(':').at(-1));
  let at = 0;
  for (let l = 1; l < line; l++) at = file.text.indexOf('\n', at) + 1;
  return at;
}
