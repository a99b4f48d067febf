/**
 * Headless Chromium (Debian's `chromium`, installed by scripts/test.sh) driven by puppeteer-core. The Temporal
 * Web UI renders Markdown (workflow summary, details, current details) in iframes and keeps polling the server
 * while a workflow runs, so pages are read by waiting for the text inside those frames, not for network idle.
 */
import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { Browser, Page } from 'puppeteer-core';

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`headless Chromium not found (tried ${candidates.join(', ')}): install Debian's package with \`apt-get install -y chromium\` (scripts/test.sh does it when run as root) or set CHROMIUM_PATH`);
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in a container: Chromium's sandbox needs user namespaces it may not get.
    args: ['--no-sandbox', '--disable-gpu', '--hide-scrollbars'],
    defaultViewport: { width: 1400, height: 1100 },
  });
}

/** The rendered text of the page's iframe with this id (the UI's Markdown frames), '' while it is absent. */
export async function frameText(page: Page, iframeId: string): Promise<string> {
  const handle = await page.$(`iframe#${iframeId}`);
  const frame = await handle?.contentFrame();
  if (!frame) return '';
  // A string expression: this file is compiled without the DOM types.
  return frame.evaluate('document.body ? document.body.innerText : ""').then(String, () => '');
}

/** Opens `url` and re-reads the frames until `ready` accepts them (the UI fetches current details by a query). */
export async function openUntil(page: Page, url: string, ids: string[], ready: (frames: Record<string, string>) => boolean, timeoutMs = 90_000): Promise<Record<string, string>> {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  const deadline = Date.now() + timeoutMs;
  let frames: Record<string, string> = {};
  while (Date.now() < deadline) {
    frames = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await frameText(page, id)] as const)));
    if (ready(frames)) return frames;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`page ${url} did not show the expected text within ${timeoutMs / 1000} s; last seen: ${JSON.stringify(frames)}`);
}

export async function screenshot(page: Page, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file as `${string}.png`, fullPage: true });
}
