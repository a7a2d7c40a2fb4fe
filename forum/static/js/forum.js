// Progressive enhancements only: every feature here also works without JavaScript.
// No inline script anywhere (strict CSP); labels come from data attributes and
// <template> elements the server rendered in the reader's language.
(function () {
  "use strict";

  var main = document.getElementById("main");

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    });
  }

  function isTyping(element) {
    return !!element && (element.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  function store(action, key, value) {
    // localStorage throws in private modes and when full; drafts are a bonus.
    try {
      if (action === "get") { return window.localStorage.getItem(key); }
      if (action === "set") { window.localStorage.setItem(key, value); }
      if (action === "remove") { window.localStorage.removeItem(key); }
    } catch (error) { /* ignore */ }
    return null;
  }

  // Ask before destructive actions (the form still posts without JS).
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Like without reloading the page; falls back to the normal form post.
  document.querySelectorAll("form[data-like]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      post(form.action, new FormData(form))
        .then(function (data) {
          button.setAttribute("aria-pressed", data.liked ? "true" : "false");
          button.classList.toggle("is-active", data.liked);
          form.querySelector(".like-count").textContent = data.like_count;
        })
        .catch(function () { form.submit(); });
    });
  });

  // --- Composer: toolbar, live preview, draft -------------------------------------

  // Insert text in place of the selection; execCommand keeps the undo history.
  function replaceSelection(textarea, text, selectFrom, selectTo) {
    var start = textarea.selectionStart;
    textarea.focus();
    var done = false;
    try { done = document.execCommand("insertText", false, text); } catch (error) { done = false; }
    if (!done || textarea.value.substr(start, text.length) !== text) {
      textarea.setRangeText(text, start, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    textarea.setSelectionRange(start + selectFrom, start + selectTo);
  }

  function wrap(textarea, before, after) {
    var selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    // Keep spaces outside the markers: "**word **" is not bold in CommonMark.
    var lead = selected.match(/^\s*/)[0];
    var trail = selected.slice(lead.length).match(/\s*$/)[0];
    var core = selected.slice(lead.length, selected.length - trail.length);
    var text = lead + before + core + after + trail;
    var from = lead.length + before.length;
    replaceSelection(textarea, text, from, from + core.length);
  }

  function link(textarea) {
    var selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd).trim();
    if (/^https?:\/\/\S+$/.test(selected)) {
      replaceSelection(textarea, "[](" + selected + ")", 1, 1);
    } else {
      var text = "[" + selected + "](https://)";
      // Select "https://" so typing the address replaces it.
      replaceSelection(textarea, text, selected.length + 3, text.length - 1);
    }
  }

  // Prefix every line the selection touches ("- ", "1. ", "> ", "## ").
  function prefixLines(textarea, prefix) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = value.indexOf("\n", Math.max(textarea.selectionEnd - 1, start));
    if (end === -1) { end = value.length; }
    textarea.setSelectionRange(start, end);
    var lines = value.slice(start, end).split("\n");
    var text = lines.map(function (line, index) {
      return (typeof prefix === "function" ? prefix(index) : prefix) + line;
    }).join("\n");
    // A list or quote needs a blank line before it to start a new block.
    var before = start > 0 && value.slice(0, start).slice(-2) !== "\n\n" ? "\n" : "";
    replaceSelection(textarea, before + text, before.length, before.length + text.length);
  }

  var FORMATS = [
    ["bold", "B", function (t) { wrap(t, "**", "**"); }],
    ["italic", "I", function (t) { wrap(t, "*", "*"); }],
    ["link", "Link", link],
    ["ul", "•", function (t) { prefixLines(t, "- "); }],
    ["ol", "1.", function (t) { prefixLines(t, function (i) { return (i + 1) + ". "; }); }],
    ["quote", "„“", function (t) { prefixLines(t, "> "); }],
    ["heading", "H", function (t) { prefixLines(t, "## "); }],
  ];

  function setUpToolbar(toolbar, textarea, labels) {
    FORMATS.forEach(function (format) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "toolbar-button toolbar-" + format[0];
      button.title = labels[format[0]];
      button.setAttribute("aria-controls", textarea.id);
      var glyph = document.createElement("span");
      glyph.setAttribute("aria-hidden", "true");
      glyph.textContent = format[1];
      var name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = labels[format[0]];
      button.appendChild(glyph);
      button.appendChild(name);
      // Keep the textarea's selection when the button is pressed with a mouse.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { format[2](textarea); });
      toolbar.appendChild(button);
    });
    toolbar.hidden = false;
    textarea.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      var key = event.key.toLowerCase();
      if (key === "b" || key === "i") {
        event.preventDefault();
        FORMATS[key === "b" ? 0 : 1][2](textarea);
      }
    });
  }

  function setUpPreview(form, textarea, panel, labels) {
    var button = form.querySelector('[name="preview"]');
    if (!button || !panel) { return; }
    var token = form.querySelector('[name="csrf_token"]');
    var url = form.querySelector(".composer-toolbar").getAttribute("data-preview-url");
    var label = document.createElement("p");
    label.className = "preview-label";
    label.textContent = labels.preview;
    var body = document.createElement("div");
    body.className = "cooked";
    panel.appendChild(label);
    panel.appendChild(body);
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", labels.preview);
    var timer = null;
    var sent = null;
    var refresh = function () {
      if (textarea.value === sent) { return Promise.resolve(); }
      sent = textarea.value;
      var data = new FormData();
      data.append("raw", textarea.value);
      if (token) { data.append("csrf_token", token.value); }
      return post(url, data)
        .then(function (result) {
          body.innerHTML = result.cooked; // sanitised by the server's cooker
          panel.hidden = false;
        })
        .catch(function () {
          sent = null;
          body.textContent = labels.failed;
          panel.hidden = false;
          throw new Error("preview");
        });
    };
    var serverSide = false;
    button.addEventListener("click", function (event) {
      if (serverSide) { return; }
      event.preventDefault();
      // The server's own preview (from a no-JS round trip) gives way to the live one.
      var old = form.querySelector(".preview");
      if (old) { old.remove(); }
      refresh().then(function () { panel.scrollIntoView({ block: "nearest" }); }, function () {
        // Fall back to the server's preview page.
        serverSide = true;
        button.click();
      });
    });
    textarea.addEventListener("input", function () {
      if (panel.hidden) { return; }
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { refresh().catch(function () {}); }, 700);
    });
  }

  function setUpDraft(form, textarea, labels) {
    var key = form.getAttribute("data-draft-key");
    if (!key) { return; }
    key = "forum-draft:" + key;
    var title = form.querySelector('input[name="title"]');
    var save = function () {
      if (!textarea.value.trim() && !(title && title.value.trim())) {
        store("remove", key);
        return;
      }
      store("set", key, JSON.stringify({ raw: textarea.value, title: title ? title.value : "" }));
    };
    var saved = null;
    try { saved = JSON.parse(store("get", key) || "null"); } catch (error) { saved = null; }
    if (form.querySelector(".has-error, .form-error")) {
      // A failed submit: the server kept the text; keep the draft in step with it.
      save();
    } else if (saved && !textarea.value.trim() && saved.raw) {
      textarea.value = saved.raw;
      if (title && !title.value && saved.title) { title.value = saved.title; }
      var status = document.createElement("p");
      status.className = "hint draft-status";
      status.setAttribute("role", "status");
      status.textContent = labels.restored;
      textarea.parentNode.insertBefore(status, textarea.nextSibling);
    }
    var timer = null;
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 400);
    });
    form.addEventListener("submit", function (event) {
      // The preview button keeps the draft; a real submit hands it to the server,
      // which shows the form again with the text if anything went wrong.
      var submitter = event.submitter;
      if (!event.defaultPrevented && !(submitter && submitter.name === "preview")) {
        window.clearTimeout(timer);
        store("remove", key);
      }
    });
  }

  document.querySelectorAll("form[data-composer]").forEach(function (form) {
    var toolbar = form.querySelector(".composer-toolbar");
    var textarea = form.querySelector("textarea.composer-input");
    if (!toolbar || !textarea) { return; }
    var labels = {};
    try { labels = JSON.parse(toolbar.getAttribute("data-labels") || "{}"); } catch (error) { labels = {}; }
    setUpToolbar(toolbar, textarea, labels);
    setUpPreview(form, textarea, form.querySelector(".composer-preview"), labels);
    setUpDraft(form, textarea, labels);
  });

  // --- Errors: move focus to the first one after a failed submit --------------------

  var firstInvalid = main && main.querySelector('[aria-invalid="true"]');
  var formError = main && main.querySelector(".form-error");
  if (firstInvalid) {
    firstInvalid.focus();
  } else if (formError) {
    formError.setAttribute("tabindex", "-1");
    formError.focus();
  }

  // --- Quote a selection in a post into the reply box ---------------------------------

  var replyForm = document.querySelector(".reply-box form[data-quote-label]");
  var posts = document.querySelector(".posts");
  if (replyForm && posts) {
    var replyText = replyForm.querySelector("textarea");
    var quoteButton = document.createElement("button");
    quoteButton.type = "button";
    quoteButton.className = "button quote-selection";
    quoteButton.textContent = replyForm.getAttribute("data-quote-label");
    quoteButton.hidden = true;
    document.body.appendChild(quoteButton);
    var quoted = null;

    var selectedPost = function () {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) { return null; }
      var range = selection.getRangeAt(0);
      var node = range.commonAncestorContainer;
      var element = node.nodeType === 1 ? node : node.parentElement;
      var cooked = element && element.closest(".cooked");
      var article = cooked && cooked.closest("article.post");
      var text = selection.toString().trim();
      if (!article || !posts.contains(article) || !text) { return null; }
      return { article: article, text: text, rect: range.getBoundingClientRect() };
    };

    var showQuoteButton = function () {
      quoted = selectedPost();
      if (!quoted) { quoteButton.hidden = true; return; }
      quoteButton.hidden = false;
      var top = quoted.rect.bottom + window.scrollY + 8;
      var left = Math.max(8, Math.min(quoted.rect.left + window.scrollX,
        document.documentElement.clientWidth - quoteButton.offsetWidth - 8));
      quoteButton.style.top = top + "px";
      quoteButton.style.left = left + "px";
    };

    document.addEventListener("selectionchange", function () {
      window.clearTimeout(showQuoteButton.timer);
      showQuoteButton.timer = window.setTimeout(showQuoteButton, 250);
    });

    quoteButton.addEventListener("click", function () {
      if (!quoted) { return; }
      var article = quoted.article;
      var number = article.id.replace("post_", "");
      var author = article.querySelector(".post-author");
      var username = decodeURIComponent(author.getAttribute("href").split("/u/")[1] || "");
      var url = article.querySelector(".post-date").getAttribute("href").split("#")[0];
      // The same shape as the server's quote_markdown (forum/markdown.py).
      var lines = ["> **@" + username + "** [↑](" + url + "):", ">"];
      quoted.text.split(/\r?\n/).forEach(function (line) {
        lines.push(line.trim() ? "> " + line : ">");
      });
      var quote = lines.join("\n") + "\n\n";
      var current = replyText.value;
      replyText.value = current ? current.replace(/\s*$/, "\n\n") + quote : quote;
      var target = replyForm.querySelector('[name="reply_to_post_number"]');
      if (target && !target.value) { target.value = number; }
      replyText.dispatchEvent(new Event("input", { bubbles: true }));
      quoteButton.hidden = true;
      window.getSelection().removeAllRanges();
      replyText.focus();
      replyText.setSelectionRange(replyText.value.length, replyText.value.length);
      replyText.scrollIntoView({ block: "center" });
    });
  }

  // --- The account menu (<details>) closes like a menu: Escape, or a click elsewhere ----------

  var userMenu = document.querySelector("details.user-menu");
  if (userMenu) {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !userMenu.open) { return; }
      userMenu.open = false;
      userMenu.querySelector("summary").focus();
    });
    document.addEventListener("click", function (event) {
      if (userMenu.open && !userMenu.contains(event.target)) { userMenu.open = false; }
    });
  }

  // The admin's section tabs scroll sideways on a phone: show the current one.
  var currentSection = document.querySelector(".admin-nav a[aria-current=page]");
  if (currentSection) { currentSection.scrollIntoView({ block: "nearest", inline: "center" }); }

  // --- Keyboard shortcuts (j/k posts, r reply, / search, ? help) ---------------------------

  var SHORTCUTS_OFF = "forum-shortcuts-off";
  var help = document.getElementById("shortcuts-help");
  var dialog = null;

  function openHelp() {
    if (!help || !help.content) { return; }
    if (!dialog) {
      dialog = help.content.firstElementChild.cloneNode(true);
      document.body.appendChild(dialog);
      var toggle = dialog.querySelector("[data-shortcuts-toggle]");
      toggle.checked = store("get", SHORTCUTS_OFF) !== "1";
      toggle.addEventListener("change", function () {
        if (toggle.checked) { store("remove", SHORTCUTS_OFF); } else { store("set", SHORTCUTS_OFF, "1"); }
      });
    }
    if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
  }

  var helpButton = document.querySelector("[data-shortcuts-open]");
  if (helpButton && help) {
    helpButton.hidden = false;
    helpButton.addEventListener("click", openHelp);
  }

  function movePost(step) {
    var all = Array.prototype.slice.call(document.querySelectorAll(".posts > article.post"));
    if (!all.length) { return; }
    var current = all.indexOf(document.activeElement && document.activeElement.closest &&
      document.activeElement.closest(".posts > article.post"));
    if (current === -1) {
      // Start from the first post below the top of the window.
      current = step > 0 ? -1 : all.length;
      for (var i = 0; i < all.length; i += 1) {
        if (all[i].getBoundingClientRect().top > 1) { current = step > 0 ? i - 1 : i; break; }
      }
    }
    var next = all[Math.max(0, Math.min(all.length - 1, current + step))];
    next.setAttribute("tabindex", "-1");
    next.focus();
    next.scrollIntoView({ block: "start" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (isTyping(event.target) || (dialog && dialog.open)) { return; }
    if (store("get", SHORTCUTS_OFF) === "1") { return; }
    var reply = document.querySelector(".reply-box textarea");
    var search = document.getElementById("header-search-q");
    var actions = {
      j: function () { movePost(1); },
      k: function () { movePost(-1); },
      r: function () { if (reply) { reply.focus(); reply.scrollIntoView({ block: "center" }); } },
      "/": function () { if (search) { search.focus(); } },
      "?": openHelp,
    };
    var action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
})();
