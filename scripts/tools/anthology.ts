import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes a long manuscript made of the seed feature repeated `copies` times as chapters — the
 * stand-in for the 300-page anthology in benchmarks and typography checks.
 * `tsx scripts/tools/anthology.ts 20 /tmp/anthology-20`
 */
export function makeAnthology(copies: number, dir: string, seed = 'manuscript'): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(seed, 'images'), path.join(dir, 'images'), { recursive: true });
  const chapter = readFileSync(path.join(seed, '01-feature.md'), 'utf8');
  const chapters: string[] = [];
  for (let i = 1; i <= copies; i++) {
    const name = `${String(i).padStart(3, '0')}-feature.md`;
    // headings numbered so that every chapter has its own title
    writeFileSync(
      path.join(dir, name),
      chapter.replace(/^# (.*)$/m, `# $1（之${i}）`).replace(/^## (.*)$/m, `## $1（之${i}）`),
    );
    chapters.push(name);
  }
  writeFileSync(
    path.join(dir, 'book.yaml'),
    [
      'title: 缘藏30载 真情暖高原（文集）',
      'subtitle: 吉林对口支援日喀则',
      'authors: [旦增嘎瓦, 韩丽苹]',
      'language: zh-CN',
      'date: 2026-11-29',
      `slug: anthology-${copies}`,
      'chapters:',
      ...chapters.map((c) => `  - ${c}`),
      '',
    ].join('\n'),
  );
  return dir;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const copies = Number(process.argv[2] ?? 20);
  console.log(makeAnthology(copies, process.argv[3] ?? `tmp/anthology-${copies}`));
}
