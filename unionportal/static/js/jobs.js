/* A background job's page (/jobs/<id>/): while the job is queued or running, fetch the page
   every few seconds and replace its status section (progress, result, error) in place.  No
   inline script: the section names its own address in data-job-refresh. */
(function () {
  "use strict";
  var DELAY = 2000;
  function refresh() {
    var section = document.querySelector("[data-job-refresh]");
    if (!section || !window.fetch || !window.DOMParser) { return; }
    fetch(section.getAttribute("data-job-refresh"), {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("job-status");
        if (fresh) { section.replaceWith(fresh); }
        if (document.querySelector("[data-job-refresh]")) { window.setTimeout(refresh, DELAY); }
      })
      .catch(function () { window.setTimeout(refresh, DELAY * 3); });
  }
  document.addEventListener("DOMContentLoaded", function () { window.setTimeout(refresh, DELAY); });
})();
