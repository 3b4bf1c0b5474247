/**
 * The typographic cover used when book.yaml has no cover image: a plateau sky over two mountain
 * ranges (长白山 in the distance, 珠峰 in front). An SVG page background, sized to trim + bleed.
 */
export function coverArt(trimWidth: number, trimHeight: number, bleed: number): string {
  // positions are fractions of the trim; the drawing runs on into the bleed on every side
  const w = trimWidth + 2 * bleed;
  const h = trimHeight + 2 * bleed;
  const y = (f: number) => (bleed + trimHeight * f).toFixed(1);
  const x = (f: number) => (bleed + trimWidth * f).toFixed(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" preserveAspectRatio="xMidYMid slice">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#123a5e"/><stop offset="0.62" stop-color="#2f6f9f"/><stop offset="1" stop-color="#9cc3dc"/></linearGradient></defs>
<rect width="${w}" height="${h}" fill="url(#sky)"/>
<circle cx="${x(0.78)}" cy="${y(0.56)}" r="${(trimWidth * 0.07).toFixed(1)}" fill="#f4d9a6" opacity="0.9"/>
<path d="M0 ${y(0.74)} L${x(0.18)} ${y(0.63)} L${x(0.3)} ${y(0.68)} L${x(0.47)} ${y(0.57)} L${x(0.62)} ${y(0.66)} L${x(0.8)} ${y(0.6)} L${w} ${y(0.67)} L${w} ${h} L0 ${h} Z" fill="#5f87a6"/>
<path d="M0 ${y(0.86)} L${x(0.22)} ${y(0.72)} L${x(0.34)} ${y(0.78)} L${x(0.55)} ${y(0.62)} L${x(0.61)} ${y(0.66)} L${x(0.66)} ${y(0.64)} L${x(0.86)} ${y(0.76)} L${w} ${y(0.72)} L${w} ${h} L0 ${h} Z" fill="#e9eff4"/>
<path d="M${x(0.55)} ${y(0.62)} L${x(0.61)} ${y(0.66)} L${x(0.58)} ${y(0.7)} L${x(0.52)} ${y(0.67)} Z" fill="#c9d6e0"/>
<rect y="${y(0.9)}" width="${w}" height="${(h - Number(y(0.9))).toFixed(1)}" fill="#9b2c1f"/>
</svg>`;
}
