import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EPub, type Chapter } from 'epub-gen-memory';
import JSZip from 'jszip';
import type { Book, Heading } from '../model/book.js';
import type { PageInfo, PageBreak } from '../paginate/paginate.js';
import { TEMPLATES_DIR } from '../render/html.js';
import { isIsbn } from '../config/schema.js';
import { imprintLines, imprintNotes } from '../model/imprint.js';
import { FOLIO_VERSION } from '../version.js';
import { epubCss, epubFonts, familyNames, type EpubFonts } from './font.js';
import { faceUsage } from '../fonts/usage.js';
import { escapeXml } from '../render/escape.js';
import { bookTexts } from '../render/texts.js';

export interface EpubInput {
  book: Book;
  /** Chapter bodies from prepareChapters, in book order. */
  chapters: string[];
  pages: PageInfo[];
  breaks: PageBreak[];
  /** Cover image bytes (JPEG or PNG) and its type. */
  cover: { data: Buffer; mediaType: 'image/jpeg' | 'image/png' };
  /** Name of the booklet PDF the page numbers refer to. */
  printFile: string;
}

const esc = escapeXml;

/**
 * epub-gen-memory, made reproducible: our identifier, deterministic image names, files from disk or memory only.
 */
class FolioEPub extends EPub {
  constructor(
    options: ConstructorParameters<typeof EPub>[0],
    content: Chapter[],
    private readonly folio: { identifier: string; memory: Map<string, Buffer>; fonts: Map<string, Buffer> },
  ) {
    super(options, content);
    this.uuid = folio.identifier;
    // epub-gen-memory serialises every non-ASCII character as &#x…; — legal XML, but a Chinese book
    // should be readable UTF-8 (and a third of the size). ASCII entities (&amp; &lt; …) stay.
    for (const c of this.content) {
      c.content = c.content.replace(/&#x([0-9A-Fa-f]+);/g, (m: string, hex: string) => {
        const cp = parseInt(hex, 16);
        return cp >= 0xa0 && !(cp >= 0xd800 && cp <= 0xdfff) && cp !== 0xfeff ? String.fromCodePoint(cp) : m;
      });
    }
    const used = new Set<string>();
    for (const image of this.images) {
      // images/<random uuid>.png → images/<file name>.png, the same on every build
      let name = image.url.startsWith('folio-mem:')
        ? image.url.slice(10).replace(/\.[^.]+$/, '')
        : path.basename(fileURLToPath(image.url)).replace(/\.[^.]+$/, '');
      name = name.replace(/[^A-Za-z0-9_-]/g, '_') || 'image';
      while (used.has(name)) name = `${name}_`;
      used.add(name);
      for (const c of this.content) c.content = c.content.split(`images/${image.id}.`).join(`images/${name}.`);
      image.id = name;
    }
  }

  protected override async downloadAllImages(): Promise<void> {
    const folder = this.zip.folder('OEBPS')!.folder('images')!;
    for (const image of this.images) {
      const data = image.url.startsWith('folio-mem:')
        ? this.folio.memory.get(image.url)
        : await readFile(fileURLToPath(image.url));
      if (!data) throw new Error(`EPUB image not available: ${image.url}`);
      folder.file(`${image.id}.${image.extension}`, data);
    }
  }

  protected override async downloadAllFonts(): Promise<void> {
    const folder = this.zip.folder('OEBPS')!.folder('fonts')!;
    for (const [name, data] of this.folio.fonts) folder.file(name, data);
  }

  protected override async makeCover(): Promise<void> {
    // the cover is an image of the cover page, declared cover-image in our OPF template
  }

  /** The zip, repacked: mimetype first and stored, then every entry in name order with one fixed date. */
  async pack(date: Date): Promise<Uint8Array> {
    await this.render();
    const out = new JSZip();
    out.file('mimetype', 'application/epub+zip', { compression: 'STORE', date, createFolders: false });
    const names = Object.keys(this.zip.files)
      .filter((n) => n !== 'mimetype' && !this.zip.files[n]!.dir)
      .sort();
    for (const name of names)
      out.file(name, await this.zip.files[name]!.async('uint8array'), {
        date,
        createFolders: false,
        compression: 'DEFLATE',
        compressionOptions: { level: 9 },
      });
    return out.generateAsync({
      type: 'uint8array',
      mimeType: 'application/epub+zip',
      platform: 'DOS',
      streamFiles: false,
    });
  }
}

