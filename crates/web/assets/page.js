// Answers where you look: after a form, the page moves to its confirmation or its refusal (the
// element marked `data-reveal`), opens the details it sits in and gives it the focus, so a screen
// reader reads it too. Without this script the redirect's #section and the summary's link do the
// same less precisely. Also offers a copy button for a link shown once.
(function () {
  "use strict";
  function reveal() {
    var el = document.querySelector("[data-reveal]");
    if (!el) return;
    el.removeAttribute("data-reveal");
    var d = el.closest("details");
    while (d) {
      d.open = true;
      d = d.parentElement ? d.parentElement.closest("details") : null;
    }
    // Below the sticky section menu, whatever its height on this screen.
    var menu = document.querySelector(".section-menu");
    var over = menu ? menu.getBoundingClientRect().height + 8 : 8;
    window.scrollTo(0, Math.max(0, el.getBoundingClientRect().top + window.scrollY - over));
    if (el.focus) el.focus({ preventScroll: true });
  }
  function copyButtons() {
    var buttons = document.querySelectorAll("button[data-copy][hidden]");
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
  }
  function settle() {
    copyButtons();
    reveal();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", settle);
  } else {
    settle();
  }
  // htmx scrolls a boosted page to the top once it has settled; move after it.
  document.addEventListener("htmx:afterSettle", function () {
    setTimeout(settle, 0);
  });
  document.addEventListener("click", function (event) {
    var b = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
    if (!b) return;
    var input = document.getElementById(b.getAttribute("data-copy"));
    if (!input) return;
    input.select();
    var done = function () { b.textContent = "Copied"; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });
})();
