/* The moderation queue by keyboard: j / k move the current row, p publishes it, r rejects
   it (with the reason in the form, if any), s marks it as spam. Each decision submits the
   admin's own action form for that row alone, so the server's messages say what was done;
   the current row's place is kept across the reload, where the next comment now stands. */
(function () {
  "use strict";
  const table = document.getElementById("result_list");
  const form = document.getElementById("changelist-form");
  if (!table || !form || !table.tBodies.length) return;
  const ACTIONS = { p: "publish", r: "reject", s: "mark_spam" };
  const STORED = "moderation-queue-row";
  const rows = Array.from(table.tBodies[0].rows);
  let current = 0;

  function show(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(index, rows.length - 1));
    rows.forEach(function (row, i) {
      row.classList.toggle("is-current", i === current);
      if (i === current) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
    rows[current].scrollIntoView({ block: "nearest" });
    sessionStorage.setItem(STORED, String(current));
  }

  function decide(action) {
    const row = rows[current];
    const select = form.querySelector("select[name=action]");
    const go = form.querySelector("button[name=index]");
    if (!row || !select || !go) return;
    rows.forEach(function (other) {
      const box = other.querySelector("input.action-select");
      if (box) box.checked = other === row;
    });
    select.value = action;
    go.click();
  }

  function typing(target) {
    return target.matches("textarea, select, [contenteditable], input:not([type=checkbox]):not([type=radio])");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "j") show(current + 1);
    else if (event.key === "k") show(current - 1);
    else if (Object.prototype.hasOwnProperty.call(ACTIONS, event.key)) decide(ACTIONS[event.key]);
    else return;
    event.preventDefault();
  });

  show(Number(sessionStorage.getItem(STORED)) || 0);
})();
