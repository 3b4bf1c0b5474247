// book.yaml's JSON Schema is generated from the zod schema and committed; the generated book.yaml of
// `folio new` is generated from it in turn. Both follow the zod schema whoever changes it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBookYaml } from '../scripts/config/load.js';
import { BOOK_SCHEMA_FILE, bookJsonSchema, bookJsonSchemaText } from '../scripts/config/json-schema.js';
import { bookSchema } from '../scripts/config/schema.js';
import { bookYamlText } from '../scripts/new/book-yaml.js';

interface Node {
  description?: string;
  properties?: Record<string, Node>;
}

/** Every property of the schema, nested ones as `press.bleed`. */
function properties(node: Node, prefix = ''): [string, Node][] {
  return Object.entries(node.properties ?? {}).flatMap(([k, v]) => [
    [`${prefix}${k}`, v] as [string, Node],
    ...properties(v, `${prefix}${k}.`),
  ]);
}

const given = { title: '新的一本书', authors: ['作者甲'], language: 'zh-CN', date: '2026-12-01', chapters: ['01.md'] };

describe('JSON Schema of book.yaml', () => {
  it('is committed as generated from the zod schema (run `npm run schema` after changing it)', () => {
    expect(readFileSync(BOOK_SCHEMA_FILE, 'utf8')).toBe(bookJsonSchemaText());
  });

  it('has every field of the zod schema, each described in Chinese and in English', () => {
    const schema = bookJsonSchema() as Node;
    expect(Object.keys(schema.properties!)).toEqual(Object.keys(bookSchema.shape));
    for (const [name, node] of properties(schema)) {
      expect(node.description, name).toMatch(/[\u4e00-\u9fff]/);
      expect(node.description, name).toMatch(/\n[A-Z][a-zA-Z -]+/);
    }
  });

  it('requires what the build requires and nothing else', () => {
    expect((bookJsonSchema() as { required: string[] }).required.sort()).toEqual(['authors', 'language', 'title']);
  });
});

describe('the book.yaml folio new writes', () => {
  const text = bookYamlText(given, '../schema/book.schema.json');

  it('points the editor at the schema on its first line', () => {
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/book.schema.json');
  });

  it('loads, with the given fields set and the rest left to their defaults', () => {
    const config = parseBookYaml(text, 'book.yaml');
    expect(config).toMatchObject({ ...given, trim: 'A5', press: { bleed: 3, safe: 5, creep: 0, sheet: 'A4' } });
    expect(config.subtitle).toBeUndefined();
  });

  it('shows every field, top-level and nested, with its help', () => {
    for (const [name, node] of properties(bookJsonSchema() as Node)) {
      const key = name.split('.').at(-1)!;
      expect(text, name).toMatch(new RegExp(`^(# )?( {2})?${key}:`, 'm'));
      for (const line of node.description!.split('\n')) expect(text, name).toContain(line);
    }
  });

  it('validates with every commented field switched on, and that is exactly removing the "# "', () => {
    const all = bookYamlText(given, '../schema/book.schema.json', { uncommentAll: true });
    parseBookYaml(all, 'book.yaml');
    const lines = new Set(text.split('\n'));
    for (const line of all.split('\n')) expect(lines.has(line) || lines.has(`# ${line}`), line).toBe(true);
  });
});
