import { fileUrlOf } from '../manuscript/paths.js';
import type { Browser } from 'puppeteer-core';
import { newPage } from '../paginate/browser.js';
import type { Book } from '../model/book.js';
import type { PageBreak } from '../paginate/paginate.js';
import { bookTexts } from '../render/texts.js';

/**
 * Turns each chapter's booklet HTML into EPUB content, in the browser's own HTML parser:
 * page-break markers where the booklet's pages begin (so a reader can cite "booklet p. 9"),
 * EPUB 3 notes, local file URLs for images, and no build-only attributes.
 * @example const html = await prepareChapters(browser, book, pagination.breaks);
 */
export async function prepareChapters(browser: Browser, book: Book, breaks: PageBreak[]): Promise<string[]> {
  const page = await newPage(browser);
  try {
    const input = book.chapters.map((c) => ({
      id: c.id,
      html: c.html,
      breaks: breaks.filter((b) => b.chapterId === c.id),
      images: Object.fromEntries(c.figures.map((f) => [`m/${f.href}`, fileUrlOf(f.file)])),
      titleId: c.headings[0]?.id ?? '',
      notesLabel: bookTexts(book.meta.language).notes,
    }));
    return await page.evaluate(epubChapters, input);
  } finally {
    await page.close();
  }
}

interface ChapterInput {
  id: string;
  html: string;
  breaks: PageBreak[];
  images: Record<string, string>;
  titleId: string;
  notesLabel: string;
}

/**
 * Runs in the browser (page.evaluate): each chapter's EPUB content. Over 60 lines on purpose (one of the
 * three exceptions to max-lines-per-function): Puppeteer serialises only this function into the page, so
 * its helpers must be nested inside it, and ESLint counts nested functions in their parent; each helper
 * is short.
 */
// eslint-disable-next-line max-lines-per-function -- serialised whole into the page (see above)
function epubChapters(chapters: ChapterInput[]): string[] {
  const marker = (doc: Document, n: number) => {
    const span = doc.createElement('span');
    span.setAttribute('epub:type', 'pagebreak');
    span.setAttribute('role', 'doc-pagebreak');
    span.id = `page-${n}`;
    span.setAttribute('aria-label', String(n));
    return span;
  };

  /** A page-break marker where each booklet page began, `offset` non-space characters into its block. */
  function markBreaks(doc: Document, ch: ChapterInput): void {
    for (const b of ch.breaks) {
      const block = [...doc.querySelectorAll<HTMLElement>('[data-src]')].find((e) => e.dataset.src === b.src);
      if (!block) continue;
      if (b.offset === 0) {
        // a list item or table row cannot have a span beside it: the marker goes inside, at its start
        const inside = /^(LI|DT|DD|TR|THEAD|TBODY|TFOOT|CAPTION)$/.test(block.tagName);
        const cell = /^(TR|THEAD|TBODY|TFOOT)$/.test(block.tagName) ? block.querySelector('td, th') : block;
        if (inside && cell) cell.prepend(marker(doc, b.page));
        else block.before(marker(doc, b.page));
        continue;
      }
      // walk the text, counting non-space characters, and split the text node where the page began
      let left = b.offset;
      const walker = doc.createTreeWalker(block, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode() as Text | null; t; t = walker.nextNode() as Text | null) {
        // a footnote call is generated text in print: it is not counted there, so not here
        if (t.parentElement?.closest('sup.footnote-ref')) continue;
        const chars = [...t.data];
        let i = 0;
        for (; i < chars.length && left > 0; i++) if (/\S/.test(chars[i]!)) left--;
        if (left === 0) {
          // skip spaces so the marker sits right before the first character of the new page
          while (i < chars.length && /\s/.test(chars[i]!)) i++;
          const at = chars.slice(0, i).join('').length;
          const rest = t.splitText(at);
          rest.before(marker(doc, b.page));
          break;
        }
      }
    }
  }

  /** EPUB 3 notes: note references, and each footnote an aside with its number linking back to its call. */
  function epubNotes(doc: Document, ch: ChapterInput): void {
    for (const a of doc.querySelectorAll('sup.footnote-ref > a')) {
      a.setAttribute('epub:type', 'noteref');
      a.setAttribute('role', 'doc-noteref');
    }
    for (const sec of doc.querySelectorAll('section.footnotes')) {
      sec.setAttribute('epub:type', 'footnotes');
      sec.setAttribute('role', 'doc-endnotes');
      sec.setAttribute('aria-label', ch.notesLabel);
      for (const li of sec.querySelectorAll('li.footnote-item')) {
        const aside = doc.createElement('aside');
        aside.id = li.id;
        aside.setAttribute('epub:type', 'footnote');
        aside.setAttribute('role', 'doc-footnote');
        aside.append(...li.childNodes);
        // the note's number, visible, and the way back to its call
        const back = doc.createElement('a');
        back.setAttribute('href', `#${li.id.replace(/^fn/, 'fnref')}`);
        back.setAttribute('role', 'doc-backlink');
        back.className = 'fn-back';
        back.textContent = li.getAttribute('data-n') ?? '';
        const first = aside.querySelector('p') ?? aside;
        first.prepend(back, ' ');
        sec.append(aside);
      }
      sec.querySelector('ol')?.remove();
    }
    doc.querySelectorAll('hr.footnotes-sep').forEach((hr) => hr.remove());
  }

  return chapters.map((ch) => {
    const doc = new DOMParser().parseFromString(`<!doctype html><body>${ch.html}</body>`, 'text/html');
    markBreaks(doc, ch);
    epubNotes(doc, ch);
    for (const img of doc.querySelectorAll('img')) {
      const src = img.getAttribute('src') ?? '';
      if (ch.images[src]) img.setAttribute('src', ch.images[src]);
    }
    doc.querySelectorAll('[data-src]').forEach((e) => e.removeAttribute('data-src'));
    const section = doc.createElement('section');
    section.setAttribute('epub:type', 'chapter');
    section.setAttribute('role', 'doc-chapter');
    if (ch.titleId) section.setAttribute('aria-labelledby', ch.titleId);
    section.append(...doc.body.childNodes);
    doc.body.append(section);
    return doc.body.innerHTML;
  });
}
