/* The portal's additions to Django admin's scripts (loaded, deferred, on every admin page by
   templates/admin/base_site.html; no inline script: the Content-Security-Policy forbids them).
   Each fixes a fault axe-core finds in a widget Django's scripts draw after the page loads. */
(function () {
  "use strict";
  if (!window.django || !window.django.jQuery) { return; }
  var $ = window.django.jQuery;

  /* Autocomplete fields (select2, from a ModelAdmin's autocomplete_fields): select2 draws its own
     combobox beside the hidden <select>, names it after the chosen value (nothing, for an empty
     field) and leaves its search box and list of choices unnamed, while the field's <label for>
     names only the hidden <select>: a screen reader would not say which field it is in
     (aria-input-field-name).  Each part is named after the label instead. */
  function nameAfterLabel(select) {
    var widget = $(select).data("select2");
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (!widget || !label) { return; }
    if (!label.id) { label.id = select.id + "_label"; }
    // The combobox, the chosen value inside it (a read-only textbox), and the dropdown's
    // search box and list: built with the widget, the dropdown kept while it is closed.
    widget.$container.find(".select2-selection, .select2-selection__rendered")
      .add(widget.$dropdown.find(".select2-search__field, .select2-results__options"))
      .attr("aria-labelledby", label.id);
    // Opened, select2 points the combobox at its list with aria-owns only; ARIA 1.2 requires
    // aria-controls on an expanded combobox (aria-required-attr).
    $(select).on("select2:open", function () {
      widget.$selection.attr("aria-controls", widget.$results.attr("id"));
    }).on("select2:close", function () {
      widget.$selection.removeAttr("aria-controls");
    });
  }

  function nameAutocompletes(root) {
    if (!$.fn.select2) { return; }
    $(root).find(".admin-autocomplete").not("[name*=__prefix__]").each(function () { nameAfterLabel(this); });
  }

  /* filter_horizontal (SelectFilter2.js): the search icon in each filter box's <label> carries an
     aria-label on a plain <span>, which ARIA does not allow (aria-prohibited-attr).  As an image
     it may: the label's text, so the filter's name, stays the same. */
  function roleFilterIcons(root) {
    $(root).find(".selector .search-label-icon[aria-label]").not("[role]").attr("role", "img");
  }

  // This deferred script runs after Django's widget scripts, so its handlers come after theirs,
  // which draw the widgets: select2 at DOM ready, the filters at load, both again in an inline
  // row added later.
  $(function () { nameAutocompletes(document); });
  window.addEventListener("load", function () { roleFilterIcons(document); });
  document.addEventListener("formset:added", function (event) {
    nameAutocompletes(event.target);
    roleFilterIcons(event.target);
  });
}());
