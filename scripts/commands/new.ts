// folio new: a new book's folder (manuscript with a commented book.yaml, a first chapter, .gitignore).
import path from 'node:path';
import type { Command } from 'commander';
import { examples, type FolioCommand } from './shared.js';

export interface NewOptions {
  title?: string;
  author?: string[];
  from?: string;
}

async function runNew(dir: string, o: NewOptions): Promise<number> {
  const { createBook } = await import('../new/new.js');
  const r = await createBook(dir, { title: o.title, authors: o.author, from: o.from });
  const shown = path.relative(process.cwd(), r.dir) || '.';
  process.stdout.write(`folio: new book 《${r.title}》 in ${shown}/\n`);
  for (const f of r.files) process.stdout.write(`  ${path.join(shown, f)}\n`);
  process.stdout.write(
    r.slugReason === 'taken'
      ? `  output names: ${r.slug}.pdf, … ` +
          `(set in book.yaml: the desk already has a book named ${r.slug.replace(/-[0-9a-f]{4}$/, '')})\n`
      : r.slugReason === 'title'
        ? `  output names: ${r.slug}.pdf, … ` +
          '(set in book.yaml: the title makes no name of 3 letters or more; change slug: there)\n'
        : `  output names: ${r.slug}.pdf, ${r.slug}.epub, … (from the title; set slug: in book.yaml to change)\n`,
  );
  for (const n of r.notes) process.stdout.write(`  to do: ${n}\n`);
  const cd = shown === '.' ? '' : `cd ${shown.includes(' ') ? JSON.stringify(shown) : shown} && `;
  process.stdout.write(`next: ${cd}npx folio build    (then: npx folio preview)\n`);
  return 0;
}

export const newCommand: FolioCommand<[string, NewOptions]> = {
  define: (program: Command) =>
    program
      .command('new')
      .description(
        'start a book: DIR/manuscript (book.yaml with every field, a first chapter, an image) and .gitignore',
      )
      .argument('<dir>', 'folder to create (must not exist, or be empty)')
      .option('--title <title>', 'book title (default: the folder name)')
      .option('--author <name...>', 'author(s), in credit order (default: 佚名, to fill in)')
      .option('--from <raw>', 'import raw newspaper text as the first chapter (as folio import does)')
      .addHelpText(
        'after',
        examples(
          'folio new 新的一本书 --author 作者甲 作者乙',
          'folio new books/next --title 新的一本书 --from raw.txt',
        ),
      ),
  run: runNew,
};