type EpubOptions = ConstructorParameters<typeof EPub>[0];
type Content = (Chapter & { bodyClass?: string })[];

const TOC_TITLE = '目录';

/**
 * Builds the EPUB 3 with epub-gen-memory and Folio's templates (templates/epub).
 * @example const bytes = await packEpub({ book, chapters, pages, breaks, cover, font, printFile });
 */
export async function packEpub(input: EpubInput): Promise<{ data: Uint8Array; font: EpubFonts; pageList: number }> {
  const { book, pages } = input;
  const { meta } = book;
  const coverExt = input.cover.mediaType === 'image/png' ? 'png' : 'jpg';
  const front = { title: pages.find((p) => p.name === 'front'), imprint: pages.filter((p) => p.name === 'front')[1] };
  const content = epubContent(input, coverExt, front);
  const chapterFile = new Map(book.chapters.map((c) => [c.id, `${c.id}.xhtml`]));
  const hrefOf = (h: Heading) => `${chapterFile.get(h.chapterId)}#${h.id}`;
  const pageList = [
    { n: 1, href: 'cover.xhtml#page-1' },
    ...(front.title ? [{ n: front.title.number, href: `titlepage.xhtml#page-${front.title.number}` }] : []),
    ...(front.imprint ? [{ n: front.imprint.number, href: `titlepage.xhtml#page-${front.imprint.number}` }] : []),
    ...input.breaks.map((b) => ({ n: b.page, href: `${chapterFile.get(b.chapterId)}#page-${b.page}` })),
  ];
  const nav = navXhtml(book, hrefOf, chapterFile, pageList);
  const font = await fontsFor(content, nav);
  const memory = new Map([[`folio-mem:cover.${coverExt}`, input.cover.data]]);
  const fonts = font.files;
  const navs = { nav, ncxNavMap: `<navMap>${ncxPoints(book.headings, hrefOf)}</navMap>` };
  const options = await epubOptions(input, navs, font);
  const epub = new FolioEPub(options, content, { identifier: epubIdentifier(meta.identifier), memory, fonts });
  return { data: await epub.pack(meta.buildDate), font, pageList: pageList.length };
}

/**
 * One subset per face of every character the EPUB shows in it: chapters, front matter, navigation. The
 * imprint names the families the rest uses: its line is written once those are known.
 */
async function fontsFor(content: Content, nav: string): Promise<EpubFonts> {
  const shown = () => [...content.map((c) => c.content), nav].join('\n');
  const names = familyNames(faceUsage(shown()));
  const line = `字体：${names.join('、')}（SIL Open Font License 1.1），按本书用字子集化，许可证见 fonts/OFL.txt。`;
  const title = content.find((c) => c.filename === 'titlepage.xhtml')!;
  title.content = title.content.replace(FONT_LINE, esc(line));
  return epubFonts([shown()]);
}

/** Stands for the imprint's font line until the fonts are known. */
const FONT_LINE = '\u0000folio-font-line\u0000';

function pageMark(n: number): string {
  return `<span epub:type="pagebreak" role="doc-pagebreak" id="page-${n}" aria-label="${n}"></span>`;
}

