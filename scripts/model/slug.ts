import { createHash } from 'node:crypto';
import { pinyin } from 'pinyin-pro';

/** The longest default slug, in characters; longer titles are cut at a syllable boundary. */
const MAX_SLUG = 60;

/**
 * The default base name of a book's output files: its title in toneless pinyin, one syllable per
 * hyphen-separated word, Latin words lower-cased, digits kept, everything else dropped. It depends on
 * the title alone, so editing the text never renames the files. A title with fewer than three letters
 * or digits after that (only punctuation or symbols) falls back to `book-` and eight hex digits of the
 * content hash.
 * @example slugFromTitle('新的一本书', hash) // 'xin-de-yi-ben-shu'
 * @example slugFromTitle('缘藏30载 真情暖高原', hash) // 'yuan-cang-30-zai-zhen-qing-nuan-gao-yuan'
 */
export function slugFromTitle(title: string, contentHash: string): string {
  const words = pinyin(title.normalize('NFKC'), { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true })
    .flatMap((w) =>
      w
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .split(/[^a-z0-9]+/),
    )
    .filter(Boolean);
  let slug = '';
  for (const w of words) {
    const next = slug ? `${slug}-${w}` : w;
    if (next.length > MAX_SLUG) break;
    slug = next;
  }
  return slug.replace(/-/g, '').length >= 3 ? slug : `book-${contentHash.slice(0, 8)}`;
}

/**
 * A slug that no other book of the desk uses: the title's own slug when it is free, else that slug
 * with four hex digits of the title's hash (two titles that sound alike, 新的一本书 and 心的一本书),
 * else (the same title twice) with four hex digits of the hash of the title and the folder's name.
 * @example uniqueSlug('新的一本书', 'b', new Set(['xin-de-yi-ben-shu'])) // 'xin-de-yi-ben-shu-1c1e'
 */
export function uniqueSlug(title: string, folder: string, taken: ReadonlySet<string>): string {
  const base = slugFromTitle(title, createHash('sha256').update(title).digest('hex'));
  if (!taken.has(base)) return base;
  const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 4);
  const byTitle = `${base}-${short(title)}`;
  if (!taken.has(byTitle)) return byTitle;
  for (let i = 0; ; i++) {
    const candidate = `${base}-${short(`${title}\n${folder}\n${i}`)}`;
    if (!taken.has(candidate)) return candidate;
  }
}
