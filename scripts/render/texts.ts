/**
 * The words Folio itself writes into a book (not the author's), keyed by language. A book in a
 * language not listed gets the closest entry: zh-Hant for zh-TW / zh-HK / zh-MO / zh-Hant-*, zh-Hans
 * for any other Chinese, English otherwise.
 */
export interface BookTexts {
  /** Page reference after an internal link in print; `{page}` is the counter. */
  seePage: [before: string, after: string];
  /** Opening and closing of the address printed after an external link. */
  url: [before: string, after: string];
  notes: string;
  /** The EPUB's accessibility summary (schema:accessibilitySummary). */
  a11ySummary: (o: { figures: number; placeholders: number; pageList: boolean; notes: number }) => string;
  /** How the print edition is named in the EPUB (dc:source and the imprint). */
  printEdition: string;
}

const HANS: BookTexts = {
  seePage: ['（见第', '页）'],
  url: ['（', '）'],
  notes: '注释',
  printEdition: '纸质版',
  a11ySummary: ({ figures, placeholders, pageList, notes }) =>
    [
      '本书正文为可重排文本，标题层级与目录完整',
      pageList ? '，页码列表对应纸质版页码' : '',
      '。',
      figures ? '每幅图片均有替代文字与图注' : '',
      placeholders ? `（其中${placeholders}幅为占位图，标注“图片待补”）` : '',
      figures ? '。' : '',
      notes ? '注释以脚注形式链接，可跳转并返回。' : '',
      '无闪烁、声音或动态内容。',
    ].join(''),
};

const HANT: BookTexts = {
  seePage: ['（見第', '頁）'],
  url: ['（', '）'],
  notes: '註釋',
  printEdition: '紙本',
  a11ySummary: ({ figures, placeholders, pageList, notes }) =>
    [
      '本書正文為可重排文字，標題層級與目錄完整',
      pageList ? '，頁碼列表對應紙本頁碼' : '',
      '。',
      figures ? '每幅圖片均有替代文字與圖說' : '',
      placeholders ? `（其中${placeholders}幅為佔位圖）` : '',
      figures ? '。' : '',
      notes ? '註釋以腳註形式連結，可跳轉並返回。' : '',
      '無閃爍、聲音或動態內容。',
    ].join(''),
};

const EN: BookTexts = {
  seePage: [' (see page ', ')'],
  url: [' (', ')'],
  notes: 'Notes',
  printEdition: 'print edition',
  a11ySummary: ({ figures, placeholders, pageList, notes }) =>
    [
      'Reflowable text with a complete heading structure and table of contents',
      pageList ? ', and a page list matching the print edition' : '',
      '. ',
      figures ? 'Every image has alternative text and a caption' : '',
      placeholders ? ` (${placeholders} of them placeholders)` : '',
      figures ? '. ' : '',
      notes ? 'Notes are linked footnotes with a way back. ' : '',
      'No flashing, sound or animation.',
    ].join(''),
};

/** The texts for a BCP 47 tag. */
export function bookTexts(language: string): BookTexts {
  const tag = language.toLowerCase();
  if (/^zh-(tw|hk|mo)\b|^zh-hant\b/.test(tag)) return HANT;
  if (/^zh\b/.test(tag)) return HANS;
  return EN;
}
