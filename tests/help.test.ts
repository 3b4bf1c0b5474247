// `folio --help` and every command's help: true to what Folio does, each with examples that use only
// options the command has.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const help = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/folio.js', ...args, '--help'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout;
};

const top = help();
const commands = [
  ...top
    .split('Commands:')[1]!
    .split('Examples:')[0]!
    .matchAll(/^ {2}([a-z]+) /gm),
]
  .map((m) => m[1]!)
  .filter((c) => c !== 'help');

describe('folio --help', () => {
  it('says what Folio makes today, lists every command and ends with examples', () => {
    expect(top).not.toMatch(/later/);
    expect(top).toMatch(/print booklet \(PDF\), press PDFs \(bleed and marks,\s+PDF\/X, imposed\) and an EPUB 3/);
    expect(commands).toEqual([
      'new',
      'build',
      'preview',
      'proof',
      'check',
      'lint',
      'preflight',
      'import',
      'placeholders',
      'doctor',
    ]);
    expect(top).toMatch(/Examples:\n {2}\$ folio new /);
  });

  it.each(commands)('folio %s --help has examples that use only its own options', (command) => {
    const text = help(command);
    const [usage, examples] = text.split('Examples:');
    const lines = examples!.split('\n').filter((l) => l.trim());
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatch(new RegExp(`^ {2}\\$ (\\w+=\\S+ )?folio ${command}\\b`));
      for (const [flag] of line.matchAll(/--[a-z-]+/g)) expect(usage, `${command}: ${flag}`).toContain(flag);
    }
  });
});
