/** The line of a model `source` ("file:line"). */
export function sourceLine(source: string): number {
  return Number(source.split(':').at(-1));
}