/** Cover, title page with imprint, then the chapters: epub-gen-memory's content list. */
function epubContent(input: EpubInput, coverExt: string, front: { title?: PageInfo; imprint?: PageInfo }): Content {
  const { meta } = input.book;
  const alt = `封面：${meta.title}${meta.subtitle ? `——${meta.subtitle}` : ''}，${meta.authors.join('、')}`;
  const coverXhtml =
    `<section class="cover" epub:type="cover">${pageMark(1)}` +
    `<img role="doc-cover" src="folio-mem:cover.${coverExt}" alt="${esc(alt)}"/></section>`;
  return [
    {
      title: '封面',
      content: coverXhtml,
      filename: 'cover.xhtml',
      beforeToc: true,
      excludeFromToc: true,
      bodyClass: 'cover',
    },
    {
      title: '扉页',
      content: titlePageXhtml(input, front),
      filename: 'titlepage.xhtml',
      beforeToc: true,
      excludeFromToc: true,
    },
    ...input.book.chapters.map((c, i) => ({ title: c.title, content: input.chapters[i]!, filename: `${c.id}.xhtml` })),
  ];
}

/** The title page and the imprint, each with the page mark of its page in the booklet. */
function titlePageXhtml(input: EpubInput, front: { title?: PageInfo; imprint?: PageInfo }): string {
  const { meta } = input.book;
  // the booklet's 版权页 fields (the layout's 开本, 印张 and 字数 belong to print only), then what the e-book adds
  const printed = imprintLines(meta, { kaiben: '', yinzhang: '', zishu: '' }).filter((l) => !l.computed);
  const imprint: [string, string | undefined][] = [
    ...printed.map((l): [string, string] => [l.label.replace(/\u3000/g, ''), l.value]),
    ['电子版标识符', isIsbn(meta.identifier) ? undefined : meta.identifier],
    ['页码', '本书页码标记对应纸质版页码'],
  ];
  const subtitle = meta.subtitle ? `<p class="tp-subtitle">${esc(meta.subtitle)}</p>` : '';
  const publisher = meta.publisher ? `<p class="tp-publisher">${esc(meta.publisher)}</p>` : '';
  const entries = imprint
    .filter(([, v]) => v)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v!)}</dd>`)
    .join('');
  const titleMark = front.title ? pageMark(front.title.number) : '';
  const imprintMark = front.imprint ? pageMark(front.imprint.number) : '';
  return `<section class="titlepage" epub:type="titlepage" aria-label="扉页">${titleMark}
<p class="tp-title">${esc(meta.title)}</p>${subtitle}
<p class="tp-authors">${esc(meta.authors.join('　'))}</p>${publisher}
</section>
<section class="imprint" epub:type="copyright-page" aria-label="版权信息">${imprintMark}
<dl>${entries}</dl>
${imprintNotes(meta)
  .map((n) => `<p>${esc(n)}</p>`)
  .join('')}${meta.rights ? `<p>${esc(meta.rights)}</p>` : ''}
<p>${FONT_LINE}</p>
</section>`;
}

/** The navigation document's three navs: contents, landmarks and the page list of the booklet. */
function navXhtml(
  book: Book,
  hrefOf: (h: Heading) => string,
  chapterFile: Map<string, string>,
  pageList: { n: number; href: string }[],
): string {
  return `<nav epub:type="toc" id="toc" role="doc-toc" aria-labelledby="toc-title">
