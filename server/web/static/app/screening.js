// The health questionnaire: a question's follow-ups show only once it is answered yes.
// Without this script they are simply always shown under their question.
(function () {
  "use strict";
  var form = document.querySelector(".screening-form");
  if (!form) return;
  function update(question) {
    var key = question.getAttribute("data-question");
    var follow = question.querySelector("[data-follows]");
    if (!follow) return;
    var yes = question.querySelector('input[name="' + key + '"][value="yes"]');
    follow.hidden = !(yes && yes.checked);
  }
  var questions = form.querySelectorAll("[data-question]");
  questions.forEach(update);
  form.addEventListener("change", function (event) {
    var question = event.target.closest("[data-question]");
    if (question) update(question);
  });
})();
