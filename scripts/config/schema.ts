import { z } from 'zod';

/** Named trims, width × height in millimetres. */
export const TRIMS = {
  A4: { width: 210, height: 297 },
  A5: { width: 148, height: 210 },
  A6: { width: 105, height: 148 },
  B5: { width: 176, height: 250 },
} as const;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Expected an ISO date (YYYY-MM-DD)')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'Not a real calendar date');

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

/** The schema of `book.yaml`. Every field has a description; README documents the same. */
export const bookSchema = z.strictObject({
  title: z.string().min(1).describe('Book title, shown on the cover, title page and running heads'),
  subtitle: z.string().min(1).optional().describe('Subtitle'),
  authors: z.array(z.string().min(1)).min(1).describe('Authors, in credit order'),
  publisher: z.string().min(1).optional(),
  language: bcp47.describe('BCP 47 language tag of the text'),
  date: isoDate.optional().describe('Publication date'),
  identifier: identifier.optional().describe('ISBN or URN'),
  edition: z.string().min(1).optional(),
  rights: z.string().min(1).optional(),
  description: z.string().min(1).optional().describe('One-paragraph description (EPUB, PDF Subject)'),
  cover: z.string().min(1).optional().describe('Cover image, relative to the manuscript folder'),
  trim: trim.default('A5'),
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'Expected lower-case letters, digits and hyphens')
    .optional()
    .describe('Base name of output files; default from identifier or title'),
  chapters: z.array(z.string().min(1)).min(1).optional().describe('Chapter files in reading order'),
  lint: z
    .strictObject({
      allow: z.array(z.string().min(1)).default([]).describe('Words the traditional-character rule accepts (names)'),
    })
    .default({ allow: [] })
    .describe('Settings for folio lint'),
  footnotes: z
    .strictObject({
      numbering: z
        .enum(['chapter', 'page'])
        .default('chapter')
        .describe('Footnote numbers run through each chapter, or start again on every page (print)'),
    })
    .default({ numbering: 'chapter' })
    .describe('How footnotes are numbered'),
  captions: z
    .strictObject({
      mark: z
        .string()
        .max(4)
        .default('▲')
        .describe('Mark set before every figure caption that does not start with one of its own; "" for none'),
    })
    .default({ mark: '▲' })
    .describe('Figure captions'),
  press: z
    .strictObject({
      bleed: z.number().min(0).max(10).default(3).describe('Bleed on every side, mm'),
      safe: z.number().min(0).max(30).default(5).describe('Text must stay this far inside the trim, mm'),
      creep: z.number().min(0).max(2).default(0).describe('Saddle-stitch creep per sheet, mm'),
      sheet: z.enum(['A4', 'A3']).default('A4').describe('Imposition sheet (landscape), two pages up'),
    })
    .default({ bleed: 3, safe: 5, creep: 0, sheet: 'A4' })
    .describe('Print-shop settings for the press, press-pdfx and imposed targets'),
});

export type BookYaml = z.infer<typeof bookSchema>;

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
