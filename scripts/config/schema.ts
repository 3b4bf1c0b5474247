import { z } from 'zod';

/** Named trims, width × height in millimetres. */
export const TRIMS = {
  A4: { width: 210, height: 297 },
  A5: { width: 148, height: 210 },
  A6: { width: 105, height: 148 },
  B5: { width: 176, height: 250 },
} as const;

/** The longest title: it is set on the cover, the title page and every verso running head. */
export const TITLE_MAX = 80;

/** A real calendar day: 2026-02-30 is refused (Date.parse would roll it over to March). */
export function isCalendarDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Expected an ISO date (YYYY-MM-DD)')
  .refine(isCalendarDate, { message: 'Not a real calendar date', params: { rule: 'config-date' } });

/**
 * C0/C1 control characters (tab and line feed allowed where `multiline`), noncharacters (U+FFFE,
 * U+FFFF, U+FDD0–U+FDEF, and the last two of every plane) and U+FFFD (what a lossy decoder leaves):
 * none is allowed in a field. XML (the EPUB, XMP) cannot carry most of them at all.
 */
const PLANE_ENDS = Array.from(
  { length: 16 },
  (_, i) => `\\u{${(i + 1).toString(16)}fffe}\\u{${(i + 1).toString(16)}ffff}`,
);
export const BAD_CHARACTER = new RegExp(
  `[\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\uFDD0-\\uFDEF\\uFFFD\\uFFFE\\uFFFF${PLANE_ENDS.join('')}]`,
  'u',
);

