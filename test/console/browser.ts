/**
 * A real headless Chromium for the console's browser tests: the system's (Debian's `chromium` package,
 * which `.ci/run` installs when missing), driven by playwright-core — never a downloaded browser.
 * `CHROMIUM_PATH` names another executable.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
];

/** The Chromium executable to drive, if this machine has one. */
export function chromiumPath(): string | undefined {
  const given = process.env.CHROMIUM_PATH;
  if (given) return given;
  return CANDIDATES.find((path) => existsSync(path));
}

/** Whether this run is CI (`.ci/run` sets CI=true): there the browser tests never skip. */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Launch headless Chromium; in CI a missing executable is an error, not a skip.
 *
 * @example
 * const browser = await launchChromium();
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath)
    throw new Error(
      "no Chromium executable: install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM_PATH",
    );
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}
