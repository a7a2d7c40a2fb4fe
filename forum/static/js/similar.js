// Similar topics while a title is typed (new-topic composer). Without JavaScript
// the "Check for similar topics" button shows the same list after a round trip.
// Up to five topics the writer may read, from /similar.json (the search's
// permissions); links open in a new tab so the draft stays. Text only: no HTML
// from the response is inserted.
(function () {
  "use strict";

  var live = document.querySelector("[data-similar-live]");
  var title = document.getElementById("title");
  if (!live || !title || !window.fetch) { return; }
  var section = live.querySelector("section");
  var list = live.querySelector("[data-similar-list]");
  var timer = null;
  var asked = "";
  var controller = null;

  function show(topics) {
    list.textContent = "";
    topics.forEach(function (topic) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = topic.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = topic.title;
      item.appendChild(link);
      if (topic.marks) {
        var mark = document.createElement("span");
        mark.className = "badge badge-solved";
        mark.textContent = topic.marks;
        item.appendChild(document.createTextNode(" "));
        item.appendChild(mark);
      }
      var meta = document.createElement("span");
      meta.className = "topic-meta";
      meta.textContent = topic.category;
      item.appendChild(document.createTextNode(" "));
      item.appendChild(meta);
      list.appendChild(item);
    });
    section.hidden = topics.length === 0;
  }

  function ask() {
    var text = title.value.trim();
    if (text === asked) { return; }
    asked = text;
    if (text.length < 4) { show([]); return; }
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    var url = live.getAttribute("data-url") + "?title=" + encodeURIComponent(text);
    fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) { show(data.topics || []); })
      .catch(function () { /* the button still works */ });
  }

  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 400);
  });
})();
