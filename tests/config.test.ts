import { describe, expect, it } from 'vitest';
import { parseBookYaml } from '../scripts/config/load.js';
import { isIsbn } from '../scripts/config/schema.js';
import { FolioError, formatDiagnostic } from '../scripts/diagnostics/diagnostic.js';

/** The diagnostics a book.yaml text gives, as `line:col rule-id message`. */
function problems(text: string): string[] {
  try {
    parseBookYaml(text, 'book.yaml');
    return [];
  } catch (e) {
    if (!(e instanceof FolioError)) throw e;
    return e.diagnostics.map((d) => `${d.line}:${d.column} ${d.ruleId} ${d.message}`);
  }
}

const ok = 'title: 书\nauthors: [甲]\nlanguage: zh-CN\n';

describe('book.yaml', () => {
  it('accepts the minimal fields and fills defaults', () => {
    const c = parseBookYaml(ok, 'book.yaml');
    expect(c.trim).toBe('A5');
    expect(c.authors).toEqual(['甲']);
  });

  it.each([
    ['a missing title', 'authors: [甲]\nlanguage: zh-CN\n', '1:1 config-required Missing required field "title"'],
    ['authors: 3', 'title: 书\nauthors: 3\nlanguage: zh-CN\n', '2:10 config-invalid-type authors:'],
    ['an empty author list', 'title: 书\nauthors: []\nlanguage: zh-CN\n', '2:10 config-too-small authors:'],
    ['an unknown trim', `${ok}trim: A7\n`, '4:7 config-invalid-value trim: Unknown trim'],
    ['a custom trim with a string', `${ok}trim: {width: 100, height: tall}\n`, '4:28 config-invalid-type trim.height:'],
    [
      'a bad language tag',
      'title: 书\nauthors: [甲]\nlanguage: "zh_CN!"\n',
      '3:11 config-custom language: Expected a BCP 47',
    ],
    ['a bad date', `${ok}date: 2026-13-45\n`, '4:7 config-date date: Not a real calendar date'],
    ['a bad ISBN', `${ok}identifier: 978-7-111-11111-1\n`, '4:13 config-custom identifier: Expected an ISBN'],
    ['an unknown field', `${ok}titel: 书\n`, '4:1 config-unrecognized-keys Unknown field "titel"'],
    ['invalid YAML', 'title: [书\nauthors: [甲]\n', 'config-yaml Invalid YAML'],
  ])('reports %s at the field', (_, text, expected) => {
    const got = problems(text);
    expect(got.length).toBeGreaterThan(0);
    expect(
      got.some((g) => g.includes(expected)),
      got.join('\n'),
    ).toBe(true);
  });

  it('formats as file:line:col severity message rule-id with a hint', () => {
    try {
      parseBookYaml('title: 书\nauthors: 3\nlanguage: zh-CN\n', 'manuscript/book.yaml');
      expect.unreachable();
    } catch (e) {
      const text = formatDiagnostic((e as FolioError).diagnostics[0]!);
      expect(text).toMatch(/^manuscript\/book\.yaml:2:10 error authors: .+ config-invalid-type\n {2}hint: /);
    }
  });

  it('checks ISBN checksums', () => {
    expect(isIsbn('978-7-02-000220-7')).toBe(true);
    expect(isIsbn('978-7-02-000220-8')).toBe(false);
    expect(isIsbn('7-02-000220-X')).toBe(true);
    expect(isIsbn('7-02-000220-3')).toBe(false);
    expect(isIsbn('0-306-40615-2')).toBe(true);
  });
});
