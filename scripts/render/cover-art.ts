/**
 * The typographic cover used when book.yaml has no cover image: a plateau sky over two mountain
 * ranges (长白山 in the distance, 珠峰 in front). An SVG page background, sized to trim + bleed.
 * Opaque, flat paint only: PDF/X-3 has no transparency (one `opacity` here made Ghostscript flatten
 * the whole cover, title included, into a 720 ppi image), and Ghostscript turns an RGB gradient
 * into a 22 ppi CMYK image. The sky is therefore 128 overlapping flat bands, which stay vector.
 */
export function coverArt(trimWidth: number, trimHeight: number, bleed: number): string {
  // positions are fractions of the trim; the drawing runs on into the bleed on every side
  const w = trimWidth + 2 * bleed;
  const h = trimHeight + 2 * bleed;
  const y = (f: number) => (bleed + trimHeight * f).toFixed(1);
  const x = (f: number) => (bleed + trimWidth * f).toFixed(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" \
preserveAspectRatio="xMidYMid slice">
${sky(w, h)}
<circle cx="${x(0.78)}" cy="${y(0.56)}" r="${(trimWidth * 0.07).toFixed(1)}" fill="#e0cea5"/>
<path d="M0 ${y(0.74)} L${x(0.18)} ${y(0.63)} L${x(0.3)} ${y(0.68)} L${x(0.47)} ${y(0.57)} \
L${x(0.62)} ${y(0.66)} L${x(0.8)} ${y(0.6)} L${w} ${y(0.67)} L${w} ${h} L0 ${h} Z" fill="#5f87a6"/>
<path d="M0 ${y(0.86)} L${x(0.22)} ${y(0.72)} L${x(0.34)} ${y(0.78)} L${x(0.55)} ${y(0.62)} \
L${x(0.61)} ${y(0.66)} L${x(0.66)} ${y(0.64)} L${x(0.86)} ${y(0.76)} L${w} ${y(0.72)} \
L${w} ${h} L0 ${h} Z" fill="#e9eff4"/>
<path d="M${x(0.55)} ${y(0.62)} L${x(0.61)} ${y(0.66)} L${x(0.58)} ${y(0.7)} L${x(0.52)} ${y(0.67)} Z" fill="#c9d6e0"/>
<rect y="${y(0.9)}" width="${w}" height="${(h - Number(y(0.9))).toFixed(1)}" fill="#9b2c1f"/>
</svg>`;
}

/** The sky's gradient (#123a5e → #2f6f9f at 62 % → #9cc3dc) as flat bands, each overlapping the next. */
function sky(w: number, h: number, bands = 128): string {
  const stops: [number, number[]][] = [
    [0, [0x12, 0x3a, 0x5e]],
    [0.62, [0x2f, 0x6f, 0x9f]],
    [1, [0x9c, 0xc3, 0xdc]],
  ];
  const colour = (t: number) => {
    const i = t <= stops[1]![0] ? 0 : 1;
    const [t0, c0] = stops[i]!;
    const [t1, c1] = stops[i + 1]!;
    const f = (t - t0) / (t1 - t0);
    return `#${c0
      .map((c, k) =>
        Math.round(c + (c1[k]! - c) * f)
          .toString(16)
          .padStart(2, '0'),
      )
      .join('')}`;
  };
  const step = h / bands;
  return Array.from(
    { length: bands },
    (_, i) =>
      `<rect y="${(i * step).toFixed(2)}" width="${w}" height="${(step + (i < bands - 1 ? 0.3 : 0)).toFixed(2)}" ` +
      `fill="${colour((i + 0.5) / bands)}"/>`,
  ).join('');
}
