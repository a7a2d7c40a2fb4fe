// Admin categories: drag a category by its handle to reorder its level.
// Progressive enhancement: without JavaScript the up/down buttons do the same.
(function () {
  "use strict";

  var form = document.querySelector("[data-reorder-form]");
  if (!form || !window.fetch) { return; }
  var status = document.querySelector("[data-reorder-status]");
  var hint = document.querySelector("[data-drag-hint]");
  if (hint) { hint.hidden = false; }

  function rows(list) {
    return Array.prototype.filter.call(list.children, function (child) {
      return child.hasAttribute("data-category-id");
    });
  }

  function save(list) {
    var order = rows(list).map(function (row) { return row.getAttribute("data-category-id"); });
    var body = new FormData(form);
    body.set("order", order.join(","));
    body.set("parent_id", list.getAttribute("data-parent-id"));
    fetch(form.action, {
      method: "POST",
      body: body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      if (status) { status.textContent = status.getAttribute("data-saved"); }
    }).catch(function () {
      if (status) { status.textContent = status.getAttribute("data-failed"); }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-sortable]"), function (list) {
    var dragged = null;
    rows(list).forEach(function (row) {
      var handle = row.querySelector("[data-drag-handle]");
      if (!handle) { return; }
      handle.hidden = false;
      handle.addEventListener("mousedown", function () { row.draggable = true; });
      row.addEventListener("dragstart", function (event) {
        dragged = row;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.getAttribute("data-category-id"));
        row.classList.add("is-dragging");
      });
      row.addEventListener("dragend", function () {
        row.draggable = false;
        row.classList.remove("is-dragging");
        if (dragged) { dragged = null; save(list); }
      });
      row.addEventListener("dragover", function (event) {
        if (!dragged || dragged === row || dragged.parentNode !== list) { return; }
        event.preventDefault();
        var box = row.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        // Keep a top-level row's subcategory list right below it.
        var anchor = after ? row.nextElementSibling : row;
        if (after && anchor && anchor.classList.contains("category-children")) {
          anchor = anchor.nextElementSibling;
        }
        var children = dragged.nextElementSibling;
        var carry = children && children.classList.contains("category-children") ? children : null;
        list.insertBefore(dragged, anchor);
        if (carry) { list.insertBefore(carry, dragged.nextElementSibling); }
      });
    });
  });
})();
