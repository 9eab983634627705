// Foule's few behaviours, in one static file: the Content-Security-Policy allows no inline
// event handlers (onchange="...") and no inline script without the page's nonce. Each
// behaviour listens on the document, so markup that htmx swaps in later works as well.
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option submits its form (the language menu; a
  // <noscript> button does the same without JavaScript).
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) {
      select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
    }
  });

  // Budget ballots: the running total of the ticked ideas against the budget. The server
  // checks the budget again; this only helps the voter.
  function updateBudget(meter) {
    var form = meter.closest("form");
    if (!form) {
      return;
    }
    var budget = Number(meter.dataset.budget);
    var spent = 0;
    form.querySelectorAll("input[data-cost]:checked").forEach(function (box) {
      spent += Number(box.dataset.cost);
    });
    meter.querySelector("progress").value = Math.min(spent, budget);
    meter.querySelector("[data-spent]").textContent = spent.toLocaleString();
    meter.querySelector("[data-over]").hidden = spent <= budget;
  }

  function updateAllBudgets(root) {
    (root || document).querySelectorAll(".budget-meter[data-budget]").forEach(updateBudget);
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && event.target.matches("input[data-cost]")) {
      form.querySelectorAll(".budget-meter[data-budget]").forEach(updateBudget);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    updateAllBudgets(document);
  });
  document.addEventListener("htmx:load", function (event) {
    updateAllBudgets(event.target);
  });
})();