/** `U+0007` for the first bad character of `s`, or undefined. */
export function badCharacter(s: string, multiline = false): string | undefined {
  const m = BAD_CHARACTER.exec(multiline ? s : s.replace(/\n/g, '\r'));
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/** A one-line text field of at most `max` characters, without control or noncharacters. */
const text = (max: number, multiline = false) =>
  z
    .string()
    .min(1)
    .max(max, `Longer than ${max} characters`)
    .superRefine((s, ctx) => {
      const bad = badCharacter(s, multiline);
      if (bad)
        ctx.addIssue({
          code: 'custom',
          message:
            `Contains the control or noncharacter ${bad}` +
            (bad === 'U+000D' || bad === 'U+000A' ? ' (a line break)' : ''),
          params: { rule: 'config-character' },
        });
    });

const bcp47 = z.string().refine((s) => {
  try {
    return Intl.getCanonicalLocales(s).length === 1;
  } catch {
    return false;
  }
}, 'Expected a BCP 47 language tag such as zh-CN');

const identifier = z
  .string()
  .refine(
    (s) => /^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$/i.test(s) || isIsbn(s),
    'Expected an ISBN (10 or 13 digits, checksum valid) or a URN such as urn:uuid:…',
  );

const trim = z.union([
  z.enum(Object.keys(TRIMS) as [keyof typeof TRIMS, ...(keyof typeof TRIMS)[]], {
    error: `Unknown trim; expected one of ${Object.keys(TRIMS).join(', ')} or {width, height} in mm`,
  }),
  z.strictObject({
    width: z.number().min(50).max(600),
    height: z.number().min(50).max(900),
  }),
]);

/**
 * One field's help, in both languages the desk works in: the editor shows it on hover (through the
 * JSON Schema, `npm run schema`) and `folio new` writes it as the comment above the field.
 */
const about = (zh: string, en: string, ...examples: unknown[]) => ({
  description: `${zh}\n${en}`,
  ...(examples.length ? { examples } : {}),
});

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Expected a month (YYYY-MM)');

/** Registered characterisations Folio ships a profile for; others are given with their ICC profile (`icc`). */
export const REGISTERED_INTENTS = ['FOGRA39'] as const;

const outputIntent = z.union([
  z.enum(REGISTERED_INTENTS, { error: `Expected ${REGISTERED_INTENTS.join(' or ')}, or {identifier, icc}` }),
  z.strictObject({
    identifier: z
      .string()
      .min(1)
      .meta(about('输出条件标识符。', 'OutputConditionIdentifier, e.g. JC200103.', 'JC200103')),
    icc: z
      .string()
      .min(1)
      .meta(
        about(
          '该条件的 ICC 特性文件，相对稿件目录。',
          'The ICC profile of the condition, relative to the manuscript folder.',
        ),
      ),
    condition: z.string().min(1).optional().meta(about('输出条件说明。', 'OutputCondition text.')),
    registry: z.string().min(1).default('http://www.color.org').meta(about('登记处。', 'Registry name.')),
  }),
]);

/** 版权页: what Chinese publishers print; 开本, 印张 and 字数 are computed from the layout. */
const imprint = z.strictObject({
  publisher: z
    .string()
    .min(1)
    .optional()
    .meta(about('出版/编印单位；缺省时取 publisher。', 'Publisher (出版/编印单位); default: publisher.', '某某报社')),
  address: z
    .string()
    .min(1)
    .optional()
    .meta(about('出版/编印单位地址。', 'Its address.', '吉林省长春市')),
  printer: z
    .string()
    .min(1)
    .optional()
    .meta(about('印刷单位。', 'Printer (印刷单位).', '某某印刷厂')),
  edition: z
    .number()
    .int()
    .min(1)
    .default(1)
    .meta(about('版次。', 'Edition number (版次).', 1)),
  editionDate: month
    .optional()
    .meta(about('版次年月；缺省时取 date 的年月。', 'Month of the edition; default: the month of date.', '2026-11')),
  impression: z
    .number()
    .int()
    .min(1)
    .default(1)
    .meta(about('印次。', 'Impression number (印次).', 1)),
  impressionDate: month
    .optional()
    .meta(about('印次年月；缺省时同版次。', 'Month of this printing; default: the edition month.', '2026-11')),
  printRun: z
    .number()
    .int()
    .min(1)
    .optional()
    .meta(about('印数（册）。', 'Print run (印数), copies.', 2000)),
  cip: z
    .string()
    .min(1)
    .optional()
    .meta(
      about(
        '图书在版编目（CIP）数据。',
        'CIP data, as the CIP centre gave it.',
        '书名 / 著者. —— 出版地：出版者，2026.11',
      ),
    ),
  permit: z
    .string()
    .min(1)
    .optional()
    .meta(
      about('内部资料准印证号。', 'Permit number (准印证号) of an internal publication.', '吉内资准字（2026）第001号'),
    ),
  price: z
    .number()
    .positive()
    .optional()
    .meta(about('定价（元）。', 'Price (定价), yuan.', 28)),
  notForSale: z
    .boolean()
    .optional()
    .meta(about('非卖品（不标定价）。', 'Not for sale (非卖品) instead of a price.', true)),
});

/** The schema of `book.yaml`. Every field has a description; README documents the same. */

/** The schema of `book.yaml`. Every field has a description; docs/manuscript.md documents the same. */
export const bookSchema = z.strictObject({
  title: text(TITLE_MAX).meta(
    about('书名：封面、扉页、左页书眉。', 'Book title: cover, title page, running heads.', '新的一本书'),
  ),
  subtitle: text(120)
    .optional()
    .meta(about('副题。', 'Subtitle.', '吉林对口支援日喀则')),
  authors: z
    .array(text(100))
    .min(1)
    .meta(about('作者，按署名顺序。', 'Authors, in credit order.', ['作者甲', '作者乙'])),
  publisher: text(200)
    .optional()
    .meta(about('出版者：印在扉页和版权页。', 'Publisher, on the title page and imprint.', '某某日报社')),
  language: bcp47.meta(about('正文语言（BCP 47）。', 'Language of the text (BCP 47 tag).', 'zh-CN')),
  date: isoDate
    .optional()
    .meta(
      about(
        '出版日期（YYYY-MM-DD）；未设 SOURCE_DATE_EPOCH 时也是构建日期。',
        'Publication date (YYYY-MM-DD); also the build date unless SOURCE_DATE_EPOCH is set.',
        '2026-11-29',
      ),
    ),
  identifier: identifier
    .optional()
    .meta(
      about(
        'ISBN（校验位须正确）或 URN；缺省时由内容生成 urn:uuid。',
        'ISBN (check digit verified) or URN; default: a urn:uuid derived from the content.',
        '978-7-000-00000-1',
      ),
    ),
  edition: text(100)
    .optional()
    .meta(about('版次。', 'Edition.', '第1版')),
  rights: text(500)
    .optional()
    .meta(about('版权声明，印在版权页。', 'Rights statement, on the imprint.', '文字版权归原作者所有。')),
  description: text(4000, true)
    .optional()
    .meta(
      about(
        '内容简介（一段）：封底、EPUB、PDF 主题；须排得下封底。',
        'One-paragraph description: back cover (it must fit there), EPUB, PDF Subject.',
        '一段内容简介。',
      ),
    ),
  cover: z
    .string()
    .min(1)
    .optional()
    .meta(
      about(
        '封面图片（书稿文件夹内），画到出血；缺省时绘制封面。',
        'Cover image inside the manuscript folder, drawn to the bleed; default: a drawn cover.',
        'images/cover.jpg',
      ),
    ),
  trim: trim
    .default('A5')
    .meta(
      about(
        '成品尺寸：A5、A4、A6、B5 或 {width, height}（毫米）。',
        'Trim size: A5, A4, A6, B5 or {width, height} in mm.',
        'A5',
      ),
    ),
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'Expected lower-case letters, digits and hyphens')
    .optional()
    .meta(
      about(
        '输出文件名（小写字母、数字、连字符）；缺省时取书名的拼音。',
        'Base name of the output files (a-z, 0-9, -); default: the title in pinyin.',
        'xin-de-yi-ben-shu',
      ),
    ),
  chapters: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .meta(
      about(
        '各章文件，按阅读顺序；缺省时按文件名取全部 *.md（README.md 除外）。',
        'Chapter files in reading order; default: every *.md but README.md, by name.',
        ['01-feature.md'],
      ),
    ),
  pages: z
    .union([z.literal('auto'), z.number().int().min(4).max(1000).multipleOf(4, 'Expected a multiple of 4 pages')])
    .default('auto')
    .meta(
      about(
        '纸质版页数：4 的倍数，或 auto（所需最少的帖数）。',
        'Booklet page count (a multiple of 4), or auto: the fewest sheets.',
        'auto',
      ),
    ),
  imprint: imprint
    .optional()
    .meta(about('版权页：出版/编印、印刷、版次印次、印数、准印证号、定价。', 'Imprint page (版权页) fields.')),
  lint: z
    .strictObject({
      allow: z
        .array(z.string().min(1))
        .default([])
        .meta(
          about('繁体字规则放行的词（人名、地名）。', 'Words the traditional-character rule accepts (names).', [
            '張三',
          ]),
        ),
    })
    .default({ allow: [] })
    .meta(about('folio lint 的设置。', 'Settings for folio lint.')),
  footnotes: z
    .strictObject({
      numbering: z
        .enum(['chapter', 'page'])
        .default('chapter')
        .meta(
          about(
            '脚注编号：每章连续编号，或（印刷版）每页从头编号。',
            'Footnote numbers run through each chapter, or start again on every page (print).',
            'chapter',
          ),
        ),
    })
    .default({ numbering: 'chapter' })
    .meta(about('脚注的编号方式。', 'How footnotes are numbered.')),
  captions: z
    .strictObject({
      mark: z
        .string()
        .max(4)
        .default('▲')
        .meta(
          about(
            '图注前的符号（图注本身不以符号开头时加上）；"" 表示不加。',
            'Mark set before every figure caption that does not start with one of its own; "" for none.',
            '▲',
          ),
        ),
    })
    .default({ mark: '▲' })
    .meta(about('图注。', 'Figure captions.')),
  press: z
    .strictObject({
      bleed: z
        .number()
        .min(0)
        .max(10)
        .default(3)
        .meta(about('出血，毫米。', 'Bleed on every side, mm.', 3)),
      safe: z
        .number()
        .min(0)
        .max(30)
        .default(5)
        .meta(about('安全区：文字距裁切线至少这么远，毫米。', 'Text stays this far inside the trim, mm.', 5)),
      creep: z
        .number()
        .min(0)
        .max(2)
        .default(0)
        .meta(about('骑马钉爬移补偿，每帖毫米。', 'Saddle-stitch creep per sheet, mm.', 0)),
      sheet: z
        .enum(['A4', 'A3'])
        .default('A4')
        .meta(about('拼版纸张（横放，一面两版）。', 'Imposition sheet (landscape), two pages up.', 'A4')),
      outputIntent: outputIntent
        .default('FOGRA39')
        .meta(about('PDF/X 的印刷条件（登记的特性）。', 'Registered printing condition of the PDF/X.', 'FOGRA39')),
      maxInk: z
        .number()
        .min(100)
        .max(400)
        .default(300)
        .meta(about('总墨量上限，百分比。', 'Total area coverage limit, %.', 300)),
      strict: z
        .boolean()
        .default(false)
        .meta(about('仅可作校样时报错（同 --print）。', 'A proof-only press build is an error (as --print).', false)),
    })
    .default({ bleed: 3, safe: 5, creep: 0, sheet: 'A4', outputIntent: 'FOGRA39', maxInk: 300, strict: false })
    .meta(about('印厂设置：press、press-pdfx、imposed。', 'Print-shop settings for press, press-pdfx and imposed.')),
});

