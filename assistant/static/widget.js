/*
 * Staff chat widget of the Hà Nội administrative assistant.
 *
 * Embed it with one tag:
 *   <script src="https://ASSISTANT/widget.js" data-token-url="/my/token"
 *           data-lang="vi" data-title="Trợ lý hành chính"></script>
 *
 * Attributes:
 *   data-token-url  a URL on the host page's own server. The widget POSTs to it
 *                   (credentials included) and expects {"token": "...",
 *                   "expires_at": ISO 8601 time or seconds since 1970}.
 *   data-lang       "vi" or "en"; default: <html lang>, then the browser's language.
 *   data-title      the panel's title.
 *   data-api        the assistant's base URL; default: where this script came from.
 *
 * Instead of data-token-url a page may call
 *   window.HanoiAssistant.setTokenProvider(async () => ({token, expires_at}))
 * The widget keeps tokens in memory only, refreshes them before they expire,
 * and fetches a new one once when the server returns 401.
 *
 * Everything is drawn inside a shadow root, so the page's CSS does not reach
 * the widget and the widget's CSS does not reach the page. Sizes are in px,
 * not rem, because rem follows the host page's root font size.
 */
(function () {
  "use strict";

  if (window.HanoiAssistant && window.HanoiAssistant.version) {
    return; // loaded twice: the first copy stays in charge
  }

  var script = document.currentScript;
  var API = (script && script.getAttribute("data-api")) || (script ? new URL(script.src, location.href).origin : location.origin);
  API = API.replace(/\/+$/, "");
  var TOKEN_URL = script && script.getAttribute("data-token-url");
  var STORAGE_KEY = "hanoi-assistant:" + API;
  var HISTORY_MESSAGES = 20;   // the API takes at most 50 messages
  var HISTORY_CHARS = 3900;    // the API takes at most 4,000 characters a message
  var REFRESH_MARGIN_MS = 60 * 1000;
  var COPY_CONFIRM_MS = 2500;

  var TEXT = {
    vi: {
      open: "Mở trợ lý hành chính",
      launcher: "Hỏi trợ lý",
      close: "Đóng trợ lý",
      title: "Trợ lý hành chính",
      newChat: "Cuộc trò chuyện mới",
      switchLanguage: "Switch to English",
      otherLanguage: "EN",
      inputLabel: "Câu hỏi của bạn",
      placeholder: "Nhập câu hỏi, Enter để gửi",
      send: "Gửi",
      welcome: "Xin chào! Hãy hỏi về thủ tục, quy định và tài liệu của thành phố. Mỗi câu trả lời có nguồn trích dẫn để bạn kiểm tra.",
      you: "Bạn",
      assistant: "Trợ lý",
      stages: {
        sending: "Đang gửi câu hỏi…",
        retrieving: "Đang tìm trong tài liệu…",
        generating: "Đang soạn câu trả lời…",
        other: "Đang xử lý…"
      },
      answerReady: "Đã có câu trả lời.",
      modes: { generated: "Soạn từ tài liệu", extractive: "Trích nguyên văn tài liệu" },
      sources: "Nguồn",
      sourceLabel: function (n, title) { return "Mở nguồn " + n + ": " + title; },
      copy: "Sao chép",
      copied: "Đã sao chép",
      copyFailed: "Không sao chép được",
      helpful: "Câu trả lời hữu ích",
      notHelpful: "Câu trả lời chưa tốt",
      commentLabel: "Góp ý thêm (không bắt buộc)",
      sendFeedback: "Gửi đánh giá",
      thanks: "Cảm ơn bạn đã đánh giá.",
      back: "Quay lại cuộc trò chuyện",
      passageLoading: "Đang tải đoạn trích…",
      page: "trang",
      passageHeading: "Đoạn trích nguồn",
      errors: {
        unreachable: "Không kết nối được với máy chủ trợ lý. Hãy kiểm tra mạng rồi thử lại.",
        gate: "Câu hỏi có dấu mức độ mật (như MẬT, TỐI MẬT, CONFIDENTIAL). Trợ lý chỉ nhận nội dung không mật: hãy bỏ phần có dấu mật rồi hỏi lại.",
        rateLimited: function (s) { return "Bạn đã gửi quá nhiều yêu cầu. Hãy thử lại sau " + s + " giây."; },
        signedOut: "Bạn chưa đăng nhập hoặc phiên làm việc đã hết hạn. Hãy đăng nhập lại rồi thử lại.",
        forbidden: "Tài khoản của bạn chưa được cấp quyền dùng trợ lý. Hãy liên hệ quản trị viên.",
        tooLong: "Nội dung quá dài. Hãy rút gọn rồi gửi lại.",
        invalid: "Máy chủ không nhận yêu cầu này. Hãy sửa câu hỏi rồi thử lại.",
        server: "Trợ lý đang gặp sự cố. Hãy thử lại sau ít phút.",
        failed: "Trợ lý gặp lỗi khi trả lời. Hãy thử lại.",
        interrupted: "Câu trả lời bị ngắt giữa chừng. Hãy hỏi lại.",
        passage: "Không mở được đoạn trích này.",
        feedback: "Không gửi được đánh giá."
      }
    },
    en: {
      open: "Open the administrative assistant",
      launcher: "Ask the assistant",
      close: "Close the assistant",
      title: "Administrative assistant",
      newChat: "New conversation",
      switchLanguage: "Chuyển sang tiếng Việt",
      otherLanguage: "VI",
      inputLabel: "Your question",
      placeholder: "Type a question, Enter to send",
      send: "Send",
      welcome: "Hello! Ask about the city's procedures, rules and documents. Every answer names its sources so you can check them.",
      you: "You",
      assistant: "Assistant",
      stages: {
        sending: "Sending your question…",
        retrieving: "Searching the documents…",
        generating: "Writing the answer…",
        other: "Working…"
      },
      answerReady: "The answer is ready.",
      modes: { generated: "Written from the documents", extractive: "Quoted from the documents" },
      sources: "Sources",
      sourceLabel: function (n, title) { return "Open source " + n + ": " + title; },
      copy: "Copy",
      copied: "Copied",
      copyFailed: "Could not copy",
      helpful: "Helpful answer",
      notHelpful: "Unhelpful answer",
      commentLabel: "Comment (optional)",
      sendFeedback: "Send rating",
      thanks: "Thank you for your rating.",
      back: "Back to the conversation",
      passageLoading: "Loading the passage…",
      page: "page",
      passageHeading: "Cited passage",
      errors: {
        unreachable: "The assistant's server cannot be reached. Check your connection and try again.",
        gate: "Your message carries a secrecy mark (such as MẬT, TỐI MẬT or CONFIDENTIAL). The assistant accepts only non-confidential material: remove the marked part and ask again.",
        rateLimited: function (s) { return "Too many requests. Try again in " + s + " seconds."; },
        signedOut: "You are not signed in, or your session has expired. Sign in again and retry.",
        forbidden: "Your account may not use the assistant. Ask an administrator for access.",
        tooLong: "The text is too long. Shorten it and send it again.",
        invalid: "The server did not accept this request. Change the question and try again.",
        server: "The assistant has a problem right now. Try again in a few minutes.",
        failed: "The assistant failed while answering. Try again.",
        interrupted: "The answer was cut off. Ask again.",
        passage: "This passage could not be opened.",
        feedback: "The rating could not be sent."
      }
    }
  };

  var ICONS = {
    chat: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H10l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z" fill="currentColor"/></svg>',
    close: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"/></svg>',
    plus: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 5v14M5 12h14" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"/></svg>',
    thumb: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M2 10h4v11H2zM8 10l4-8c1.6 0 2.7 1.1 2.5 2.7L14 9h6a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 18.6 21H8z" fill="currentColor"/></svg>',
    copy: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M8 8h11v13H8zM5 3h11v3H7v11H5z" fill="currentColor"/></svg>',
    send: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 20l18-8L3 4l2 7 9 1-9 1z" fill="currentColor"/></svg>'
  };

  var STYLE = [
    ":host { all: initial !important; display: block !important; position: static !important; }",
    // Page styles reach the shadow tree only by inheritance, and :host stops that, so the
    // root sets the inherited properties once and everything below inherits them.
    ".root { font-family: 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', Arial, sans-serif;",
    "  font-size: 15px; line-height: 1.45; color: #1d2330; letter-spacing: normal; text-transform: none; text-align: left; }",
    ".root * { box-sizing: border-box; }",
    "button, textarea, input { font: inherit; color: inherit; letter-spacing: inherit; }",
    ".root svg { width: 18px; height: 18px; flex: none; }",
    "button { cursor: pointer; border: 0; background: none; margin: 0; }",
    ":focus { outline: none; }",
    ":focus-visible { outline: 3px solid #f2a900 !important; outline-offset: 2px; }",
    ".launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; display: flex; align-items: center; gap: 8px;",
    "  padding: 12px 18px; border-radius: 28px; background: #0b4a8b; color: #fff; font-weight: 600;",
    "  box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".launcher span, .launcher svg { color: #fff; }",
    ".launcher:hover { background: #093c72; }",
    ".panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483001; width: 400px; height: min(620px, calc(100vh - 110px));",
    "  display: flex; flex-direction: column; background: #fff; border: 1px solid #c9d1dc; border-radius: 12px;",
    "  box-shadow: 0 12px 32px rgba(0,0,0,.28); overflow: hidden; }",
    ".panel[hidden], [hidden] { display: none !important; }",
    ".header { display: flex; align-items: center; gap: 4px; padding: 10px 10px 10px 16px; background: #0b4a8b; }",
    ".header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 700; color: #fff; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }",
    ".header button { display: flex; align-items: center; justify-content: center; min-width: 36px; height: 36px; padding: 0 8px;",
    "  border-radius: 8px; color: #fff; font-weight: 700; font-size: 13px; }",
    ".header button svg, .header button span { color: #fff; font-size: 13px; font-weight: 700; }",
    ".header button:hover { background: rgba(255,255,255,.16); }",
    ".header button:disabled { opacity: .5; cursor: default; }",
    ".body { position: relative; flex: 1; min-height: 0; display: flex; flex-direction: column; }",
    ".log { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 10px; background: #f6f8fb; }",
    ".msg { max-width: 88%; padding: 9px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }",
    ".msg.user { align-self: flex-end; background: #0b4a8b; color: #fff; border-bottom-right-radius: 4px; }",
    ".msg.user * { color: #fff; }",
    ".msg.bot { align-self: flex-start; background: #fff; border: 1px solid #d8dee8; border-bottom-left-radius: 4px; }",
    ".msg.welcome { color: #3b4455; }",
    ".msg.error { align-self: stretch; max-width: 100%; background: #fdecea; border: 1px solid #e3a39b; color: #7a1d12; }",
    ".msg.error * { color: #7a1d12; }",
    ".who { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }",
    ".progress { display: flex; align-items: center; gap: 8px; color: #3b4455; font-style: italic; }",
    ".dots { display: inline-flex; gap: 3px; }",
    ".dots i { width: 6px; height: 6px; border-radius: 50%; background: #0b4a8b; animation: blink 1.2s infinite ease-in-out; }",
    ".dots i:nth-child(2) { animation-delay: .2s; } .dots i:nth-child(3) { animation-delay: .4s; }",
    "@keyframes blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }",
    "@media (prefers-reduced-motion: reduce) { .dots i { animation: none; } }",
    ".cite { display: inline; padding: 0 2px; color: #0b4a8b; font-weight: 700; text-decoration: underline; border-radius: 3px; }",
    ".mode { display: block; margin-top: 6px; font-size: 12px; color: #5b6578; }",
    ".sources { margin: 8px 0 0; padding: 8px 0 0; border-top: 1px solid #e3e8ef; white-space: normal; }",
    ".sources ol { list-style: none; margin: 0; padding: 0; }",
    ".sources h3 { margin: 0 0 4px; font-size: 12px; font-weight: 700; text-transform: uppercase; color: #5b6578; }",
    ".sources li { margin: 2px 0; }",
    ".source { display: block; width: 100%; text-align: left; padding: 3px 4px; border-radius: 4px; color: #0b4a8b; text-decoration: underline; font-size: 13px; }",
    ".source:hover { background: #eef3fa; }",
    ".actions { display: flex; align-items: center; gap: 4px; margin-top: 8px; white-space: normal; }",
    ".actions button { display: flex; align-items: center; gap: 4px; padding: 4px 8px; border-radius: 6px; color: #3b4455; font-size: 13px; }",
    ".actions button * { color: #3b4455; font-size: 13px; }",
    ".actions button:hover { background: #eef3fa; }",
    ".actions button[aria-pressed=true] { background: #dce8f7; }",
    ".actions button[aria-pressed=true] * { color: #0b4a8b; }",
    ".down svg { transform: rotate(180deg); }",
    ".feedback { margin-top: 8px; display: flex; flex-direction: column; gap: 6px; white-space: normal; }",
    ".feedback label { font-size: 13px; color: #3b4455; }",
    ".feedback textarea { width: 100%; min-height: 56px; padding: 6px 8px; border: 1px solid #9aa6b8; border-radius: 6px; resize: vertical; font-size: 14px; }",
    ".feedback button, .primary { align-self: flex-start; padding: 6px 12px; border-radius: 6px; background: #0b4a8b; color: #fff; font-weight: 600; font-size: 13px; }",
    ".note { font-size: 13px; color: #1f6b35; }",
    ".note.bad { color: #7a1d12; }",
    ".composer { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #d8dee8; background: #fff; }",
    ".composer textarea { flex: 1; min-height: 44px; max-height: 140px; padding: 10px 12px; border: 1px solid #9aa6b8; border-radius: 8px; resize: none; }",
    ".composer button { display: flex; align-items: center; gap: 6px; padding: 0 14px; border-radius: 8px; background: #0b4a8b; color: #fff; font-weight: 600; }",
    ".composer button * { color: #fff; }",
    ".composer button:disabled { background: #8397b0; cursor: default; }",
    ".sheet { position: absolute; inset: 0; display: flex; flex-direction: column; background: #fff; overflow-y: auto; padding: 14px; gap: 8px; }",
    ".sheet .backlink { align-self: flex-start; padding: 4px 8px; border-radius: 6px; color: #0b4a8b; font-weight: 600; text-decoration: underline; }",
    ".sheet h3 { margin: 0; font-size: 16px; font-weight: 700; }",
    ".sheet .meta { font-size: 13px; color: #5b6578; }",
    ".sheet blockquote { margin: 0; padding: 10px 12px; border-left: 4px solid #0b4a8b; background: #f6f8fb; white-space: pre-wrap; overflow-wrap: anywhere; }",
    ".sheet mark { background: #ffe38a; color: #1d2330; }",
    ".status { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }",
    "@media (max-width: 520px) {",
    "  .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; border: 0; }",
    "  .launcher { right: 12px; bottom: 12px; }",
    "  .msg { max-width: 94%; }",
    "}"
  ].join("\n");

  /* ---------- state kept for the browser session ---------- */

  function newId() {
    if (window.crypto && crypto.randomUUID) return "c-" + crypto.randomUUID();
    return "c-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function loadState() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
      if (saved && Array.isArray(saved.messages) && typeof saved.conversationId === "string") return saved;
    } catch (ignored) { /* unreadable or blocked storage: start afresh */ }
    return { conversationId: newId(), serverConversationId: null, messages: [], lang: null };
  }

  function saveState() {
    try { sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state)); } catch (ignored) { /* storage full or blocked */ }
  }

  function pickLanguage(value) {
    return String(value || "").toLowerCase().indexOf("vi") === 0 ? "vi" : "en";
  }

  var state = loadState();
  var lang = state.lang || pickLanguage(
    (script && script.getAttribute("data-lang")) || document.documentElement.lang || navigator.language);
  function t() { return TEXT[lang]; }

  /* ---------- tokens ---------- */

  function WidgetError(kind, seconds) {
    this.kind = kind;
    this.seconds = seconds;
  }

  var tokenProvider = null;
  var token = null;         // {value, expiresAt (ms)}
  var tokenRequest = null;  // the token fetch under way, shared by concurrent callers
  var refreshTimer = null;

  function parseExpiry(value) {
    var ms = NaN;
    if (typeof value === "number") ms = value < 1e12 ? value * 1000 : value;
    else if (typeof value === "string") ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
    // NOTE: without a readable expiry the token is assumed to last five minutes.
    return isFinite(ms) ? ms : Date.now() + 5 * 60 * 1000;
  }

  function fetchTokenFromUrl() {
    return fetch(TOKEN_URL, { method: "POST", credentials: "include", headers: { Accept: "application/json" } })
      .catch(function () { throw new WidgetError("unreachable"); })
      .then(function (response) {
        if (!response.ok) throw new WidgetError(response.status >= 500 ? "server" : "signedOut");
        return response.json();
      });
  }

  function tokenSource() {
    if (tokenProvider) return Promise.resolve().then(tokenProvider);
    if (TOKEN_URL) return fetchTokenFromUrl();
    return Promise.reject(new WidgetError("signedOut"));
  }

  function requestToken() {
    return tokenSource().then(function (data) {
      if (!data || typeof data.token !== "string" || !data.token) throw new WidgetError("signedOut");
      token = { value: data.token, expiresAt: parseExpiry(data.expires_at) };
      scheduleRefresh();
      return token.value;
    }, function (error) {
      throw error instanceof WidgetError ? error : new WidgetError("signedOut");
    });
  }

  function getToken(force) {
    if (!force && token && token.expiresAt - Date.now() > REFRESH_MARGIN_MS / 2) return Promise.resolve(token.value);
    if (!tokenRequest) {
      token = null;
      tokenRequest = requestToken().then(function (value) { tokenRequest = null; return value; },
        function (error) { tokenRequest = null; throw error; });
    }
    return tokenRequest;
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    var delay = Math.min(Math.max(token.expiresAt - Date.now() - REFRESH_MARGIN_MS, 5000), 2147483647);
    refreshTimer = setTimeout(function () {
      getToken(true).catch(function () { /* the next request reports it */ });
    }, delay);
  }

  function clearToken() {
    token = null;
    clearTimeout(refreshTimer);
  }

  /* ---------- API calls ---------- */

  function apiFetch(path, init) {
    function send(value) {
      var headers = Object.assign({}, init.headers || {}, { Authorization: "Bearer " + value });
      return fetch(API + path, Object.assign({}, init, { headers: headers, credentials: "omit", mode: "cors" }))
        .catch(function () { throw new WidgetError("unreachable"); });
    }
    return getToken(false).then(send).then(function (response) {
      if (response.status !== 401) return response;
      return getToken(true).then(send); // once: a second 401 is reported
    });
  }

  function retrySeconds(response, problem) {
    var header = response.headers.get("Retry-After");
    if (header) {
      if (/^\d+$/.test(header.trim())) return Math.max(1, Number(header));
      var date = Date.parse(header);
      if (isFinite(date)) return Math.max(1, Math.ceil((date - Date.now()) / 1000));
    }
    var found = /(\d+)\s*(s\b|sec|seconds?|giây)/i.exec((problem && problem.detail) || "");
    return found ? Number(found[1]) : 60;
  }

  function isGateText(value) {
    return /classification gate/i.test(value || "");
  }

  function errorFromResponse(response) {
    return response.json().catch(function () { return {}; }).then(function (problem) {
      var status = response.status;
      if (status === 401) return new WidgetError("signedOut");
      if (status === 403) return new WidgetError("forbidden");
      if (status === 429) return new WidgetError("rateLimited", retrySeconds(response, problem));
      if (status === 413) return new WidgetError("tooLong");
      if (status === 422 && (isGateText(problem.title) || isGateText(problem.detail))) return new WidgetError("gate");
      if (status >= 400 && status < 500) return new WidgetError("invalid");
      return new WidgetError("server");
    });
  }

  function errorText(error) {
    var messages = t().errors;
    var kind = error && error.kind && messages[error.kind] ? error.kind : "failed";
    var message = messages[kind];
    return typeof message === "function" ? message(error.seconds || 60) : message;
  }

  /* Parse a server-sent event block into {event, data}. */
  function parseEvent(block) {
    var name = "message", data = [];
    block.split(/\r?\n/).forEach(function (line) {
      if (line.indexOf("event:") === 0) name = line.slice(6).trim();
      else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
    });
    var payload = {};
    try { payload = JSON.parse(data.join("\n") || "{}"); } catch (ignored) { payload = {}; }
    return { event: name, data: payload };
  }

  /* Read the chat stream, calling view.stage and view.append; resolve with the "done" result. */
  function readStream(response, view) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    var result = null;

    function handle(item) {
      if (item.event === "progress") view.stage(item.data.stage);
      else if (item.event === "token") view.append(String(item.data.text || ""));
      else if (item.event === "done") result = item.data;
      else if (item.event === "error") throw new WidgetError(isGateText(item.data.detail) ? "gate" : "failed");
    }

    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          if (buffer.trim()) handle(parseEvent(buffer));
          if (!result) throw new WidgetError(view.hasText() ? "interrupted" : "failed");
          return result;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        var match;
        while ((match = /\r?\n\r?\n/.exec(buffer))) {
          var block = buffer.slice(0, match.index);
          buffer = buffer.slice(match.index + match[0].length);
          handle(parseEvent(block));
          if (result) return result;
        }
        return pump();
      }, function () {
        throw new WidgetError(view.hasText() ? "interrupted" : "unreachable");
      });
    }
    return pump().then(function (done) {
      reader.cancel().catch(function () { /* already closed */ });
      return done;
    });
  }

  /* ---------- DOM helpers ---------- */

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      var value = attributes[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key === "html") node.innerHTML = value; // only for the constant icons above
      else if (key.indexOf("on") === 0) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function iconButton(icon, label, className, onclick, extra) {
    return el("button", Object.assign({ type: "button", className: className, "aria-label": label, title: label,
      html: ICONS[icon], onclick: onclick }, extra || {}));
  }

  /* Append text to node, turning each [n] that names a citation into a button. */
  function appendAnswerText(node, answer, citations) {
    var byNumber = {};
    (citations || []).forEach(function (c) { byNumber[c.n] = c; });
    var parts = String(answer).split(/(\[\d+\])/);
    parts.forEach(function (part) {
      var match = /^\[(\d+)\]$/.exec(part);
      var citation = match && byNumber[Number(match[1])];
      if (!citation) {
        node.appendChild(document.createTextNode(part));
        return;
      }
      node.appendChild(el("button", { type: "button", className: "cite", text: part,
        "aria-label": t().sourceLabel(citation.n, citation.title),
        onclick: function () { openPassage(citation); } }));
    });
  }

  /* ---------- the widget ---------- */

  var host = document.createElement("hanoi-assistant");
  var shadow = host.attachShadow({ mode: "open" });
  var root, launcher, panel, log, input, sendButton, status, languageButton, newButton, body;
  var busy = false;
  var sheet = null;

  function build() {
    shadow.textContent = "";
    shadow.appendChild(el("style", { text: STYLE }));
    var title = (script && script.getAttribute("data-title")) || t().title;
    root = el("div", { className: "root", lang: lang });
    launcher = el("button", { type: "button", className: "launcher", "aria-label": t().open,
      "aria-haspopup": "dialog", "aria-expanded": "false", "aria-controls": "hanoi-assistant-panel", onclick: open },
      [el("span", { html: ICONS.chat }), el("span", { text: t().launcher })]);
    status = el("div", { className: "status", role: "status", "aria-live": "polite" });
    newButton = iconButton("plus", t().newChat, "new", newConversation);
    languageButton = el("button", { type: "button", className: "language", "aria-label": t().switchLanguage,
      title: t().switchLanguage, onclick: switchLanguage }, [el("span", { text: t().otherLanguage })]);
    var header = el("div", { className: "header" }, [
      el("h2", { id: "hanoi-assistant-title", text: title }),
      newButton, languageButton,
      iconButton("close", t().close, "close", close)
    ]);
    log = el("div", { className: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
      "aria-label": title });
    input = el("textarea", { rows: "1", "aria-label": t().inputLabel, placeholder: t().placeholder,
      maxlength: "4000", onkeydown: onInputKey });
    sendButton = el("button", { type: "submit", "aria-label": t().send },
      [el("span", { html: ICONS.send }), el("span", { text: t().send })]);
    var composer = el("form", { className: "composer", onsubmit: onSubmit }, [input, sendButton]);
    body = el("div", { className: "body" }, [log, composer]);
    panel = el("div", { className: "panel", id: "hanoi-assistant-panel", role: "dialog", "aria-modal": "true",
      "aria-labelledby": "hanoi-assistant-title", hidden: true, onkeydown: onPanelKey }, [header, body]);
    root.appendChild(launcher);
    root.appendChild(panel);
    root.appendChild(status);
    shadow.appendChild(root);
    sheet = null;
    renderConversation();
    setBusy(busy);
  }

  function renderConversation() {
    log.textContent = "";
    log.appendChild(el("div", { className: "msg bot welcome", text: t().welcome }));
    state.messages.forEach(function (message, index) {
      if (message.role === "user") {
        log.appendChild(userBubble(message.content));
        if (message.failed) log.appendChild(errorBubble(errorText({ kind: message.failed, seconds: message.seconds })));
      } else {
        log.appendChild(answerBubble(message, index));
      }
    });
    scrollToEnd();
  }

  function userBubble(content) {
    return el("div", { className: "msg user" }, [el("span", { className: "who", text: t().you + ": " }), content]);
  }

  function errorBubble(text) {
    return el("div", { className: "msg error", role: "alert", text: text });
  }

  function answerBubble(message, index) {
    var bubble = el("div", { className: "msg bot answer" }, [el("span", { className: "who", text: t().assistant + ": " })]);
    var textNode = el("span", { className: "text" });
    appendAnswerText(textNode, message.content, message.citations);
    bubble.appendChild(textNode);
    if (message.mode && t().modes[message.mode]) bubble.appendChild(el("span", { className: "mode", text: t().modes[message.mode] }));
    if (message.citations && message.citations.length) bubble.appendChild(sourceList(message.citations));
    bubble.appendChild(answerActions(message, index, bubble));
    return bubble;
  }

  function sourceList(citations) {
    var list = el("ol", { "aria-label": t().sources });
    var wrapper = el("div", { className: "sources" }, [el("h3", { text: t().sources, "aria-hidden": "true" }), list]);
    citations.forEach(function (citation) {
      var label = "[" + citation.n + "] " + citation.title + (citation.locator ? " — " + citation.locator : "");
      list.appendChild(el("li", {}, [el("button", { type: "button", className: "source", text: label,
        "aria-label": t().sourceLabel(citation.n, citation.title), onclick: function () { openPassage(citation); } })]));
    });
    return wrapper;
  }

  function answerActions(message, index, bubble) {
    var copyButton = el("button", { type: "button", className: "copy", onclick: function () { copyAnswer(message, copyButton); } },
      [el("span", { html: ICONS.copy }), el("span", { className: "label", text: t().copy })]);
    var up = iconButton("thumb", t().helpful, "up", function () { chooseRating("up"); }, { "aria-pressed": String(message.rating === "up") });
    var down = iconButton("thumb", t().notHelpful, "down", function () { chooseRating("down"); }, { "aria-pressed": String(message.rating === "down") });
    var actions = el("div", { className: "actions" }, [copyButton, up, down]);
    var form = null;
    if (message.rated) {
      up.disabled = down.disabled = true;
      actions.appendChild(el("span", { className: "note", text: t().thanks }));
    }

    function chooseRating(rating) {
      up.setAttribute("aria-pressed", String(rating === "up"));
      down.setAttribute("aria-pressed", String(rating === "down"));
      if (form) form.remove();
      form = feedbackForm(message, index, rating, function () {
        up.disabled = down.disabled = true;
      });
      bubble.appendChild(form);
      form.querySelector("textarea").focus();
    }
    return actions;
  }

  function feedbackForm(message, index, rating, onStored) {
    var comment = el("textarea", { maxlength: "2000", id: "fb-" + index });
    var note = el("span", { className: "note", role: "status" });
    var submit = el("button", { type: "submit", text: t().sendFeedback });
    var form = el("form", { className: "feedback", onsubmit: function (event) {
      event.preventDefault();
      submit.disabled = true;
      sendFeedback(message, index, rating, comment.value.trim()).then(function () {
        message.rating = rating;
        message.rated = true;
        saveState();
        onStored();
        form.textContent = "";
        form.appendChild(el("span", { className: "note", role: "status", text: t().thanks }));
      }, function (error) {
        submit.disabled = false;
        note.className = "note bad";
        note.textContent = t().errors.feedback + " " + errorText(error);
      });
    } }, [el("label", { "for": "fb-" + index, text: t().commentLabel }), comment, submit, note]);
    return form;
  }

  function historyPosition(index) {
    return state.messages.slice(0, index).filter(function (m) { return !m.failed; }).length;
  }

  function sendFeedback(message, index, rating, comment) {
    var payload = { conversation_id: message.conversationId || state.conversationId,
      message_index: historyPosition(index), rating: rating };
    if (comment) payload.comment = comment;
    if (message.mode) payload.answer_mode = message.mode;
    return apiFetch("/v1/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload) }).then(function (response) {
      if (!response.ok) return errorFromResponse(response).then(function (error) { throw error; });
      return response.json();
    });
  }

  function copyText(value) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(value).catch(function () { return copyWithSelection(value); });
    }
    return copyWithSelection(value);
  }

  function copyWithSelection(value) {
    var area = el("textarea", { "aria-hidden": "true" });
    area.value = value;
    area.style.position = "fixed";
    area.style.opacity = "0";
    root.appendChild(area);
    area.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (ignored) { copied = false; }
    area.remove();
    return copied ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copyAnswer(message, button) {
    var lines = [message.content];
    (message.citations || []).forEach(function (c) {
      lines.push("[" + c.n + "] " + c.title + (c.locator ? ", " + c.locator : "") + (c.page ? ", " + t().page + " " + c.page : ""));
    });
    var label = button.querySelector(".label");
    copyText(lines.join("\n")).then(function () {
      label.textContent = t().copied;
      announce(t().copied);
    }, function () {
      label.textContent = t().copyFailed;
      announce(t().copyFailed);
    }).then(function () {
      setTimeout(function () { label.textContent = t().copy; }, COPY_CONFIRM_MS);
    });
  }

  /* ---------- the cited passage ---------- */

  function openPassage(citation) {
    closePassage();
    var back = el("button", { type: "button", className: "backlink", text: "← " + t().back, onclick: closePassage });
    var content = el("div", { className: "passage", "aria-live": "polite" }, [el("p", { text: t().passageLoading })]);
    sheet = el("section", { className: "sheet", role: "region", "aria-label": t().passageHeading }, [back, content]);
    sheet.returnFocus = shadow.activeElement;
    body.appendChild(sheet);
    back.focus();
    apiFetch("/v1/passages/" + encodeURIComponent(citation.chunk_id), { method: "GET", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) return errorFromResponse(response).then(function (error) { throw error; });
        return response.json();
      })
      .then(function (passage) {
        content.textContent = "";
        var meta = [passage.locator, passage.page ? t().page + " " + passage.page : "", passage.document_id].filter(Boolean);
        content.appendChild(el("h3", { text: "[" + citation.n + "] " + passage.title }));
        content.appendChild(el("p", { className: "meta", text: meta.join(" · ") }));
        content.appendChild(quoteBlock(passage.text, citation.quote));
      })
      .catch(function (error) {
        content.textContent = "";
        content.appendChild(errorBubble(t().errors.passage + " " + errorText(error)));
      });
  }

  /* Return the passage as a blockquote with the cited sentence highlighted, when it is found. */
  function quoteBlock(text, quote) {
    var block = el("blockquote", {});
    var at = quote ? text.indexOf(quote.trim()) : -1;
    if (at < 0) {
      block.textContent = text;
      return block;
    }
    block.appendChild(document.createTextNode(text.slice(0, at)));
    block.appendChild(el("mark", { text: quote.trim() }));
    block.appendChild(document.createTextNode(text.slice(at + quote.trim().length)));
    return block;
  }

  function closePassage() {
    if (!sheet) return;
    var target = sheet.returnFocus;
    sheet.remove();
    sheet = null;
    if (target && target.isConnected) target.focus();
    else input.focus();
  }

  /* ---------- asking ---------- */

  function history() {
    var kept = state.messages.filter(function (m) { return !m.failed; }).slice(-HISTORY_MESSAGES);
    while (kept.length && kept[0].role !== "user") kept.shift();
    return kept.map(function (m) { return { role: m.role, content: String(m.content).slice(0, HISTORY_CHARS) }; });
  }

  /* A bubble that shows progress, then the streamed text; finish() or fail() ends it. */
  function pendingAnswer() {
    var bubble = el("div", { className: "msg bot answer pending", "aria-busy": "true" },
      [el("span", { className: "who", text: t().assistant + ": " })]);
    var progressText = el("span", { className: "stage", text: t().stages.sending });
    var progress = el("div", { className: "progress", "data-stage": "sending" },
      [el("span", { className: "dots", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]), progressText]);
    var textNode = el("span", { className: "text" });
    bubble.appendChild(progress);
    bubble.appendChild(textNode);
    log.appendChild(bubble);
    announce(t().stages.sending);
    scrollToEnd();
    return {
      stage: function (name) {
        var label = t().stages[name] || t().stages.other;
        progress.setAttribute("data-stage", name);
        progressText.textContent = label;
        announce(label);
      },
      append: function (piece) {
        if (progress.isConnected) progress.remove();
        textNode.appendChild(document.createTextNode(piece));
        scrollToEnd();
      },
      hasText: function () { return textNode.textContent.length > 0; },
      finish: function (message, index) {
        bubble.replaceWith(answerBubble(message, index));
        announce(t().answerReady);
        scrollToEnd();
      },
      fail: function (text) {
        if (textNode.textContent) {
          // Keep what arrived, marked as cut off, but never as a finished answer.
          progress.remove();
          bubble.removeAttribute("aria-busy");
          bubble.classList.remove("pending");
          bubble.after(errorBubble(text));
        } else {
          bubble.replaceWith(errorBubble(text));
        }
        scrollToEnd();
      }
    };
  }

  function ask(question) {
    var user = { role: "user", content: question };
    state.messages.push(user);
    saveState();
    log.appendChild(userBubble(question));
    var view = pendingAnswer();
    setBusy(true);
    var request = { messages: history(), stream: true };
    if (state.serverConversationId) request.conversation_id = state.serverConversationId;
    return postChat(request)
      .then(function (response) {
        if (response.status === 404 && request.conversation_id) {
          // The server no longer has this conversation (or another person signed in): start a new one there.
          delete request.conversation_id;
          state.serverConversationId = null;
          return postChat(request);
        }
        return response;
      })
      .then(function (response) {
        if (!response.ok) return errorFromResponse(response).then(function (error) { throw error; });
        return readStream(response, view);
      })
      .then(function (result) {
        var answer = { role: "assistant", content: String(result.answer || ""), citations: result.citations || [],
          mode: result.mode, answered: result.answered, conversationId: result.conversation_id || null };
        if (result.conversation_id) state.serverConversationId = result.conversation_id;
        state.messages.push(answer);
        saveState();
        view.finish(answer, state.messages.length - 1);
      }, function (error) {
        user.failed = error && error.kind ? error.kind : "failed";
        if (error && error.seconds) user.seconds = error.seconds;
        saveState();
        view.fail(errorText(error));
        if (!input.value) input.value = question;
      })
      .then(function () { setBusy(false); input.focus(); });
  }

  function postChat(request) {
    return apiFetch("/v1/chat", { method: "POST", body: JSON.stringify(request),
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" } });
  }

  function onSubmit(event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question || busy) return;
    input.value = "";
    ask(question);
  }

  function onInputKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      onSubmit(event);
    }
  }

  function setBusy(value) {
    busy = value;
    if (sendButton) sendButton.disabled = value;
    if (languageButton) languageButton.disabled = value;
    if (newButton) newButton.disabled = value;
  }

  /* ---------- opening, closing, keyboard ---------- */

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    scrollToEnd();
    input.focus();
  }

  function close() {
    closePassage();
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function focusables() {
    var nodes = panel.querySelectorAll("button:not([disabled]), textarea:not([disabled]), input:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])");
    return Array.prototype.filter.call(nodes, function (node) {
      return node.getClientRects().length > 0 && !(sheet && !sheet.contains(node) && body.contains(node));
    });
  }

  function onPanelKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      if (sheet) closePassage();
      else close();
      return;
    }
    if (event.key !== "Tab") return;
    var items = focusables();
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1];
    var current = shadow.activeElement;
    var inside = items.indexOf(current) >= 0;
    if (event.shiftKey && (current === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (current === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  function newConversation() {
    if (busy) return;
    state.conversationId = newId();
    state.serverConversationId = null;
    state.messages = [];
    saveState();
    closePassage();
    renderConversation();
    announce(t().newChat);
    input.focus();
  }

  function switchLanguage() {
    if (busy) return;
    setLanguage(lang === "vi" ? "en" : "vi");
    languageButton.focus();
  }

  function setLanguage(value) {
    var wasOpen = panel && !panel.hidden;
    lang = pickLanguage(value);
    state.lang = lang;
    saveState();
    build();
    if (wasOpen) {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
    }
  }

  function announce(text) {
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 30);
  }

  function scrollToEnd() {
    if (log) log.scrollTop = log.scrollHeight;
  }

  function mount() {
    build();
    document.body.appendChild(host);
  }

  window.HanoiAssistant = {
    version: "1",
    /* fn returns {token, expires_at} or a promise of it; null removes the provider. */
    setTokenProvider: function (fn) {
      tokenProvider = typeof fn === "function" ? fn : null;
      clearToken();
    },
    open: function () { if (panel) open(); },
    close: function () { if (panel) close(); },
    newConversation: function () { if (panel) newConversation(); },
    setLanguage: function (value) { if (panel && !busy) setLanguage(value); }
  };

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
