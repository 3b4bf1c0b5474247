import type { Token } from 'markdown-it';

/** A token attribute as a string (markdown-it's types allow numbers). */
export function attr(token: Token, name: string): string | null {
  const v = token.attrGet(name);
  return v === null || v === undefined ? null : String(v);
}
