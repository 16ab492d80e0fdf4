// Member app service worker: My pass opens with no network. The page (its QR code is in
// the page) is fetched from the network when there is one and saved; without a network the
// saved copy is shown. The look of the page (CSS, icons) is saved on install. Any other
// app page opened with no network shows a small offline page instead of the browser's error.
"use strict";
var CACHE = "zmos-app";
var PASS = "/app/pass";
var OFFLINE = "/app/offline";
var SHELL = [
  "/static/zmos.css",
  "/static/app/app.js",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/app/manifest.webmanifest",
  OFFLINE
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  // The pass page that registered this worker loaded before it ran, so it was not saved:
  // save it now (when signed in), so that it opens at the door even if the member never
  // comes back to it online. The worker does it, so leaving the page does not stop it.
  event.waitUntil(self.clients.claim().then(savePass));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PASS) {
    event.respondWith(
      fetch(request).then(function (response) {
        // Only the pass itself is saved, not a redirect to the sign-in form.
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(PASS, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(PASS).then(function (saved) {
          return saved || Response.error();
        });
      })
    );
    return;
  }
  if (request.mode === "navigate" && url.pathname.indexOf("/app/") === 0) {
    event.respondWith(
      fetch(request).then(function (response) {
        // Signing out empties the cache; the next page online puts the offline page back.
        event.waitUntil(keepOfflinePage());
        return response;
      }).catch(function () {
        return caches.match(OFFLINE).then(function (saved) {
          return saved || Response.error();
        });
      })
    );
    return;
  }
  if (SHELL.indexOf(url.pathname) >= 0) {
    event.respondWith(
      fetch(request).catch(function () { return caches.match(url.pathname); })
    );
  }
});

function savePass() {
  return fetch(PASS, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok || response.redirected) return undefined;
    return caches.open(CACHE).then(function (cache) { return cache.put(PASS, response); });
  }).catch(function () { return undefined; });
}

function keepOfflinePage() {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(OFFLINE).then(function (saved) {
      return saved || cache.add(OFFLINE);
    });
  }).catch(function () { return undefined; });
}
