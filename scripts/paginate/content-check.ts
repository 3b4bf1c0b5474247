// Paged.js must not lose or repeat content: every block's text before and after pagination, blocks that stick
// out of their page, and requests the page made that the build could not answer. Pure: measures in,
// diagnostics out.
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { fromDataSrc } from '../diagnostics/position.js';
import type { BlockMeasure } from './page-scripts.js';
import type { RequestLog } from './serve.js';

const TOO_TALL = 'It is probably taller than a page or cannot break: shorten it or split it.';
const OFFLINE = 'Rendering is offline; put the resource in the manuscript folder.';

/** What was lost, repeated or cut: `expected` measured before pagination, `laidOut` after. */
export function contentDiagnostics(expected: BlockMeasure, laidOut: BlockMeasure): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [src, want] of Object.entries(expected.text)) {
    const got = laidOut.text[src] ?? 0;
    const error = { ...fromDataSrc(src), severity: 'error' as const };
    if (got === 0 && want > 0)
      out.push({
        ...error,
        message: `Block is missing from the laid-out pages (${want} characters lost)`,
        ruleId: 'render-lost-content',
        hint: TOO_TALL,
      });
    else if (got < want)
      out.push({
        ...error,
        message: `Block lost ${want - got} of ${want} characters in pagination`,
        ruleId: 'render-lost-content',
        hint: TOO_TALL,
      });
    else if (got > want)
      out.push({
        ...error,
        message: `Block repeated in pagination (${got} characters laid out for ${want})`,
        ruleId: 'render-duplicated-content',
        hint: 'A Paged.js page-break fault: report it with the manuscript.',
      });
  }
  for (const o of laidOut.overflow)
    out.push({
      ...fromDataSrc(o.src),
      severity: 'error',
      message:
        `<${o.tag}> on page ${o.page} runs ${o.by.toFixed(0)} px past the page: ` +
        'it is taller than a page or cannot break, and is cut',
      ruleId: 'render-overflow',
      hint: 'Make it smaller than a page, or split it (long tables into several).',
    });
  return out;
}

/** Requests refused (outside the build) and files that failed to load; `m/…` is the manuscript folder `root`. */
export function requestDiagnostics(log: RequestLog, root: string): Diagnostic[] {
  const at = { line: 0, column: 0, severity: 'error' as const };
  return [
    ...log.refused.map((url) => ({
      ...at,
      file: 'booklet',
      message: `Refused request outside the build: ${url}`,
      ruleId: 'render-offline',
      hint: OFFLINE,
    })),
    ...log.missing.map((rel) => ({
      ...at,
      file: rel.startsWith('m/') ? path.join(root, rel.slice(2)) : rel,
      message: `Resource failed to load: ${rel}`,
      ruleId: 'render-resource',
      hint: 'Check the file exists and is readable.',
    })),
  ];
}

/** A console message of the page as a diagnostic: a request the CSP refused is an error, the rest warnings. */
export function consoleDiagnostic(text: string): Diagnostic {
  // the Content-Security-Policy stops requests before interception sees them: still a refusal
  const blocked = /Content Security Policy/.exec(text) && /['"]((?:https?|ftp|wss?):[^'"]+)['"]/.exec(text)?.[1];
  const at = { file: 'booklet', line: 0, column: 0 };
  return blocked
    ? {
        ...at,
        severity: 'error',
        message: `Refused request outside the build: ${blocked}`,
        ruleId: 'render-offline',
        hint: OFFLINE,
      }
    : { ...at, severity: 'warning', message: `Browser console: ${text}`, ruleId: 'render-console' };
}
