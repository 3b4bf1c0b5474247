// A grammar of what authors write, for fast-check: CJK and Latin text with marks, strong and emphasis,
// inline code, external and internal links, footnote calls anywhere (paragraphs, list items, quotes, table
// cells, after punctuation), nested lists and blockquotes, tables, rules and figures with attributes.
// Every manuscript it makes is valid (each call has its note, each internal link its target): the build
// must set it, so any failure is Folio's.
import fc from 'fast-check';

const HAN = [...'书店图书馆修复古籍读者记者城市乡村时间工作学校历史新闻报道文章故事年月日人山水田光'];
const LATIN = ['AI', 'Folio', 'PDF', 'EPUB', 'iPhone', '2026', '3.5', 'Paged.js', 'x86_64', 'CMYK'];
const MIDDLE = ['，', '、', '；', '：', '——', '……'];
const END = ['。', '？', '！', '。”', '”。', '》。', '）。'];

/** Which notes and anchors a chapter's text refers to, so the chapter can define them. */
export interface Refs {
  notes: number;
  anchors: string[];
}

type Piece = (r: Refs) => string;

const hanWord = fc.array(fc.constantFrom(...HAN), { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
const inline: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 6, arbitrary: hanWord.map((w) => () => w) },
  { weight: 2, arbitrary: fc.constantFrom(...LATIN).map((w) => () => w) },
  { weight: 2, arbitrary: fc.constantFrom(...MIDDLE).map((m) => () => m) },
  { weight: 1, arbitrary: hanWord.map((w) => () => `**${w}**`) },
  { weight: 1, arbitrary: hanWord.map((w) => () => `*${w}*`) },
  { weight: 1, arbitrary: hanWord.map((w) => () => `“${w}”`) },
  { weight: 1, arbitrary: hanWord.map((w) => () => `《${w}》`) },
  { weight: 1, arbitrary: fc.constantFrom('`npm ci`', '`folio build -t epub`', '`a_b`').map((c) => () => c) },
  { weight: 1, arbitrary: hanWord.map((w) => () => `[${w}](https://example.org/${encodeURIComponent(w)})`) },
  { weight: 1, arbitrary: hanWord.map((w) => (r: Refs) => `[${w}](#${r.anchors[0] ?? 'top'})`) },
  { weight: 2, arbitrary: fc.constant((r: Refs) => `[^n${++r.notes}]`) },
);

/** A sentence: pieces, then an end mark (a call may follow the mark, as authors type it). */
const sentence: fc.Arbitrary<Piece> = fc
  .tuple(hanWord, fc.array(inline, { minLength: 1, maxLength: 6 }), fc.constantFrom(...END), fc.boolean())
  .map(([first, pieces, end, call]) => (r) => {
    const body = first + pieces.map((p) => p(r)).join('');
    return body + end + (call ? `[^n${++r.notes}]` : '');
  });

const paragraph = fc
  .array(sentence, { minLength: 1, maxLength: 4 })
  .map((ss) => (r: Refs) => ss.map((s) => s(r)).join(''));

const listItems = (depth: number): fc.Arbitrary<(r: Refs, indent: string) => string> =>
  fc
    .tuple(
      fc.boolean(),
      fc.array(
        fc.tuple(sentence, depth > 0 ? fc.option(listItems(depth - 1), { nil: undefined }) : fc.constant(undefined)),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(
      ([ordered, items]) =>
        (r, indent) =>
          items
            .map(([s, sub], i) => {
              const mark = ordered ? `${i + 1}. ` : '- ';
              const inner = sub ? `\n${sub(r, indent + ' '.repeat(mark.length))}` : '';
              return `${indent}${mark}${s(r)}${inner}`;
            })
            .join('\n'),
    );

const quote = (depth: number): fc.Arbitrary<Piece> =>
  fc
    .tuple(
      paragraph,
      depth > 0 ? fc.option(quote(depth - 1), { nil: undefined }) : fc.constant(undefined),
      fc.option(listItems(0), { nil: undefined }),
    )
    .map(([p, sub, list]) => (r) => {
      const parts = [p(r), ...(list ? [list(r, '')] : []), ...(sub ? [sub(r)] : [])];
      return parts
        .join('\n\n')
        .split('\n')
        .map((l) => (l ? `> ${l}` : '>'))
        .join('\n');
    });

const table = fc
  .tuple(
    fc.option(hanWord, { nil: undefined }),
    fc.array(fc.tuple(hanWord, fc.nat(99_999), fc.boolean()), { minLength: 1, maxLength: 5 }),
  )
  .map(([caption, rows]) => (r: Refs) => {
    const lines = ['| 项目 | 数量 |', '| --- | ---: |'];
    for (const [w, n, call] of rows) lines.push(`| ${w}${call ? `[^n${++r.notes}]` : ''} | ${n} |`);
    return (caption ? `表1\u3000${caption}\n\n` : '') + lines.join('\n');
  });

const figure = fc
  .tuple(hanWord, fc.constantFrom('', '▲', '▶'), fc.constantFrom('', '{.wide}', '{.small}', '{#fig-x}'))
  .map(
    ([w, mark, attr]) =>
      () =>
        `![${w}](images/photo.png "${mark}${w}。")${attr}`,
  );

const block: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 5, arbitrary: paragraph },
  { weight: 2, arbitrary: listItems(2).map((l) => (r: Refs) => l(r, '')) },
  { weight: 2, arbitrary: quote(2) },
  { weight: 1, arbitrary: table },
  { weight: 1, arbitrary: figure },
  { weight: 1, arbitrary: fc.constant(() => '---') },
  { weight: 1, arbitrary: hanWord.map((w) => () => `### ${w}`) },
);

const chapter = fc.tuple(hanWord, hanWord, fc.array(block, { minLength: 1, maxLength: 6 }));

/** One chapter's Markdown: its heading (with an id other chapters' links may use), blocks and notes. */
function chapterText([title, section, blocks]: [string, string, Piece[]], n: number, anchors: string[]): string {
  const r: Refs = { notes: 0, anchors };
  const body = blocks.map((b) => b(r)).join('\n\n');
  // note labels are per file in Markdown: n1, n2 … defined once each
  const notes = Array.from({ length: r.notes }, (_, i) => `[^n${i + 1}]: ${title}注${i + 1}。`).join('\n');
  return `# ${title} {#ch${n}}\n\n## ${section} {#s${n}}\n\n${body}\n${notes ? `\n${notes}\n` : ''}`;
}

/** A whole manuscript: book.yaml and one to three chapters; `language` zh-CN or zh-TW. */
export const manuscriptArb: fc.Arbitrary<Record<string, string>> = fc
  .tuple(fc.array(chapter, { minLength: 1, maxLength: 3 }), fc.constantFrom('zh-CN', 'zh-TW'), fc.boolean())
  .map(([chapters, language, perPage]) => {
    const anchors = chapters.map((_, i) => `s${i + 1}`);
    const files: Record<string, string> = {
      'book.yaml':
        `title: 属性测试\nauthors: [甲]\nlanguage: ${language}\ndate: 2026-01-02\nslug: prop\n` +
        (perPage ? 'footnotes:\n  numbering: page\n' : ''),
    };
    chapters.forEach((c, i) => (files[`0${i + 1}.md`] = chapterText(c, i + 1, anchors)));
    return files;
  });
