/* crosswalk review: progressive enhancement only. Every page works without this file.
   - marks <html> with "js" so controls needed only without JavaScript can hide (.js-hide);
   - on the item page, switching the transform operation shows that operation's inputs at once
     (without JavaScript, the "Change operation" button asks the server to re-render the form). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function showOperation(select) {
    var form = select.form;
    if (!form) { return; }
    var chosen = select.value;
    var fieldsets = form.querySelectorAll("fieldset.op-params[data-op]");
    for (var i = 0; i < fieldsets.length; i += 1) {
      var active = fieldsets[i].getAttribute("data-op") === chosen;
      fieldsets[i].hidden = !active;
      fieldsets[i].disabled = !active; // a disabled fieldset's inputs are not submitted
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var switches = document.querySelectorAll("select[data-op-switch]");
    for (var i = 0; i < switches.length; i += 1) {
      switches[i].addEventListener("change", function (event) { showOperation(event.target); });
    }
  });
}());
