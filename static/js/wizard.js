// Question pages: "I'm not sure" disables the answer box so it is clear which one counts,
// and an error summary takes focus so screen readers announce it.
(function () {
  "use strict";
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
  document.querySelectorAll(".unsure input[type=checkbox]").forEach(function (box) {
    var input = document.getElementById(box.value);
    if (!input) { return; }
    function sync() { input.disabled = box.checked; }
    box.addEventListener("change", sync);
    sync();
  });
})();
