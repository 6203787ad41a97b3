// Citation previews (issue 19): hovering or focusing a ">>12.1" link shows the start of
// comment 12.1 beside it, when that comment is on this page. Without this script the
// link simply goes to the comment.
(function () {
  "use strict";

  var LENGTH = 280;
  var tip = null;
  var owner = null;

  function hide() {
    if (tip) {
      owner.removeAttribute("aria-describedby");
      tip.remove();
      tip = owner = null;
    }
  }

  function show(link) {
    if (link === owner) {
      return;
    }
    hide();
    var target = document.getElementById("c" + link.getAttribute("data-cite").replace(/\./g, "-"));
    var body = target && target.querySelector(".comment__body");
    if (!body) {
      return; // on another page, or shown as a placeholder
    }
    var copy = body.cloneNode(true);
    copy.querySelectorAll(".comment__cited-by").forEach(function (node) {
      node.remove();
    });
    var meta = target.querySelector(".comment__meta");
    var text = copy.textContent.replace(/\s+/g, " ").trim();
    if (text.length > LENGTH) {
      text = text.slice(0, LENGTH - 1).replace(/\s\S*$/, "") + "\u2026";
    }
    tip = document.createElement("div");
    tip.className = "cite-preview";
    tip.id = "cite-preview";
    tip.setAttribute("role", "tooltip");
    var heading = document.createElement("strong");
    heading.textContent = meta ? meta.textContent.replace(/\s+/g, " ").trim() : "";
    tip.appendChild(heading);
    tip.appendChild(document.createTextNode(" " + text));
    owner = link;
    link.setAttribute("aria-describedby", tip.id);
    document.body.appendChild(tip);
    var box = link.getBoundingClientRect();
    var left = Math.min(box.left, document.documentElement.clientWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(8, left) + window.scrollX + "px";
    tip.style.top = box.bottom + window.scrollY + 4 + "px";
  }

  function citation(event) {
    return event.target.closest ? event.target.closest("a.cite") : null;
  }

  document.addEventListener("mouseover", function (event) {
    var link = citation(event);
    if (link) {
      show(link);
    }
  });
  document.addEventListener("mouseout", function (event) {
    if (citation(event) && !event.target.contains(event.relatedTarget)) {
      hide();
    }
  });
  document.addEventListener("focusin", function (event) {
    var link = citation(event);
    if (link) {
      show(link);
    }
  });
  document.addEventListener("focusout", function (event) {
    if (citation(event)) {
      hide();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      hide();
    }
  });
})();
