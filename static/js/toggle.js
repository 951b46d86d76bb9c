// Progressive enhancement: the language toggle keeps the reader's place.
// A URL fragment (#r2-3) never reaches the server, so the toggle's link
// cannot carry it; add it at click time. Anchors are the same in both
// languages. Without JavaScript the toggle still leads to the same page.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-keep-fragment]");
  if (link && window.location.hash && link.href.indexOf("#") === -1) {
    link.href += window.location.hash;
  }
});
