// Plugins that ship no types: each is a markdown-it plugin `(md, options) => void`.
declare module 'markdown-it-attrs' {
  import type { PluginWithOptions } from 'markdown-it';
  const plugin: PluginWithOptions<{
    leftDelimiter?: string;
    rightDelimiter?: string;
    allowedAttributes?: (string | RegExp)[];
  }>;
  export default plugin;
}
declare module 'markdown-it-container' {
  import type { PluginWithParams } from 'markdown-it';
  const plugin: PluginWithParams;
  export default plugin;
}
declare module 'markdown-it-footnote' {
  import type { PluginSimple } from 'markdown-it';
  const plugin: PluginSimple;
  export default plugin;
}
declare module 'markdown-it-cjk-breaks' {
  import type { PluginSimple } from 'markdown-it';
  const plugin: PluginSimple;
  export default plugin;
}
declare module 'subset-font' {
  function subsetFont(
    font: Buffer,
    text: string,
    options?: { targetFormat?: 'sfnt' | 'woff' | 'woff2'; preserveNameIds?: number[] },
  ): Promise<Buffer>;
  export default subsetFont;
}
declare module 'fontverter' {
  /** Converts a font between sfnt (TrueType/OpenType), WOFF and WOFF2. */
  export function convert(
    font: Buffer,
    to: 'sfnt' | 'woff' | 'woff2',
    from?: 'sfnt' | 'woff' | 'woff2',
  ): Promise<Buffer>;
}

declare module 'opencc-js' {
  export function Converter(options: { from: string; to: string }): (text: string) => string;
}
