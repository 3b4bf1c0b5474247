/** Every target `folio build --target` knows, in build order. */
export const TARGETS = ['booklet', 'press', 'press-pdfx', 'imposed', 'epub'] as const;
export type Target = (typeof TARGETS)[number];
