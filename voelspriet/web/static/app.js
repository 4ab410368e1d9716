// Progressive enhancement only: every page works without this file.
"use strict";
document.documentElement.classList.add("js");

// The outcome form: show only the fields that belong to the chosen outcome.
document.querySelectorAll(".outcome-form").forEach(function (form) {
  function update() {
    var chosen = form.querySelector('input[name="outcome"]:checked');
    form.querySelectorAll("fieldset[data-outcome]").forEach(function (set) {
      set.hidden = !chosen || set.dataset.outcome.split(" ").indexOf(chosen.value) < 0;
    });
  }
  form.addEventListener("change", update);
  update();
});