<h1 id="toc-title">${TOC_TITLE}</h1>
${navList(book.headings, hrefOf)}
</nav>
<nav epub:type="landmarks" id="landmarks" aria-label="导航" hidden="hidden">
<ol>
<li><a epub:type="cover" href="cover.xhtml">封面</a></li>
<li><a epub:type="toc" href="toc.xhtml#toc">${TOC_TITLE}</a></li>
<li><a epub:type="bodymatter" href="${chapterFile.get(book.chapters[0]!.id)}">正文</a></li>
</ol>
</nav>
<nav epub:type="page-list" id="page-list" aria-label="纸质版页码" hidden="hidden">
<ol>
${pageList.map((p) => `<li><a href="${p.href}">${p.n}</a></li>`).join('\n')}
</ol>
</nav>`;
}

/** The NCX navPoints (EPUB 2 readers), nested like the headings, in play order. */
function ncxPoints(headings: Heading[], hrefOf: (h: Heading) => string): string {
  let order = 0;
  const points = (items: Tree[]): string =>
    items
      .map(
        (t) =>
          `<navPoint id="np-${t.h.id}" playOrder="${++order}"><navLabel><text>${esc(t.h.text)}</text></navLabel>` +
          `<content src="${hrefOf(t.h)}"/>${points(t.kids)}</navPoint>`,
      )
      .join('');
  return points(toTree(headings));
}

const A11Y_FEATURES = [
  'structuralNavigation',
  'tableOfContents',
  'readingOrder',
  'alternativeText',
  'pageNavigation',
  'printPageNumbers',
  'displayTransformability',
];

/** epub-gen-memory's options: the metadata, Folio's templates and the data only they read (`folio`). */
async function epubOptions(
  input: EpubInput,
  navs: { nav: string; ncxNavMap: string },
  font: EpubFonts,
): Promise<EpubOptions> {
  const { meta, headings } = input.book;
  const read = (f: string) => readFile(path.join(TEMPLATES_DIR, 'epub', f), 'utf8');
  const texts = bookTexts(meta.language);
  const { book } = input;
  return {
    title: meta.title,
    author: meta.authors,
    publisher: meta.publisher ?? '',
    description: meta.description ?? '',
    lang: meta.language,
    date: meta.buildDate.toISOString(),
    version: 3,
    verbose: false,
    tocTitle: TOC_TITLE,
    css: epubCss(await read('epub.css'), font.css),
    chapterXHTML: await read('chapter.xhtml.ejs'),
    contentOPF: await read('content.opf.ejs'),
    tocXHTML: await read('toc.xhtml.ejs'),
    tocNCX: await read('toc.ncx.ejs'),
    fonts: [...font.files.keys()].map((filename) => ({ filename, url: `folio-mem:${filename}` })),
    // read by our templates (epub-gen-memory passes unknown options through to them)
    folio: {
      version: FOLIO_VERSION,
      subtitle: meta.subtitle,
      publisher: meta.publisher,
      date: meta.date,
      rights: meta.rights,
      description: meta.description,
      modified: meta.buildDate.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      printSource: `${meta.identifier}#print（${texts.printEdition} ${input.printFile}）`,
      a11yFeatures: A11Y_FEATURES,
      a11ySummary: texts.a11ySummary({
        figures: book.figures.length,
        placeholders: book.figures.filter((f) => f.fpo).length,
        pageList: true,
        notes: book.chapters.reduce((n, c) => n + c.notes, 0),
      }),
      tocTitle: TOC_TITLE,
      ...navs,
      ncxDepth: Math.max(1, ...headings.map((h) => h.level)),
    },
  } as EpubOptions;
}

interface Tree {
  h: Heading;
  kids: Tree[];
}

/** Headings as a tree by level, so the nav nests (h1 > h2 > h3). */
function toTree(headings: Heading[]): Tree[] {
  const root: Tree[] = [];
  const stack: Tree[] = [];
  for (const h of headings) {
    const node = { h, kids: [] };
    while (stack.length && stack.at(-1)!.h.level >= h.level) stack.pop();
    (stack.at(-1)?.kids ?? root).push(node);
    stack.push(node);
  }
  return root;
}

function navList(headings: Heading[], hrefOf: (h: Heading) => string): string {
  const item = (t: Tree): string =>
    `<li><a href="${hrefOf(t.h)}">${esc(t.h.text)}</a>${t.kids.length ? render(t.kids) : ''}</li>`;
  const render = (items: Tree[]): string => `<ol>${items.map(item).join('')}</ol>`;
  return render(toTree(headings));
}

/** The EPUB's dc:identifier: an ISBN (the 书号) as `urn:isbn:` and its 13 or 10 digits, else the identifier. */
export function epubIdentifier(identifier: string): string {
  return isIsbn(identifier)
    ? `urn:isbn:${identifier.replace(/^ISBN[- ]?(1[03])?:?\s*/i, '').replace(/[- ]/g, '')}`
    : identifier;
}
