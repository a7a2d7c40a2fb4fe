// Topic lists only (loaded with their "More topics" link): the next topics are
// added to the list in place; without JavaScript the link opens the next page.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var more = event.target.closest && event.target.closest(".more a[rel=next]");
    var list = document.querySelector(".topic-list");
    if (!more || !list || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    more.setAttribute("aria-busy", "true");
    fetch(more.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var known = {};
        list.querySelectorAll(".topic-title > a").forEach(function (a) { known[a.getAttribute("href")] = true; });
        var first = null;
        page.querySelectorAll(".topic-list > li").forEach(function (item) {
          var a = item.querySelector(".topic-title > a");
          if (a && known[a.getAttribute("href")]) { return; }
          var added = document.importNode(item, true);
          list.appendChild(added);
          first = first || added;
        });
        var next = page.querySelector(".more");
        var holder = more.closest(".more");
        if (next) { holder.replaceWith(document.importNode(next, true)); } else { holder.remove(); }
        // Keyboard and screen-reader users continue at the first new topic.
        var target = first && first.querySelector(".topic-title > a");
        if (target) { target.focus(); }
      })
      .catch(function () { window.location.href = more.href; });
  });

})();
