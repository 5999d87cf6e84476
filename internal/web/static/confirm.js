// The page an e-mail's score link opens. Opening it records nothing —
// mail scanners open every link of a message —; the browser the customer
// clicked in posts the score at once, so one click still records it.
// Without JavaScript the customer presses the button.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (form) form.submit();
})();
