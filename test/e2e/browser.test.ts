/**
 * The chat page in a real Chromium against the example chat server, everything on 127.0.0.1:
 * two participants exchange messages and typing indicators, and the page rides out a restart of
 * the chat server by itself (open → reconnecting → open) and keeps working afterwards.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWeb, type WebServer } from '../../examples/web/serve.js';
import { launchBrowser, openChatPage, STEP_TIMEOUT_MS, type ChatPage } from './support-browser.js';

const SCREENSHOT = resolve(import.meta.dirname, '../artifacts/chat-page.png');
const CONVERSATION = 'conv_e2ebrowser';
/** The client backs off up to 5 s between attempts (see app.ts); allow two of them. */
const RECONNECT_TIMEOUT_MS = 12_000;

let web: WebServer | undefined;
let browser: Browser | undefined;
let alice: ChatPage;
let agent: ChatPage;

beforeAll(async () => {
  web = await startWeb({ port: 0, chatPort: 0, secret: 'browser-test-secret' });
  browser = await launchBrowser();
  alice = await openChatPage(browser, web.url, { user: 'user_alice', name: 'Alice', conversation: CONVERSATION });
  agent = await openChatPage(browser, web.url, { user: 'agent_sarah', name: 'Sarah', conversation: CONVERSATION });
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

/** Types `text` into the page's composer and submits it. */
async function send(chat: ChatPage, text: string): Promise<void> {
  await chat.page.fill('#input', text);
  await chat.page.click('#send');
}

/** The list item of a message with exactly this text. */
const message = (chat: ChatPage, text: string) => chat.page.locator('#messages li.message').filter({ has: chat.page.getByText(text, { exact: true }) });

describe('chat page in Chromium', () => {
  it('connects both participants', async () => {
    await expect.poll(() => alice.page.getAttribute('#state', 'data-state'), { timeout: STEP_TIMEOUT_MS }).toBe('open');
    await expect.poll(() => agent.page.getAttribute('#state', 'data-state'), { timeout: STEP_TIMEOUT_MS }).toBe('open');
    expect(await alice.page.textContent('#state')).toBe('open');
  });

  it('shows each participant the other one’s messages, with a delivery confirmation', async () => {
    await send(alice, 'Hi, my parrot stopped talking');
    await message(agent, 'Hi, my parrot stopped talking').waitFor();
    expect(await message(agent, 'Hi, my parrot stopped talking').getAttribute('data-sender')).toBe('user_alice');
    await expect.poll(() => message(alice, 'Hi, my parrot stopped talking').getAttribute('data-status')).toBe('delivered');
    expect(await message(alice, 'Hi, my parrot stopped talking').getAttribute('data-message-id')).toMatch(/^msg_[A-Za-z0-9]+$/);

    await send(agent, 'Sarah here, let me help');
    await message(alice, 'Sarah here, let me help').waitFor();
    expect(await message(alice, 'Sarah here, let me help').locator('.sender').textContent()).toBe('Sarah');
    // Each message is shown once on each page (the sender's copy is matched to the broadcast).
    await expect.poll(() => alice.page.locator('#messages li.message').count()).toBe(2);
    await expect.poll(() => agent.page.locator('#messages li.message').count()).toBe(2);
  });

  it('shows Alice’s typing indicator on the agent’s page, and clears it when she sends', async () => {
    await alice.page.fill('#input', 'It is a green');
    await expect.poll(() => agent.page.textContent('#typing')).toBe('Alice is typing…');
    expect(await alice.page.textContent('#typing')).toBe(''); // nobody sees themselves typing
    await alice.page.fill('#input', 'It is a green macaw');
    await alice.page.click('#send');
    await message(agent, 'It is a green macaw').waitFor();
    await expect.poll(() => agent.page.textContent('#typing')).toBe('');
  });

  it('reconnects by itself after the chat server restarts on the same port', async () => {
    const server = web!.chat;
    const port = server.port;
    await server.stop();
    await expect.poll(() => alice.page.getAttribute('#state', 'data-state'), { timeout: STEP_TIMEOUT_MS }).toBe('reconnecting');
    await expect.poll(() => agent.page.getAttribute('#state', 'data-state'), { timeout: STEP_TIMEOUT_MS }).toBe('reconnecting');

    await server.start();
    expect(server.port).toBe(port);
    await expect.poll(() => alice.page.getAttribute('#state', 'data-state'), { timeout: RECONNECT_TIMEOUT_MS }).toBe('open');
    await expect.poll(() => agent.page.getAttribute('#state', 'data-state'), { timeout: RECONNECT_TIMEOUT_MS }).toBe('open');
    expect(await alice.states()).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(await agent.states()).toEqual(['connecting', 'open', 'reconnecting', 'open']);

    await send(alice, 'Are you still there?');
    await message(agent, 'Are you still there?').waitFor();
    await expect.poll(() => message(alice, 'Are you still there?').getAttribute('data-status')).toBe('delivered');

    await mkdir(resolve(SCREENSHOT, '..'), { recursive: true });
    await alice.page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(alice.errors).toEqual([]);
    expect(agent.errors).toEqual([]);
  });

  it('serves a browser bundle with no ws package and no node: import', async () => {
    const response = await fetch(new URL('app.js', web!.url));
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    const script = await response.text();
    expect(Buffer.byteLength(script)).toBe(web!.bundle.bytes);
    expect(web!.bundle.inputs.some((input) => input.startsWith('generated/src/runtime/client/'))).toBe(true);
    // Nothing from node_modules at all: not `ws`, not even its browser stub (`ws/browser.js`).
    expect(web!.bundle.inputs.filter((input) => input.includes('node_modules/'))).toEqual([]);
    expect(script).not.toMatch(/node:/);
    // Unmistakable parts of `ws`: the handshake GUID of RFC 6455, its header handling, a static import.
    expect(script).not.toContain('258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
    expect(script).not.toMatch(/Sec-WebSocket-Accept|permessage-deflate|ws does not work in the browser|from\s*["']ws["']|require\(\s*["']ws["']\s*\)/i);
  });
});
