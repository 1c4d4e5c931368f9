/**
 * Helpers of the browser end-to-end test: a headless Chromium (the system one, driven by
 * playwright-core) and chat pages opened in isolated contexts, each recording its connection
 * states and page errors.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** The system Chromium the tests drive (installed by `scripts/ensure-test-deps.sh`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, sandbox-free headless Chromium that talks to nothing but 127.0.0.1. */
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Upper bound of a single browser step (navigation, expectation). */
export const STEP_TIMEOUT_MS = 10_000;

/** Launches the headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: STEP_TIMEOUT_MS });
}

/** Who opens the page. */
export interface Participant {
  user: string;
  name: string;
  conversation: string;
}

/** An open chat page and what it reported. */
export interface ChatPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions and console errors of the page. */
  errors: string[];
  /** The distinct successive values of `#state[data-state]`, as the page saw them. */
  states(): Promise<string[]>;
}

/**
 * Records every `data-state` change of the badge, from the first render on; installed before the
 * page's own script runs, so no transition is missed.
 */
function recordStates(): void {
  const history: string[] = [];
  (window as unknown as { __states: string[] }).__states = history;
  const watch = (): void => {
    const badge = document.getElementById('state');
    if (badge === null) return;
    const push = (): void => {
      const state = badge.dataset['state'] ?? '';
      if (history[history.length - 1] !== state) history.push(state);
    };
    push();
    new MutationObserver(push).observe(badge, { attributes: true, attributeFilter: ['data-state'] });
  };
  document.addEventListener('DOMContentLoaded', watch, { once: true });
}

/** Opens the chat page as `who` in a fresh browser context and waits for it to load. */
export async function openChatPage(browser: Browser, baseUrl: string, who: Participant): Promise<ChatPage> {
  const context = await browser.newContext({ viewport: { width: 720, height: 640 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // Chromium logs refused WebSocket connections while the chat server is down; those are expected.
    if (message.type() === 'error' && !/WebSocket connection to .* failed/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  await page.addInitScript(recordStates);
  const url = new URL(baseUrl);
  url.search = new URLSearchParams({ user: who.user, name: who.name, conversation: who.conversation }).toString();
  await page.goto(url.toString(), { timeout: STEP_TIMEOUT_MS });
  return {
    page,
    context,
    errors,
    states: () => page.evaluate(() => [...(window as unknown as { __states: string[] }).__states]),
  };
}
