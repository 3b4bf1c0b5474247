import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManuscript } from '../scripts/manuscript/load.js';
import { resolveInside } from '../scripts/manuscript/paths.js';
import { buildBook } from '../scripts/model/book.js';
import { formatPosition } from '../scripts/diagnostics/position.js';

const fixture = (name: string) => path.join('tests/fixtures/manuscripts', name);

describe('resolveInside', () => {
  it.each([
    ['images/a.png', 'ok'],
    ['./images/../images/a.png', 'ok'],
    ['../a.png', 'escapes'],
    ['images/../../a.png', 'escapes'],
    ['%2e%2e/a.png', 'escapes'],
    ['/etc/passwd', 'absolute'],
    ['https://example.com/a.png', 'remote'],
    ['//example.com/a.png', 'remote'],
    ['file:///etc/passwd', 'remote'],
    ['data:image/png;base64,AAAA', 'remote'],
    ['', 'empty'],
  ])('%s → %s', (ref, expected) => {
    const r = resolveInside('/m', ref);
    expect(r.ok ? 'ok' : r.problem).toBe(expected);
  });
});

describe('buildBook', () => {
  it('gives headings stable ids, figures their captions and blocks their sources', async () => {
    const book = buildBook(await loadManuscript(fixture('minimal')));
    expect(book.headings.map((h) => [h.id, h.level, h.text])).toEqual([
      ['ch1-title', 1, '第一章'],
      ['ch1-s1', 2, '第一节'],
      ['ch2-title', 1, '第二章'],
    ]);
    expect(book.figures).toHaveLength(1);
    expect(book.figures[0]).toMatchObject({ caption: '图注一。', alt: '照片', href: 'images/photo.png' });
    expect(book.chapters[0]!.blocks.map((b) => `${b.kind} ${formatPosition(b.source)}`)).toEqual([
      'heading tests/fixtures/manuscripts/minimal/01-one.md:1:1',
      'paragraph tests/fixtures/manuscripts/minimal/01-one.md:3:1',
      'caption tests/fixtures/manuscripts/minimal/01-one.md:6:1',
      'heading tests/fixtures/manuscripts/minimal/01-one.md:8:1',
      'paragraph tests/fixtures/manuscripts/minimal/01-one.md:10:1',
    ]);
    expect(book.chapters[0]!.html).toContain(
      '<p data-src="tests/fixtures/manuscripts/minimal/01-one.md:3">正文第一段，换行不应变成空格。</p>',
    );
    expect(book.chapters[0]!.html).toContain('src="m/images/photo.png"');
    // footnote ids are per chapter, so two chapters never collide
    expect(book.chapters[1]!.html).toContain('id="fn-ch2-1"');
  });

  it('derives the identifier and slug from the content, never at random', async () => {
    const a = buildBook(await loadManuscript(fixture('minimal')));
    const b = buildBook(await loadManuscript(fixture('minimal')));
    expect(a.meta.identifier).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.meta.identifier).toBe(b.meta.identifier);
    // the title in pinyin (测试小册), not a hash: readable and the same whatever the text
    expect(a.meta.slug).toBe('ce-shi-xiao-ce');
    expect(b.meta.slug).toBe(a.meta.slug);
  });

  it('honours SOURCE_DATE_EPOCH for the build date', async () => {
    const m = await loadManuscript(fixture('minimal'));
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    try {
      expect(buildBook(m).meta.buildDate.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
    expect(buildBook(m).meta.buildDate.toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });

  it('refuses paths out of the manuscript, remote resources and unsafe HTML, with positions', async () => {
    const m = await loadManuscript(fixture('hostile'));
    buildBook(m);
    const got = m.diagnostics.diagnostics.map(
      (d) => `${path.basename(d.file)}:${d.line}:${d.column} ${d.severity} ${d.ruleId}`,
    );
    expect(got).toEqual([
      '01-bad.md:3:7 error path-escape',
      '01-bad.md:5:7 error path-absolute',
      '01-bad.md:7:7 error path-remote',
      '01-bad.md:9:7 error image-missing',
      '01-bad.md:11:1 error html-unsafe',
      '01-bad.md:13:3 error html-unsafe',
      '01-bad.md:13:37 error html-unsafe',
    ]);
    expect(m.diagnostics.diagnostics.every((d) => d.hint)).toBe(true);
  });
});
