// Notifications and @mentions, as progressive enhancements (everything works without JS):
// - the header bell refreshes its unread count when the window gets focus again
//   (one small request per focus, no polling loop);
// - the composer suggests members as you type "@na": a listbox driven by
//   aria-activedescendant, keys up/down to move, enter or tab to take, escape to close.
(function () {
  "use strict";

  // --- The bell -------------------------------------------------------------------------
  var bell = document.querySelector(".notification-bell[data-count-url]");
  var lastAsked = 0;
  function refreshBell() {
    if (!bell || Date.now() - lastAsked < 2000) { return; }
    lastAsked = Date.now();
    fetch(bell.getAttribute("data-count-url"), {
      headers: { Accept: "application/json" }, credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (data) {
      var badge = bell.querySelector(".count-badge");
      if (!data.unread) { if (badge) { badge.remove(); } return; }
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "count-badge";
        bell.appendChild(badge);
      }
      badge.textContent = String(data.unread);
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + (bell.getAttribute("data-unread-label") || "");
      badge.appendChild(hidden);
    }).catch(function () { /* the link still leads to the page */ });
  }
  if (bell) {
    lastAsked = Date.now();
    window.addEventListener("focus", refreshBell);
  }

  // --- @mention suggestions -----------------------------------------------------------------
  var MENTION = /(^|[^\w@.\-\/])@([A-Za-z0-9_.\-]{1,20})$/;
  var counter = 0;

  function setUp(textarea) {
    var url = textarea.getAttribute("data-mention-url");
    var listId = "mention-list-" + (++counter);
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", textarea.getAttribute("data-mention-label") || "");
    list.hidden = true;
    textarea.parentNode.insertBefore(list, textarea.nextSibling);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);
    var options = [], active = -1, timer = null, asked = "", match = null;

    function close() {
      list.hidden = true;
      list.textContent = "";
      options = [];
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      active = index;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        textarea.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        textarea.removeAttribute("aria-activedescendant");
      }
    }
    function take(index) {
      if (index < 0 || !match) { return; }
      var username = options[index].getAttribute("data-username");
      var end = textarea.selectionStart;
      var start = end - match.length;
      textarea.setRangeText("@" + username + " ", start, end, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      close();
      textarea.focus();
    }
    function show(users) {
      close();
      users.forEach(function (user, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-username", user.username);
        option.textContent = "@" + user.username + (user.name !== user.username ? " (" + user.name + ")" : "");
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          take(i);
        });
        list.appendChild(option);
        options.push(option);
      });
      if (options.length) {
        list.hidden = false;
        highlight(0);
      }
    }
    function ask(term) {
      asked = term;
      fetch(url + "?term=" + encodeURIComponent(term), {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (data) {
        if (asked === term) { show(data.users || []); }
      }).catch(close);
    }
    textarea.addEventListener("input", function () {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var found = MENTION.exec(before);
      window.clearTimeout(timer);
      if (!found) { match = null; close(); return; }
      match = "@" + found[2];
      timer = window.setTimeout(function () { ask(found[2]); }, 200);
    });
    textarea.addEventListener("keydown", function (event) {
      if (list.hidden || !options.length) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % options.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + options.length) % options.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        take(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    textarea.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-mention-url]"), setUp);
})();
