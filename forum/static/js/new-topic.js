// The new-topic form only (loaded by its page): the neighbourhood-help fields
// show for help categories, and a category's topic template fills the composer.
// Without JavaScript both fields show and the server prefills the template.
(function () {
  "use strict";

  // Show the neighbourhood-help fields only for help categories.
  var categorySelect = document.querySelector("[data-help-categories]");
  var helpFields = document.querySelector("[data-help-fields]");
  if (categorySelect && helpFields) {
    var helpIds = categorySelect.getAttribute("data-help-categories").split(",");
    var updateHelp = function () {
      helpFields.hidden = helpIds.indexOf(categorySelect.value) === -1;
    };
    categorySelect.addEventListener("change", updateHelp);
    updateHelp();
  }

  // A category's topic template fills the empty (or still untouched) composer when
  // the category changes; the server prefills it too when the category comes in the URL.
  (function () {
    var select = document.querySelector("form[data-composer] select[name=category]");
    var textarea = document.querySelector("form[data-composer] textarea[name=raw]");
    if (!select || !textarea) { return; }
    function templateFor(id) {
      var found = document.querySelector('template[data-topic-template="' + id + '"]');
      return found ? found.content.textContent : "";
    }
    var shown = templateFor(select.value);
    select.addEventListener("change", function () {
      if (textarea.value.trim() && textarea.value !== shown) { return; }
      shown = templateFor(select.value);
      textarea.value = shown;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    });
  })();
})();
