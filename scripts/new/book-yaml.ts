import { stringify } from 'yaml';
import { bookJsonSchema } from '../config/json-schema.js';

interface FieldSchema {
  description?: string;
  examples?: unknown[];
  default?: unknown;
  properties?: Record<string, FieldSchema>;
}

const scalar = (value: unknown): string =>
  stringify(value, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trimEnd();

/** `# 中文` and `# English` above a field (the description holds both, one per line). */
const commentLines = (s: FieldSchema, indent = ''): string[] =>
  (s.description ?? '').split('\n').map((l) => `${indent}# ${l}`);

/** A nested mapping (press, lint): each key with its default or example, its help as a line comment. */
function objectLines(name: string, s: FieldSchema, given: unknown): string[] {
  const values = (given ?? s.default ?? {}) as Record<string, unknown>;
  const lines = [`${name}:`];
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    const v = values[key] ?? sub.default ?? sub.examples?.[0];
    lines.push(`  ${key}: ${scalar(v)}  # ${(sub.description ?? '').replace('\n', ' / ')}`);
  }
  return lines;
}

/**
 * The text of a new book's `book.yaml`, generated from the JSON Schema (itself generated from the
 * zod schema), so every field the build knows is there: the given ones as YAML, the others as a
 * commented example or default to uncomment; each with its help in Chinese and English. With
 * `uncommentAll`, every field is written live (the test that checks all examples validate).
 * @example bookYamlText({ title: '新的一本书', authors: ['甲'], language: 'zh-CN' }, 'schema.json')
 */
export function bookYamlText(
  values: Record<string, unknown>,
  schemaRef: string,
  opts: { uncommentAll?: boolean; examples?: Record<string, unknown> } = {},
): string {
  const schema = bookJsonSchema() as { properties: Record<string, FieldSchema>; required?: string[] };
  const out = [
    `# yaml-language-server: $schema=${schemaRef}`,
    '# 书的资料。带 # 的行是说明或可选字段：去掉行首的 # 即启用。详见 Folio 的 docs/manuscript.md。',
    "# The book's data. Lines starting with # are help or optional fields: remove the # to use one.",
    "# Every field is explained in Folio's docs/manuscript.md.",
    '',
  ];
  for (const [name, field] of Object.entries(schema.properties)) {
    const given = values[name];
    const live = given !== undefined || opts.uncommentAll;
    out.push(...commentLines(field));
    const body = field.properties
      ? objectLines(name, field, given)
      : [`${name}: ${scalar(given ?? opts.examples?.[name] ?? field.examples?.[0] ?? field.default ?? '')}`];
    out.push(...body.map((l) => (live ? l : `# ${l}`)), '');
  }
  return out.join('\n');
}
