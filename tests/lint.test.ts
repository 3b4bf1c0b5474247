// Each lint rule against its fixtures: tests/fixtures/lint/<rule>/ holds bad.md (what the rule must report),
// good.md (near misses it must not report) and expected.txt, the exact `file:line:col rule-id` list of the
// folder. One generated test per fixture file; `book-yaml` and `model` hold the build's own checks.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSimplified } from '../scripts/lint/language.js';
import { lintBook, lintManuscript, summarise } from '../scripts/lint/lint.js';
import { loadManuscript } from '../scripts/manuscript/load.js';
import { buildBook } from '../scripts/model/book.js';
import { manuscript } from './helpers/fixture.js';
import { BOOK_RULES, TEXT_RULES } from '../scripts/lint/rules/index.js';

const FIXTURES = 'tests/fixtures/lint';
const list = async (dir: string) =>
  (await lintManuscript(dir)).diagnostics
    .map((d) => `${path.basename(d.file)}:${d.line}:${d.column} ${d.ruleId}`)
    .sort();

const folders = readdirSync(FIXTURES).sort();
const linted = new Map<string, Promise<string[]>>();
const lintOnce = (folder: string) => {
  if (!linted.has(folder)) linted.set(folder, list(path.join(FIXTURES, folder)));
  return linted.get(folder)!;
};

describe('lint rules (tests/fixtures/lint)', () => {
  it('every registered rule has a folder with a bad and a good fixture', () => {
    for (const [name] of [...TEXT_RULES, ...BOOK_RULES]) {
      expect(existsSync(path.join(FIXTURES, name, 'bad.md')), `${name}/bad.md`).toBe(true);
      expect(existsSync(path.join(FIXTURES, name, 'good.md')), `${name}/good.md`).toBe(true);
    }
  });

  for (const folder of folders) {
    const expected = readFileSync(path.join(FIXTURES, folder, 'expected.txt'), 'utf8')
      .trim()
      .split('\n')
      .sort();
    const files = readdirSync(path.join(FIXTURES, folder)).filter(
      (f) => f.endsWith('.md') || expected.some((e) => e.startsWith(`${f}:`)),
    );
    for (const file of files.sort()) {
      const want = expected.filter((e) => e.startsWith(`${file}:`));
      it(`${folder}/${file} → ${want.length ? want.join(', ') : 'nothing'}`, async () => {
        expect((await lintOnce(folder)).filter((d) => d.startsWith(`${file}:`))).toEqual(want);
      });
    }
    it(`${folder}: nothing beyond expected.txt`, async () => {
      expect(await lintOnce(folder)).toEqual(expected);
    });
  }

  it('the committed manuscript is clean', async () => {
    expect(await list('manuscript')).toEqual([]);
  });

  it('every diagnostic has a message and a hint', async () => {
    for (const name of readdirSync(FIXTURES)) {
      for (const d of (await lintManuscript(path.join(FIXTURES, name))).diagnostics) {
        expect(d.message.length, `${name} ${d.ruleId}`).toBeGreaterThan(5);
        expect(d.hint, `${name} ${d.ruleId}`).toBeTruthy();
      }
    }
  });
});

describe('lint --fix', () => {
  it('rewrites only the fixable findings and reports each change', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'folio-fix-'));
    for (const name of [
      'punctuation-halfwidth',
      'ellipsis-dash',
      'quote-straight',
      'space-han-latin',
      'traditional-character',
    ])
      cpSync(path.join(FIXTURES, name), path.join(dir, name), { recursive: true });
    const changed: Record<string, string> = {
      'punctuation-halfwidth': '他说：今天，天气好；真的？好！（括号）不改10:30与a, b和https://x.cn/a,b',
      'ellipsis-dash': '等等……还有……以及——或者——之后。规范的……和——不报。',
      'quote-straight': '他说“你好”。English "quotes" stay.',
      'space-han-latin': '共有413名干部，用AI技术。',
      'traditional-character': '技术改革，張國榮不报。',
    };
    for (const [name, line] of Object.entries(changed)) {
      const r = await lintManuscript(path.join(dir, name), { fix: true });
      expect(r.fixed.length, name).toBeGreaterThan(0);
      expect(r.fixed.every((d) => d.message.startsWith('Fixed: '))).toBe(true);
      expect(readFileSync(path.join(dir, name, 'bad.md'), 'utf8').split('\n')[2], name).toBe(line);
      expect((await lintManuscript(path.join(dir, name))).diagnostics, name).toEqual([]);
    }
  });
});

