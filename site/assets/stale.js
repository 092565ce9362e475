// Shows the stale-data banner once the visitor's clock is past the moment the build wrote into it
// (two days after the newest summary's date, in the campus time zone). No request is made.
(function () {
  function check() {
    var banner = document.querySelector(".cd-stale[data-stale-after]");
    if (banner && Date.now() >= Number(banner.getAttribute("data-stale-after"))) {
      banner.hidden = false;
    }
  }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(check);   // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", check);
  }
})();
