// The preview's server-side pieces without a browser: editor link templates, the press page rules,
// the page the viewer is served in, and the preflight report of an earlier build.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManuscript } from '../scripts/manuscript/load.js';
import { buildBook } from '../scripts/model/book.js';
import { clientFiles, pressPageCss, previewHtml } from '../scripts/preview/assets.js';
import { checkEditorUrl } from '../scripts/preview/editor.js';
import { readPreflight } from '../scripts/preview/preflight.js';
import { renderHtml } from '../scripts/render/html.js';
import { folio } from './helpers/fixture.js';

describe('editor link templates', () => {
  it('accepts an editor scheme with {file}', () => {
    expect(checkEditorUrl('vscode://file/{file}:{line}:{column}')).toBeUndefined();
    expect(checkEditorUrl('idea://open?file={file}&line={line}')).toBeUndefined();
  });
  it.each([
    ['javascript:alert({file})', 'javascript: scheme'],
    ['data:text/html,{file}', 'data: scheme'],
    ['https://example.com/{file}', 'https: scheme'],
    ['vscode://file/', 'no {file} placeholder'],
    ['{file}:{line}', 'does not start with a scheme'],
  ])('refuses %s', (template, why) => {
    const d = checkEditorUrl(template)!;
    expect(d.message).toContain(why);
    expect(d).toMatchObject({ severity: 'error', ruleId: 'preview-editor-url' });
    expect(d.hint).toContain('vscode://file/{file}');
  });
});

describe('folio preview with a bad editor link', () => {
  it('stops before serving, with exit code 2 and a hint (option and environment)', () => {
    const r = folio(['preview', '--port', '0', '--editor', 'javascript:alert({file})']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^folio: --editor: Editor link template .* uses the javascript: scheme/);
    expect(r.stderr).toContain('hint: ');
    expect(r.stdout).not.toContain('preview: http');
    const env = folio(['preview', '--port', '0'], { FOLIO_EDITOR_URL: 'vscode://file/' });
    expect(env.status).toBe(2);
    expect(env.stderr).toMatch(/^folio: FOLIO_EDITOR_URL: .* has no \{file\} placeholder/);
  });
});

describe('the page the preview serves', () => {
  const bundle = async () => renderHtml(buildBook(await loadManuscript('manuscript')));

  it('adds crop and cross marks to the rule that sizes the page, for the press view', () => {
    const css = pressPageCss('@page {\n  size: 148mm 210mm;\n}\n@page :left {}');
    expect(css).toBe('@page {\n  marks: crop cross;\n  size: 148mm 210mm;\n}\n@page :left {}');
  });

  it('loads viewer and Paged.js for booklet and press; EPUB stylesheet, no Paged.js for the e-book', async () => {
    const b = await bundle();
    const booklet = previewHtml(b, 'booklet');
    expect(booklet).toContain('<link rel="stylesheet" href="page.css">');
    expect(booklet).toMatch(/data-pagedjs-ignore/);
    expect(booklet.indexOf('_folio/core.js')).toBeLessThan(booklet.indexOf('_folio/paged.polyfill.js'));
    expect(previewHtml(b, 'press')).toContain('href="press-page.css"');
    const ebook = previewHtml(b, 'ebook');
    expect(ebook).toContain('_folio/epub.css');
    expect(ebook).not.toContain('paged.polyfill');
    expect(ebook).not.toContain('booklet.css');
    // every script the page names is one the server has
    const files = clientFiles({ stretchEm: 0.25 });
    for (const m of `${booklet}${ebook}`.matchAll(/src="_folio\/([^"]+)"/g))
      expect(files.has(m[1]!) || m[1] === 'paged.polyfill.js').toBe(true);
    expect(files.get('epub.css')!.body).not.toContain('@font-face');
    expect(files.get('typography.js')!.body).toContain('window.FolioTypography');
  });
});

describe('the preflight of an earlier build', () => {
  it('reads its verdict and findings; imposed sheet sides carry no book page', async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'folio-pf-'));
    expect(await readPreflight(dist)).toBeNull();
    const finding = { file: 'x.pdf', line: 0, column: 0, severity: 'warning', message: 'm', ruleId: 'r' };
    writeFileSync(
      path.join(dist, 'preflight.json'),
      JSON.stringify({
        summary: { errors: 0, warnings: 2, infos: 0, passed: true },
        files: [],
        findings: [
          { ...finding, target: 'press', page: 3 },
          { ...finding, target: 'imposed', page: 2 },
        ],
      }),
    );
    const p = (await readPreflight(dist))!;
    expect(p.passed).toBe(true);
    expect(p.when).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(p.findings[0]).toMatchObject({ page: 3 });
    expect(p.findings[1]).toMatchObject({ page: undefined, message: 'sheet side 2: m' });
    expect(p.verdict).toBeUndefined();
    writeFileSync(
      path.join(dist, 'preflight.json'),
      JSON.stringify({ summary: { passed: true, verdict: 'proof only' }, files: [], findings: [] }),
    );
    expect((await readPreflight(dist))!.verdict).toBe('proof only');
    writeFileSync(path.join(dist, 'preflight.json'), '{ not json');
    expect(await readPreflight(dist)).toBeNull();
  });
});