describe('language drives the rules', () => {
  const tw = (language: string) =>
    manuscript({
      'book.yaml': `title: 測試\nauthors: [甲]\nlanguage: ${language}\ndate: 2026-01-02\nslug: t\n`,
      '01.md': '# 第一章\n\n書店開在港邊,老闆說(笑)這裡很好。\n\n每天 8 點開門。\n',
    });

  for (const language of ['zh-TW', 'zh-HK', 'zh-Hant']) {
    it(`a ${language} book gets no zh-CN rule, and --fix converts nothing (no OpenCC unasked)`, async () => {
      const dir = tw(language);
      const before = readFileSync(path.join(dir, '01.md'), 'utf8');
      const ids = (await lintManuscript(dir)).diagnostics.map((d) => d.ruleId);
      expect(ids).not.toContain('traditional-character');
      expect(ids).not.toContain('punctuation-halfwidth');
      expect(ids).toContain('space-han-latin'); // a habit to report in any Chinese
      await lintManuscript(dir, { fix: true });
      const after = readFileSync(path.join(dir, '01.md'), 'utf8');
      expect(after).toContain('書店開在港邊,老闆說(笑)這裡很好。');
      expect(after).not.toBe(before); // only the typed spaces went
      expect(after).toContain('每天8點開門。');
    });
  }

  it('the same text in a zh-CN book gets both rules', async () => {
    const ids = (await lintManuscript(tw('zh-CN'))).diagnostics.map((d) => d.ruleId);
    expect(ids).toContain('traditional-character');
    expect(ids).toContain('punctuation-halfwidth');
  });

  it('isSimplified reads BCP 47 tags', () => {
    expect(['zh', 'zh-CN', 'zh-cn', 'zh-SG', 'zh-Hans', 'zh-Hans-HK'].map(isSimplified)).toEqual(Array(6).fill(true));
    expect(['zh-TW', 'zh-HK', 'zh-MO', 'zh-Hant', 'zh-Hant-CN', 'en', 'ja'].map(isSimplified)).toEqual(
      Array(7).fill(false),
    );
  });
});

describe('the build summarises repeated warnings', () => {
  it('one finding per rule and file beyond three, with the count and --fix as the cure', async () => {
    const spaced = Array.from({ length: 40 }, (_, i) => `第 ${i} 段用了 AI 工具。`).join('\n\n');
    const dir = manuscript({ '01.md': `# 第一章\n\n${spaced}\n`, '02.md': '# 第二章\n\n一处 AI 工具。\n' });
    const loaded = await loadManuscript(dir);
    const lint = lintBook(loaded, buildBook(loaded));
    expect(lint.findings.filter((f) => f.ruleId === 'space-han-latin')).toHaveLength(40 * 4 + 2);
    const summary = summarise(lint.findings).filter((d) => d.ruleId === 'space-han-latin');
    expect(summary.map((d) => `${path.basename(d.file)}:${d.line}:${d.column}`)).toEqual([
      '01.md:3:2',
      '02.md:3:3',
      '02.md:3:6',
    ]);
    expect(summary[0]!.message).toMatch(/^160 × Unexpected space between Han and Latin/);
    expect(summary[0]!.hint).toMatch(/`folio lint --fix` corrects all 160; `folio lint` lists each/);
    expect((await lintManuscript(dir)).diagnostics.filter((d) => d.ruleId === 'space-han-latin')).toHaveLength(162);
  });
});
