import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { bookSchema } from './schema.js';

/** Where the package ships the JSON Schema of book.yaml (`files` in package.json includes schema/). */
export const BOOK_SCHEMA_FILE = fileURLToPath(new URL('../../schema/book.schema.json', import.meta.url));

/**
 * The JSON Schema of `book.yaml`, generated from the zod schema the build validates with, so an
 * editor (yaml-language-server) completes and checks the same fields. Draft-07: what editors read
 * best. `io: 'input'` because a field with a default may be left out.
 */
export function bookJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(bookSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  const { $schema, ...rest } = generated as Record<string, unknown>;
  return {
    $schema,
    title: 'Folio book.yaml',
    description: 'Folio 书稿的 book.yaml\nThe book.yaml of a Folio manuscript',
    ...rest,
  };
}

/** The committed file's text: two-space JSON and a final newline (what `npm run schema` writes). */
export const bookJsonSchemaText = () => `${JSON.stringify(bookJsonSchema(), null, 2)}\n`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeFile(BOOK_SCHEMA_FILE, bookJsonSchemaText());
  process.stdout.write(`wrote ${path.relative(process.cwd(), BOOK_SCHEMA_FILE)}\n`);
}
