// Progressive enhancements only: every feature here also works without JavaScript.
(function () {
  "use strict";

  // Ask before destructive actions (the form still posts without JS).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Like without reloading the page; falls back to the normal form post.
  document.querySelectorAll("form[data-like]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (data) {
          button.setAttribute("aria-pressed", data.liked ? "true" : "false");
          button.classList.toggle("is-active", data.liked);
          form.querySelector(".like-count").textContent = data.like_count;
        })
        .catch(function () { form.submit(); });
    });
  });

  // Show the neighbourhood-help fields only for help categories.
  var categorySelect = document.querySelector("[data-help-categories]");
  var helpFields = document.querySelector("[data-help-fields]");
  if (categorySelect && helpFields) {
    var helpIds = categorySelect.getAttribute("data-help-categories").split(",");
    var update = function () {
      helpFields.hidden = helpIds.indexOf(categorySelect.value) === -1;
    };
    categorySelect.addEventListener("change", update);
    update();
  }
})();
