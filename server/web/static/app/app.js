// The member app's one script: keeps the pass available offline (service worker) and
// forgets it on sign-out. No inline scripts: the page policy allows only files like this.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  if (document.body && document.body.classList.contains("signed-out")) {
    // The saved pass is a door credential: it goes with the sign-in.
    if (window.caches) caches.delete("zmos-app");
    return;
  }
  navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" });
  var note = document.getElementById("offline-note");
  if (note && !navigator.onLine) note.hidden = false;
})();
