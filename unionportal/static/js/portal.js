/* Behaviour every page shares.  The Content-Security-Policy forbids inline script, so
   handlers live here and attach by data attribute.
   data-submit-on-change: a <select> that submits its form when the choice changes. */
(function () {
  "use strict";
  function submitOnChange(event) {
    var field = event.target;
    if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
      field.form.submit();
    }
  }
  document.addEventListener("change", submitOnChange);
})();
