// `::: name` blocks, read from markdown-it's tokens: markdown-it-container makes a container_<name>_open token
// (with its line `map`) for every known name; an unknown name, or a ":::" that closes nothing, stays paragraph
// text. Fences inside code are never containers, so they are never reported.
import type { Token } from 'markdown-it';
import { CONTAINERS } from '../../markdown/containers.js';
import type { Report, TextContext, TextRule } from './types.js';

const KNOWN = Object.keys(CONTAINERS).join(', ');

export const container: TextRule = (ctx, report) => {
  const unknownOpen: number[] = []; // offsets of unknown containers waiting for their ":::"
  for (const [i, t] of ctx.tokens.entries()) {
    if (/^container_.+_open$/.test(t.type) && t.map && !closed(ctx, t)) unclosed(report, fenceOffset(ctx, t.map[0]));
    const inParagraph = t.type === 'inline' && ctx.tokens[i - 1]?.type === 'paragraph_open';
    if (inParagraph && t.map) paragraphFences(ctx, t, unknownOpen, report);
  }
  for (const at of unknownOpen) unclosed(report, at);
};

/** markdown-it-container ends an unclosed block at the end of its parent: its map then ends on no fence. */
function closed(ctx: TextContext, open: Token): boolean {
  const end = ctx.lines[open.map![1]];
  return end !== undefined && new RegExp(`^[\\s>]*${open.markup}:*[ \\t]*$`).test(end);
}

function fenceOffset(ctx: TextContext, line: number): number {
  return ctx.lineStarts[line]! + Math.max(0, ctx.lines[line]!.indexOf(':::'));
}

function unclosed(report: Report, offset: number): void {
  report({
    offset,
    ruleId: 'container-unclosed',
    severity: 'error',
    message: 'Container is never closed with ":::"',
    hint: 'Add a line ":::" where the container ends.',
  });
}

/** Fence lines left as text in a paragraph: an unknown container's opening, or a ":::" closing nothing. */
function paragraphFences(ctx: TextContext, inline: Token, unknownOpen: number[], report: Report): void {
  for (const [k, content] of inline.content.split('\n').entries()) {
    const m = /^:::[ \t]*([^\s{]*)/.exec(content);
    if (!m) continue;
    const line = inline.map![0] + k;
    const at = fenceOffset(ctx, line);
    const name = m[1]!;
    if (!name) {
      if (unknownOpen.length) unknownOpen.pop();
      else
        report({
          offset: at,
          ruleId: 'container-unopened',
          severity: 'error',
          message: 'Closing ":::" without an opening container',
          hint: 'Remove the line or open a container above it.',
        });
      continue;
    }
    report({
      offset: at + m[0].indexOf(name),
      ruleId: 'container-unknown',
      severity: 'warning',
      message: `Unknown container "${name}", expected one of ${KNOWN}`,
      hint: 'The block is printed as plain text. Use a known container name.',
    });
    unknownOpen.push(at);
  }
}
