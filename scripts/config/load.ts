import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { type Diagnostic, FolioError } from '../diagnostics/diagnostic.js';
import { backCoverCapacity, bookSchema, type BookYaml, TRIMS } from './schema.js';

/** Line and column of the value at a path in book.yaml (from the parser's node ranges), else of its nearest parent. */
export type PositionOf = (path: (string | number)[]) => { line: number; column: number };

/**
 * Parses and validates the text of `book.yaml`. Errors point at the offending node.
 * @example parseBookYaml('title: x\nauthors: [a]\nlanguage: zh-CN\n', 'book.yaml').title // 'x'
 */
export function parseBookYaml(text: string, file: string): BookYaml {
  return readBookYaml(text, file).config;
}

/** The validated config and where each of its values is written. */
export function readBookYaml(text: string, file: string): { config: BookYaml; positionOf: PositionOf } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const positionOf: PositionOf = (path) => {
    const node = findNode(doc, path);
    return node?.range ? at(node.range[0]) : { line: 1, column: 1 };
  };
  if (doc.errors.length > 0) {
    throw new FolioError(
      doc.errors.map((e) => ({
        file,
        ...at(e.pos[0]),
        severity: 'error' as const,
        message: `Invalid YAML: ${e.message.split('\n')[0]}`,
        ruleId: 'config-yaml',
        hint: 'Check indentation and quoting; strings containing ": " need quotes.',
      })),
    );
  }
  if (!isMap(doc.contents)) {
    throw new FolioError([
      {
        file,
        line: 1,
        column: 1,
        severity: 'error',
        message: 'Expected book.yaml to be a mapping of fields (title, authors, language, …)',
        ruleId: 'config-type',
        hint: 'Start with "title: …" on the first line.',
      },
    ]);
  }
  const parsed = bookSchema.safeParse(toJS(doc, file));
  if (!parsed.success)
    throw new FolioError(parsed.error.issues.map((issue) => issueToDiagnostic(unwrapUnion(issue), doc, file, at)));
  checkBackCover(parsed.data, file, positionOf);
  return { config: parsed.data, positionOf };
}

/** The document as plain data; an alias bomb (aliases expanding to millions of nodes) is refused. */
function toJS(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new FolioError(
      [
        {
          file,
          line: 1,
          column: 1,
          severity: 'error',
          message: `Invalid YAML: ${(e as Error).message}`,
          ruleId: 'config-yaml',
          hint: 'book.yaml needs no aliases (*name) at all; write the values out.',
        },
      ],
      1,
      { cause: e },
    );
  }
}

/** The description must fit the back cover below the title: an error, never a cut. */
function checkBackCover(config: BookYaml, file: string, positionOf: PositionOf): void {
  if (!config.description) return;
  const trim = typeof config.trim === 'string' ? TRIMS[config.trim] : config.trim;
  const capacity = backCoverCapacity(trim, config.title);
  if (config.description.length <= capacity) return;
  throw new FolioError([
    {
      file,
      ...positionOf(['description']),
      severity: 'error',
      message:
        `description: ${config.description.length} characters; the back cover of this trim holds ` +
        `${capacity} below the title`,
      ruleId: 'config-too-long',
      hint: 'Shorten the description to a paragraph: it is printed whole on the back cover and in the EPUB.',
    },
  ]);
}

/**
 * Line and column of a field of book.yaml (its key), for diagnostics raised after validation.
 * @example configPosition('press:\n  sheet: A4\n', ['press', 'sheet']) // { line: 2, column: 3 }
 */
export function configPosition(text: string, path: string[]): { line: number; column: number } | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const key = findKey(doc, path);
  if (!key?.range) return undefined;
  const p = lineCounter.linePos(key.range[0]);
  return { line: p.line, column: p.col };
}

/** For a union, report the branch that got furthest: an object with one bad field beats "expected a string". */
function unwrapUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const score = (branch: z.core.$ZodIssue[]) =>
    Math.max(...branch.map((i) => i.path.length * 2 + (i.code === 'invalid_type' && i.path.length === 0 ? 0 : 1)));
  const best = [...issue.errors].sort((a, b) => score(b) - score(a))[0]!;
  const inner = best[0]!;
  return unwrapUnion({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue);
}

function issueToDiagnostic(
  issue: z.core.$ZodIssue,
  doc: Document,
  file: string,
  at: (offset: number) => { line: number; column: number },
): Diagnostic {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const field = path.length ? path.join('.') : '(document)';
  let node = findNode(doc, path);
  let message = `${field}: ${issue.message}`;
  let ruleId = `config-${issue.code.replace(/_/g, '-')}`;
  const rule = (issue as { params?: { rule?: string } }).params?.rule;
  if (issue.code === 'custom' && rule) ruleId = rule;
  if (issue.code === 'too_big' && issue.origin === 'string') {
    const value = doc.getIn(path) as string | undefined;
    ruleId = 'config-too-long';
    message = `${field}: ${issue.message} (${value?.length ?? '?'})`;
  }
  let hint =
    FIELD_HINTS[String(path[0])] ??
    'Every field of book.yaml is described in docs/manuscript.md (and on hover in an editor: see folio new).';
  if (rule === 'config-character')
    hint = 'Remove it: a field is printable text on one line (look for \\r, \\e or \\a escapes in double quotes).';
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    message = `Missing required field "${field}"`;
    ruleId = 'config-required';
    hint = `Add a line "${field}: …" to book.yaml.`;
    node = undefined;
  } else if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    message = `Unknown field "${[...path, key].join('.')}"`;
    node = findKey(doc, [...path, key]) ?? node;
    hint = 'Check the spelling; the known fields are listed in docs/manuscript.md.';
  }
  const pos = node?.range ? at(node.range[0]) : { line: 1, column: 1 };
  return { file, ...pos, severity: 'error', message, ruleId, hint };
}

const FIELD_HINTS: Record<string, string> = {
  title: 'Write the title as text: title: 缘藏30载 真情暖高原',
  authors: 'Write authors as a list: authors: [姓名甲, 姓名乙], or one "- 姓名" per line.',
  language: 'Use a BCP 47 tag such as zh-CN, zh-TW or en.',
  date: 'Write the date as YYYY-MM-DD, e.g. 2026-11-29.',
  identifier: 'Give an ISBN with a valid check digit (978-7-…) or a URN (urn:uuid:…); or leave it out.',
  trim: 'Use A5, A4, A6, B5, or {width: 148, height: 210} in millimetres.',
  chapters: 'List chapter files relative to the manuscript folder: chapters: [01-feature.md].',
  slug: 'Use lower-case letters, digits and hyphens, e.g. yuancang-30zai.',
  cover: 'Give an image path inside the manuscript folder, e.g. images/cover.jpg.',
  press:
    'press takes bleed, safe and creep in mm, sheet (A4 or A3), outputIntent (FOGRA39, or {identifier, icc}), ' +
    'maxInk (%) and strict, e.g. press: {bleed: 3, safe: 5}.',
  pages: 'pages: auto, or a multiple of 4 such as 12 or 16.',
  imprint:
    'imprint takes publisher, address, printer, edition, editionDate (YYYY-MM), impression, printRun, ' +
    'cip, permit, price or notForSale; see docs/manuscript.md.',
};

type Ranged = { range?: [number, number, number] | null };

function findNode(doc: Document, path: (string | number)[]): Ranged | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as Ranged | undefined;
    if (node && typeof node === 'object' && node.range) return node;
  }
  return undefined;
}

function findKey(doc: Document, path: (string | number)[]): Ranged | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === path.at(-1));
  return pair?.key as Ranged | undefined;
}
