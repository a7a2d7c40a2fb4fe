// A picture or PDF chosen, dropped on or pasted into the text is uploaded at
// once (/uploads.json, with progress) and its markdown put at the cursor; the
// description field then writes the picture's alt text. Several files go one
// after another; each picture is described before the next one is sent.
// Without JavaScript the form's "Upload" button does the same for one file.
// Loaded by the composer only.
(function () {
  "use strict";
  if (!window.FormData) { return; }
  document.querySelectorAll("fieldset[data-upload-url]").forEach(function (box) {
    var text = document.getElementById(box.getAttribute("data-upload-for"));
    var input = box.querySelector("input[type=file]");
    var alt = box.querySelector("input[type=text]");
    var bar = box.querySelector("progress");
    var live = box.querySelector("[aria-live]");
    var token = box.form && box.form.querySelector("[name=csrf_token]");
    var labels = JSON.parse(box.getAttribute("data-labels"));
    var key = null; // the picture the description field describes
    var queue = []; // files waiting for the one before them (and its description)
    var busy = false;
    if (!text || !input || !alt) { return; }
    box.querySelector("[name=upload]").hidden = true;
    input.multiple = true;

    function say(message) { live.textContent = message; }
    function clean(value) {
      return value.replace(/\[/g, "(").replace(/\]/g, ")").replace(/\s+/g, " ").trim().slice(0, 200);
    }
    function insert(markdown) {
      var before = text.value.slice(0, text.selectionStart);
      var after = text.value.slice(text.selectionEnd);
      before += before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
      text.value = before + markdown + "\n" + after;
      text.selectionStart = text.selectionEnd = before.length + markdown.length + 1;
      text.dispatchEvent(new Event("input", { bubbles: true })); // the draft is kept
    }
    function send(file) {
      var data = new FormData();
      var request = new XMLHttpRequest();
      if (key) { alt.value = ""; key = null; } // the last picture is described
      data.append("file", file);
      data.append("alt", alt.value);
      request.open("POST", box.getAttribute("data-upload-url"));
      if (token) { request.setRequestHeader("X-CSRFToken", token.value); }
      request.upload.onprogress = function (event) {
        if (event.lengthComputable) { bar.max = event.total; bar.value = event.loaded; }
      };
      request.onloadend = function () {
        var answer = {};
        try { answer = JSON.parse(request.responseText); } catch (error) { answer = {}; }
        bar.hidden = true;
        input.value = "";
        if (request.status !== 201) {
          // Refused (too large, over the limit): the files after it are not sent.
          queue = [];
          busy = false;
          say(answer.error || labels.failed);
          return;
        }
        insert(answer.markdown);
        key = null;
        if (answer.is_image && !alt.value.trim()) {
          key = answer.key;
          say(labels.describe);
          alt.focus(); // the next file waits until the description field is left
        } else {
          alt.value = "";
          say(labels.done);
          next();
        }
      };
      bar.removeAttribute("value");
      bar.hidden = false;
      say(labels.uploading);
      request.send(data);
    }
    function next() {
      busy = queue.length > 0;
      if (busy) { send(queue.shift()); }
    }
    function enqueue(files) {
      queue = queue.concat(Array.prototype.slice.call(files));
      if (!busy) { next(); }
    }
    function take(files, event) {
      if (files && files.length) { event.preventDefault(); enqueue(files); }
    }

    input.addEventListener("change", function () { if (input.files.length) { enqueue(input.files); } });
    text.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
        event.preventDefault();
      }
    });
    text.addEventListener("drop", function (event) { take(event.dataTransfer && event.dataTransfer.files, event); });
    text.addEventListener("paste", function (event) { take(event.clipboardData && event.clipboardData.files, event); });
    alt.addEventListener("input", function () {
      if (!key) { return; }
      var markdown = new RegExp("!\\[[^\\]\\n]*\\]\\(upload://" + key.replace(".", "\\.") + "\\)");
      text.value = text.value.replace(markdown, "![" + clean(alt.value) + "](upload://" + key + ")");
    });
    alt.addEventListener("keydown", function (event) {
      // Enter ends the description (and sends nothing): back to the text.
      if (event.key === "Enter") { event.preventDefault(); text.focus(); }
    });
    // Leaving the description (Enter, Tab, a click) sends the next file, if any.
    alt.addEventListener("blur", function () { if (key && busy) { next(); } });
  });
})();
