// Uploads of the data import page with a progress bar. Without this script (or without XHR) the
// form posts normally; the server answers the same either way. Loaded on every page and bound by
// delegation, so it also works after htmx swaps a page in.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-upload")) return;
    if (!window.XMLHttpRequest || !window.FormData) return;
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files || input.files.length === 0) return;
    event.preventDefault();
    var box = form.querySelector(".upload-progress");
    var bar = form.querySelector("progress");
    var status = form.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    if (box) box.hidden = false;
    if (button) button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round((e.loaded / e.total) * 100);
      if (bar) bar.value = pct;
      if (status) status.textContent = "Uploading… " + pct + "%";
    });
    xhr.upload.addEventListener("load", function () {
      if (status) status.textContent = "Uploaded. Checking every row…";
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 200 && xhr.status < 300) {
        // The server answered with the page after the upload (303 followed): go there.
        window.location.assign(xhr.responseURL || form.action);
        return;
      }
      // A refused upload (422, 413, 403) is an HTML page: show it as a normal post would.
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      // The network failed: fall back to a plain form post, which shows the browser's own error.
      if (button) button.disabled = false;
      form.removeAttribute("data-upload");
      form.submit();
    });
    xhr.send(new FormData(form));
  });
})();
