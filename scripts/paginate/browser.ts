import { rm } from 'node:fs/promises';
import path from 'node:path';
import { forgetTempDir, makeTempDir } from '../output/cleanup.js';
import puppeteer, { type Browser } from 'puppeteer-core';
import { FolioError } from '../diagnostics/diagnostic.js';
import { locateChromium } from './chromium-path.js';

/** Chromium features that reach out to Google's servers on their own. */
const PHONE_HOME_FEATURES = [
  'MediaRouter',
  'OptimizationHints',
  'Translate',
  'AutofillServerCommunication',
  'CertificateTransparencyComponentUpdater',
  'InterestFeedContentSuggestions',
  'NetworkTimeServiceQuerying',
  'DialMediaRouteProvider',
  'PrivacySandboxSettings4',
  'SafeBrowsing',
  'UseDnsHttpsSvcb',
  'AsyncDns',
];

/**
 * Flags for a headless Chromium that talks to no network, possibly as root. The page is answered by
 * request interception, so Chromium needs no name resolved: every host maps to "not found" (no DNS
 * query, also not for `folio.invalid`), and the services that phone home (sign-in, component and
 * variations updates, safe browsing, translate, optimisation hints, media router, autofill,
 * certificate transparency, domain reliability, the IPv6 reachability probe) are off.
 * `tests/offline.e2e.test.ts` traces a whole build's system calls and fails on any packet that
 * would leave the machine.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--disable-breakpad',
  '--disable-crash-reporter',
  `--disable-features=${PHONE_HOME_FEATURES.join(',')}`,
  '--dns-prefetch-disable',
  '--disable-quic',
  '--no-pings',
  '--metrics-recording-only',
  '--no-first-run',
  '--no-default-browser-check',
  '--no-service-autorun',
  '--password-store=basic',
  '--use-mock-keychain',
  '--font-render-hinting=none',
];

/**
 * The environment Chromium runs in: Folio's, less the keys that switch Google's services on, with a TMPDIR
 * of its own (its shared-memory scratch files, `org.chromium.Chromium.*`, are made there and outlive a
 * killed browser).
 */
function browserEnv(tmp: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, TMPDIR: tmp };
  for (const k of Object.keys(env)) if (/^GOOGLE_(API_KEY|DEFAULT_CLIENT_)/.test(k)) delete env[k];
  return env;
}

/** Each browser's own folder (its TMPDIR, with the profile inside), removed when it is closed. */
const folders = new WeakMap<Browser, string>();

/** FOLIO_CHROMIUM, then PUPPETEER_EXECUTABLE_PATH, then the usual Debian paths. */
export function findChromium(): string {
  const found = locateChromium();
  if (!found.path) throw chromiumMissing(found.problem!);
  return found.path;
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

/**
 * One browser per build; every target shares it. It gets one temporary folder (`folio-chromium-*`): its
 * TMPDIR and, inside, its profile; {@link closeBrowser} removes it, and so does a signal.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  const dir = await makeTempDir('folio-chromium-');
  try {
    const browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      // DevTools over a pipe, not a TCP port on 127.0.0.1 that any local process could drive
      pipe: true,
      env: browserEnv(dir),
      userDataDir: path.join(dir, 'profile'),
      protocolTimeout: 300_000,
    });
    folders.set(browser, dir);
    return browser;
  } catch (e) {
    await removeFolder(dir);
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

async function removeFolder(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  forgetTempDir(dir);
}

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
      await browser.close().catch(() => {});
      // A crashed or killed Chromium leaves its zygote and renderers behind (over a DevTools pipe, close()
      // may even report success then): end its whole process group; after a clean close it is empty.
      if (proc?.pid) {
        try {
          process.kill(-proc.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      const dir = folders.get(browser);
      if (dir) await removeFolder(dir);
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
