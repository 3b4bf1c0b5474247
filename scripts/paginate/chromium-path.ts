import { existsSync } from 'node:fs';

// Debian's /usr/bin/chromium is a shell wrapper that exports Google API keys and adds
// --enable-remote-extensions: Folio starts the binary behind it, so that nothing asks Google for anything.
const CANDIDATES = [
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

/**
 * Where the browser is: FOLIO_CHROMIUM, then PUPPETEER_EXECUTABLE_PATH, then the usual Debian paths.
 * Light on purpose (no puppeteer): `folio doctor` and the build's tool check use it too.
 * @example locateChromium() // { path: '/usr/lib/chromium/chromium' }
 */
export function locateChromium(): { path?: string; problem?: string } {
  const variable = process.env.FOLIO_CHROMIUM ? 'FOLIO_CHROMIUM' : 'PUPPETEER_EXECUTABLE_PATH';
  const explicit = process.env.FOLIO_CHROMIUM || process.env.PUPPETEER_EXECUTABLE_PATH;
  if (explicit)
    return existsSync(explicit)
      ? { path: explicit }
      : { problem: `${variable} points at ${explicit}, which does not exist` };
  const found = CANDIDATES.find((p) => existsSync(p));
  return found ? { path: found } : { problem: 'Chromium was not found' };
}
