// Similar topics while a title is typed (/similar.json, the search's
// permissions); without JavaScript the "check" button shows the same list.
(function () {
  "use strict";
  var live = document.querySelector("[data-similar-live]");
  var title = document.getElementById("title");
  if (!live || !title || !window.fetch) { return; }
  var list = live.querySelector("ul");
  var timer, asked = "";

  function add(item, text, tag, cls) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (cls) { node.className = cls; }
    item.append(" ", node);
    return node;
  }

  function show(topics) {
    list.textContent = "";
    topics.forEach(function (topic) {
      var item = document.createElement("li");
      var link = add(item, topic.title, "a");
      link.href = topic.url;
      link.target = "_blank";
      link.rel = "noopener";
      if (topic.marks) { add(item, topic.marks, "span", "badge badge-solved"); }
      add(item, topic.category, "span", "topic-meta");
      list.append(item);
    });
    live.querySelector("section").hidden = !topics.length;
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = title.value.trim();
      if (text === asked) { return; }
      asked = text;
      if (text.length < 4) { return show([]); }
      fetch(live.dataset.url + "?title=" + encodeURIComponent(text))
        .then(function (r) { return r.ok ? r.json() : { topics: [] }; })
        .then(function (data) { if (asked === text) { show(data.topics); } })
        .catch(function () {});
    }, 400);
  });
})();
