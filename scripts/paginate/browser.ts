import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { FolioError } from '../diagnostics/diagnostic.js';

/** Flags for a headless Chromium in a closed network, possibly as root. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--no-first-run',
  '--no-default-browser-check',
  '--font-render-hinting=none',
];

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** FOLIO_CHROMIUM, then PUPPETEER_EXECUTABLE_PATH, then the usual Debian paths. */
export function findChromium(): string {
  const explicit = process.env.FOLIO_CHROMIUM || process.env.PUPPETEER_EXECUTABLE_PATH;
  if (explicit) {
    if (existsSync(explicit)) return explicit;
    const name = process.env.FOLIO_CHROMIUM ? 'FOLIO_CHROMIUM' : 'PUPPETEER_EXECUTABLE_PATH';
    throw chromiumMissing(`${name} points at ${explicit}, which does not exist`);
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw chromiumMissing('Chromium was not found');
  return found;
}

function chromiumMissing(what: string): FolioError {
  return new FolioError([
    {
      file: 'chromium',
      line: 0,
      column: 0,
      severity: 'error',
      message: what,
      ruleId: 'browser-missing',
      hint:
        'Install it with `bash scripts/setup.sh` (apt-get install chromium), ' +
        'or set FOLIO_CHROMIUM=/path/to/chromium.',
    },
  ]);
}

/** One browser per build; every target shares it. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  try {
    return await puppeteer.launch({
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      protocolTimeout: 300_000,
    });
  } catch (e) {
    throw new FolioError(
      [
        {
          file: executablePath,
          line: 0,
          column: 0,
          severity: 'error',
          message: `Chromium failed to start: ${(e as Error).message.split('\n')[0]}`,
          ruleId: 'browser-launch',
          hint: 'Run `bash scripts/setup.sh`; as root Chromium needs --no-sandbox (Folio passes it).',
        },
      ],
      1,
      { cause: e },
    );
  }
}

const closing = new WeakMap<Browser, Promise<void>>();

/**
 * Closes the browser once (later calls wait for the first); a crashed one is killed with its process group.
 * Every command that launches a browser closes it with this.
 */
export function closeBrowser(browser: Browser | undefined): Promise<void> {
  if (!browser) return Promise.resolve();
  let done = closing.get(browser);
  if (!done) {
    done = (async () => {
      const proc = browser.process();
      const closed = await browser.close().then(
        () => true,
        () => false,
      );
      // A crashed or killed Chromium leaves its zygote and renderers behind: end its whole process group.
      if (proc?.pid && !closed) {
        try {
          process.kill(-proc.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    })();
    closing.set(browser, done);
  }
  return done;
}

/**
 * Functions handed to page.evaluate are serialised from the transpiled source; tsx and vitest (esbuild,
 * keepNames) wrap named inner functions in `__name(...)`, which the page lacks. Define it as identity.
 */
export async function newPage(browser: Browser): Promise<import('puppeteer-core').Page> {
  const page = await browser.newPage();
  await page.evaluateOnNewDocument('globalThis.__name = (f) => f;');
  await page.evaluate('globalThis.__name = (f) => f;');
  return page;
}