export type BookYaml = z.infer<typeof bookSchema>;

/**
 * How many characters of description the back cover holds below the title, for a trim in mm: the
 * text block is 76 % of the width at 9 pt (one CJK character a 9 pt em), 15 pt lines, from 60 pt above
 * the foot up to 72 pt below the top, less the title's lines (12 pt, 0.2 em tracking, 18 pt lines).
 */
export function backCoverCapacity(trim: { width: number; height: number }, title: string): number {
  const pt = 72 / 25.4;
  const width = trim.width * pt * 0.76;
  const titleLines = Math.ceil(title.length / Math.max(1, Math.floor(width / (12 * 1.2))));
  const height = trim.height * pt - 60 - 72 - titleLines * 18 - 15;
  return Math.max(0, Math.floor(height / 15)) * Math.floor(width / 9);
}

export function isIsbn(raw: string): boolean {
  const s = raw.replace(/^ISBN[- ]?(1[03])?:?\s*/i, '').replace(/[- ]/g, '');
  if (/^\d{9}[\dX]$/i.test(s)) {
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += (s[i] === 'X' || s[i] === 'x' ? 10 : Number(s[i])) * (10 - i);
    return sum % 11 === 0;
  }
  if (/^\d{13}$/.test(s)) {
    let sum = 0;
    for (let i = 0; i < 13; i++) sum += Number(s[i]) * (i % 2 ? 3 : 1);
    return sum % 10 === 0;
  }
  return false;
}
