import type { InboxMessage } from "./sms-inbox.ts";

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** The inbox page's policy: its own script and style only, no inline code, no framing. */
export const INBOX_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Stream position of a message: `<boot>.<id>`. Ids restart with every boot, so a browser that
 * reconnects to a restarted server (Last-Event-ID from the old one) must not skip new messages.
 */
export function streamCursor(epoch: string, id: number): string {
  return `${epoch}.${id}`;
}

/** The id a cursor points at, or 0 (everything) for one from another boot or none. */
export function cursorId(epoch: string, cursor: string | undefined): number {
  if (!cursor?.startsWith(`${epoch}.`)) return 0;
  const id = Number(cursor.slice(epoch.length + 1));
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}

function codeOf(message: string): string | undefined {
  return /\b\d{4,10}\b/.exec(message)?.[0];
}

function renderMessage(message: InboxMessage, epoch: string): string {
  const code = codeOf(message.message);
  return `<li class="sms" data-id="${escapeHtml(streamCursor(epoch, message.id))}">
  <div class="meta"><span class="phone">${escapeHtml(message.phone || "(no phone)")}</span>
  <time datetime="${escapeHtml(message.timestamp)}">${escapeHtml(message.timestamp)}</time></div>
  <p class="text">${escapeHtml(message.message)}</p>${code ? `\n  <p class="code">${escapeHtml(code)}</p>` : ""}
</li>`;
}

/**
 * The dev inbox: every captured SMS, newest first, rendered on the server (readable without
 * JavaScript) and kept current by /_dev/inbox.js through the server-sent event stream. Every
 * value from an SMS is escaped; the script adds new ones with textContent only.
 */
export function renderInboxPage(
  messages: readonly InboxMessage[],
  phone: string | undefined,
  epoch: string,
): string {
  const lastCursor = streamCursor(epoch, messages.at(-1)?.id ?? 0);
  const items = [...messages]
    .reverse()
    .map((message) => renderMessage(message, epoch))
    .join("\n");
  const heading = phone ? `SMS to ${escapeHtml(phone)}` : "Every SMS since the dev server started";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>SMS inbox · dev server</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/_dev/inbox.css">
<script src="/_dev/inbox.js" defer></script>
</head>
<body>
<main id="inbox" data-last-id="${escapeHtml(lastCursor)}" data-phone="${escapeHtml(phone ?? "")}">
<h1>SMS inbox</h1>
<p class="lead">${heading}. Nothing here is sent to a phone: the local stack captures each SMS in its outbox queue.
<span id="live" class="live">Live updates off: reload to refresh.</span></p>
${phone ? `<p><a href="/_dev/inbox">Show every phone</a></p>` : ""}
<p id="empty" class="empty"${messages.length > 0 ? " hidden" : ""}>No SMS yet. Send a code from <a href="/">the page</a>.</p>
<ol id="messages" class="messages" reversed>
${items}
</ol>
</main>
</body>
</html>
`;
}

/** Keeps the page current: listens to the stream and prepends each new SMS (text only, never HTML). */
export const INBOX_SCRIPT = `"use strict";
(function () {
  var main = document.getElementById("inbox");
  var list = document.getElementById("messages");
  var empty = document.getElementById("empty");
  var live = document.getElementById("live");
  if (!main || !list || typeof EventSource === "undefined") return;
  var query = "after=" + encodeURIComponent(main.getAttribute("data-last-id") || "");
  var phone = main.getAttribute("data-phone");
  if (phone) query += "&phone=" + encodeURIComponent(phone);
  var source = new EventSource("/_dev/sms/stream?" + query);
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  source.addEventListener("open", function () { if (live) live.textContent = "Live: new SMS appear here."; });
  source.addEventListener("error", function () { if (live) live.textContent = "Reconnecting…"; });
  source.addEventListener("sms", function (event) {
    var sms = JSON.parse(event.data);
    var cursor = String(event.lastEventId);
    for (var i = 0; i < list.children.length; i++) {
      if (list.children[i].getAttribute("data-id") === cursor) return;
    }
    var item = element("li", "sms");
    item.setAttribute("data-id", cursor);
    var meta = element("div", "meta");
    meta.appendChild(element("span", "phone", sms.phone || "(no phone)"));
    var time = element("time", "", sms.timestamp);
    time.setAttribute("datetime", sms.timestamp);
    meta.appendChild(time);
    item.appendChild(meta);
    item.appendChild(element("p", "text", sms.message));
    var code = /\\b\\d{4,10}\\b/.exec(sms.message);
    if (code) item.appendChild(element("p", "code", code[0]));
    item.classList.add("new");
    list.insertBefore(item, list.firstChild);
    if (empty) empty.hidden = true;
  });
})();
`;

export const INBOX_STYLES = `:root { font-family: system-ui, sans-serif; line-height: 1.45; }
body { margin: 0 auto; max-width: 44rem; padding: 1.5rem 1rem 3rem; }
h1 { margin: 0 0 0.25rem; }
.lead { color: GrayText; margin-top: 0; }
.live { display: block; font-size: 0.9em; }
.messages { list-style: none; padding: 0; margin: 1.5rem 0 0; }
.sms { border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: 0.6rem; padding: 0.75rem 1rem; margin-bottom: 0.75rem; }
.sms.new { border-color: #2f7d32; box-shadow: 0 0 0 2px color-mix(in srgb, #2f7d32 30%, transparent); }
.meta { display: flex; justify-content: space-between; gap: 1rem; font-size: 0.9em; color: GrayText; }
.phone { font-weight: 600; color: CanvasText; font-variant-numeric: tabular-nums; }
.text { margin: 0.4rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.code { margin: 0; font: 700 1.6rem/1.2 ui-monospace, monospace; letter-spacing: 0.15em; }
.empty { font-style: italic; }
`;
