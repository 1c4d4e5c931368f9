/**
 * The chat page, on the generated client (bundled for the browser by `serve.ts`):
 *   http://127.0.0.1:8081/?user=user_alice&name=Alice&conversation=conv_demo
 * Shows the connection state (`#state[data-state]`), the conversation's messages (own ones go
 * from "sending…" to "✓ delivered" when the server confirms them), who is typing, and a composer.
 * The token comes from the dev server's `/dev-token` endpoint, fetched again before every
 * reconnect. Everything the server sends is rendered with `textContent`, never as HTML.
 */
import { createClient, type ClientState } from '../../generated/src/client.js';
import type { ChatMessageBroadcastPayload } from '../../generated/src/messages.js';

/** Our typing indicator ends after this much silence in the input. */
const TYPING_IDLE_MS = 3000;
/** Someone else's indicator is dropped after this long without news (a lost `typingStopped`). */
const TYPING_STALE_MS = 10_000;
const CHAT_PATH = '/v1/ws/chat';

/** Who we are and where we chat, from the query string (`user`, `name`, `conversation`). */
interface PageParams {
  user: string;
  name: string;
  conversation: string;
  chatUrl: string;
}

function readParams(): PageParams {
  const query = new URLSearchParams(location.search);
  const user = query.get('user') ?? 'user_alice';
  const port = document.querySelector<HTMLMetaElement>('meta[name="chat-port"]')?.content ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return {
    user,
    name: query.get('name') ?? user,
    conversation: query.get('conversation') ?? 'conv_demo',
    chatUrl: `${scheme}://${location.hostname}:${/^\d+$/.test(port) ? port : location.port}${CHAT_PATH}`,
  };
}

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

const params = readParams();
const view = {
  state: byId<HTMLSpanElement>('state'),
  messages: byId<HTMLOListElement>('messages'),
  typing: byId<HTMLDivElement>('typing'),
  form: byId<HTMLFormElement>('composer'),
  input: byId<HTMLInputElement>('input'),
  send: byId<HTMLButtonElement>('send'),
};
byId('conversation').textContent = params.conversation;
byId('me').textContent = `as ${params.name} (${params.user})`;

/** Display names learnt from the conversation; ids stand in until a name is known. */
const names = new Map<string, string>([[params.user, params.name]]);
const nameOf = (userId: string): string => names.get(userId) ?? userId;

/** Asks the dev server for a token (dev only: a real app gets one from its login). */
async function fetchDevToken(): Promise<string> {
  const response = await fetch(`/dev-token?${new URLSearchParams({ sub: params.user, name: params.name })}`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`/dev-token answered ${response.status}`);
  return response.text();
}

// The token travels as a subprotocol, not in the URL: browsers print failed WebSocket URLs to
// the console, and URLs end up in access logs.
const client = createClient({ url: params.chatUrl, token: fetchDevToken, auth: 'subprotocol', reconnect: { initialDelayMs: 500, maxDelayMs: 5000 } });

// ── message list ───────────────────────────────────────────────────────────────────────────────

/** Rendered messages by server id, and own messages not yet matched to one (oldest first). */
const shown = new Map<string, HTMLLIElement>();
const unconfirmed: { li: HTMLLIElement; content: string }[] = [];

function appendItem(li: HTMLLIElement): void {
  const atBottom = view.messages.scrollHeight - view.messages.scrollTop - view.messages.clientHeight < 40;
  view.messages.append(li);
  if (atBottom) li.scrollIntoView({ block: 'end' });
}

function messageItem(senderId: string, senderName: string, content: string): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'message';
  li.dataset['sender'] = senderId;
  li.dataset['own'] = String(senderId === params.user);
  const sender = Object.assign(document.createElement('span'), { className: 'sender', textContent: senderName });
  const text = Object.assign(document.createElement('span'), { className: 'text', textContent: content });
  li.append(sender, text);
  return li;
}

function setStatus(li: HTMLLIElement, status: 'sending' | 'delivered' | 'failed', label: string): void {
  li.dataset['status'] = status;
  let element = li.querySelector<HTMLSpanElement>('.status');
  if (element === null) {
    element = Object.assign(document.createElement('span'), { className: 'status' });
    li.append(element);
  }
  element.textContent = label;
}

/**
 * The element of message `messageId`: the one already shown, else an own unconfirmed one with the
 * same text (`preferred` first: the broadcast and the reply may arrive in either order), else none.
 */
function claim(messageId: string, content: string, preferred?: HTMLLIElement): HTMLLIElement | undefined {
  const existing = shown.get(messageId);
  if (existing !== undefined) return existing;
  let index = unconfirmed.findIndex((entry) => entry.li === preferred);
  if (index < 0) index = unconfirmed.findIndex((entry) => entry.content === content);
  if (index < 0) return undefined;
  const [entry] = unconfirmed.splice(index, 1);
  if (entry === undefined) return undefined;
  entry.li.dataset['messageId'] = messageId;
  shown.set(messageId, entry.li);
  return entry.li;
}

