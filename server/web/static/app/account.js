// The calendar page's Copy button: puts the address in the clipboard and says so. Without
// the clipboard (an insecure origin, an old browser) the address is selected instead, for
// the phone's own copy menu.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copied"));
    if (!field) return;
    function say(text) { if (status) status.textContent = text; }
    function selectIt() {
      field.focus();
      field.select();
      say("Selected: copy it with your phone's menu.");
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { say("Copied."); }, selectIt);
      } else {
        selectIt();
      }
    });
  });
})();