function showBroadcast(payload: ChatMessageBroadcastPayload): void {
  const own = payload.senderId === params.user;
  if ((own ? claim(payload.messageId, payload.content) : shown.get(payload.messageId)) !== undefined) return;
  const li = messageItem(payload.senderId, payload.senderName, payload.content);
  li.dataset['messageId'] = payload.messageId;
  shown.set(payload.messageId, li);
  appendItem(li);
}

function notice(text: string, kind: 'info' | 'error' = 'info'): void {
  const li = Object.assign(document.createElement('li'), { className: 'notice', textContent: text });
  li.dataset['kind'] = kind;
  appendItem(li);
}

// ── typing indicators ──────────────────────────────────────────────────────────────────────────

const othersTyping = new Map<string, ReturnType<typeof setTimeout>>();

function renderTyping(): void {
  const who = [...othersTyping.keys()].map(nameOf);
  view.typing.textContent = who.length === 0 ? '' : `${who.join(' and ')} ${who.length === 1 ? 'is' : 'are'} typing…`;
}

function setOtherTyping(userId: string, typing: boolean): void {
  clearTimeout(othersTyping.get(userId));
  othersTyping.delete(userId);
  if (typing) othersTyping.set(userId, setTimeout(() => setOtherTyping(userId, false), TYPING_STALE_MS));
  renderTyping();
}

let typing = false;
let typingTimer: ReturnType<typeof setTimeout> | undefined;

/** Tells the others whether we are typing; only live (a queued indicator would arrive stale). */
function setTyping(next: boolean): void {
  clearTimeout(typingTimer);
  if (next) typingTimer = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
  if (typing === next || client.state !== 'open') return;
  typing = next;
  const payload = { conversationId: params.conversation, userId: params.user };
  if (next) client.sendTypingStarted(payload);
  else client.sendTypingStopped(payload);
}

// ── server events ──────────────────────────────────────────────────────────────────────────────

let everOpen = false;

function showState(state: ClientState): void {
  view.state.dataset['state'] = state;
  view.state.textContent = state;
  view.send.disabled = state === 'closed';
  if (state !== 'open') {
    typing = false;
    for (const userId of [...othersTyping.keys()]) setOtherTyping(userId, false);
  }
}

client.on('state', (state) => {
  showState(state);
  if (state === 'reconnecting' && everOpen) notice('Connection lost, reconnecting…');
  if (state === 'closed') notice('Disconnected. Reload the page to connect again.', 'error');
  if (state !== 'open') return;
  if (everOpen) notice('Reconnected.');
  everOpen = true;
  // The server adds a connection to a conversation when it first hears about it, and a new
  // connection starts with none: announce ourselves after every (re)connect to receive messages.
  client.sendTypingStopped({ conversationId: params.conversation, userId: params.user });
});
client.on('chatMessage', ({ payload }) => {
  if (payload.conversationId !== params.conversation) return;
  names.set(payload.senderId, payload.senderName);
  if (othersTyping.has(payload.senderId)) setOtherTyping(payload.senderId, false);
  showBroadcast(payload);
});
client.on('typingStarted', ({ payload }) => {
  if (payload.conversationId === params.conversation && payload.userId !== params.user) setOtherTyping(payload.userId, true);
});
client.on('typingStopped', ({ payload }) => {
  if (payload.conversationId === params.conversation && othersTyping.has(payload.userId)) setOtherTyping(payload.userId, false);
});
client.on('agentAssigned', ({ payload }) => {
  if (payload.conversationId !== params.conversation) return;
  names.set(payload.agentId, payload.agentName);
  notice(`${payload.agentName} joined the conversation.`);
});
client.on('error', ({ payload }) => notice(`Server error ${payload.code}: ${payload.message}`, 'error'));
client.on('clientError', (error) => notice(`${error.code}: ${error.message}`, 'error'));

// ── composer ───────────────────────────────────────────────────────────────────────────────────

view.input.addEventListener('input', () => setTyping(view.input.value.trim() !== ''));

view.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const content = view.input.value.trim();
  setTyping(false);
  if (content === '') return;
  view.input.value = '';
  const li = messageItem(params.user, params.name, content);
  setStatus(li, 'sending', 'sending…');
  unconfirmed.push({ li, content });
  appendItem(li);
  // Queued by the client while (re)connecting, and re-sent once if the connection drops.
  client.request({ type: 'chatMessage', payload: { conversationId: params.conversation, senderId: params.user, content, timestamp: new Date().toISOString() } }).then(
    (reply) => setStatus(claim(reply.payload.messageId, content, li) ?? li, 'delivered', '✓ delivered'),
    (error: unknown) => {
      const index = unconfirmed.findIndex((entry) => entry.li === li);
      if (index >= 0) unconfirmed.splice(index, 1);
      setStatus(li, 'failed', `not delivered: ${error instanceof Error ? error.message : String(error)}`);
    },
  );
});

window.addEventListener('pagehide', () => void client.close());
showState(client.state);
view.input.focus();
