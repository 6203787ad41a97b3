// The post page's keyboard and reply behaviour, as progressive enhancement.
//
// Each comment's actions are one toolbar: one Tab stop per comment (its first control),
// the arrow keys, Home and End move within it (WAI-ARIA's roving tabindex). Without
// this script every control is its own Tab stop.
//
// Inline replies: without this script every "Reply" link opens the comment form on its
// own page; with it, the page's one comment form moves under the comment being answered,
// with its hidden `parent` field set. Escape or "Cancel reply" puts it back and returns
// focus to that Reply link. Submitting is a plain POST.
(function () {
  "use strict";

  var ITEMS = ":scope > a, :scope > details > summary";

  document.querySelectorAll(".comment__actions").forEach(function (toolbar) {
    var items = toolbar.querySelectorAll(ITEMS);
    for (var i = 1; i < items.length; i++) {
      items[i].tabIndex = -1;
    }
  });

  document.addEventListener("keydown", function (event) {
    var toolbar = event.target.closest && event.target.closest(".comment__actions");
    if (!toolbar || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var items = Array.prototype.slice.call(toolbar.querySelectorAll(ITEMS));
    var at = items.indexOf(event.target);
    if (at < 0) {
      return; // a control inside the open Flag form: its keys are its own
    }
    var to = {ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
              Home: 0, End: items.length - 1}[event.key];
    if (to === undefined) {
      return;
    }
    event.preventDefault();
    to = (to + items.length) % items.length;
    items[at].tabIndex = -1;
    items[to].tabIndex = 0;
    items[to].focus();
  });

  var form = document.getElementById("comment-form");
  if (!form) {
    return; // a visitor who is logged out (links lead to the login page) or cannot post
  }
  var home = document.createComment("comment form");
  form.parentNode.insertBefore(home, form);
  var parentInput = form.querySelector("input[name=parent]");
  var title = form.querySelector("[data-reply-title]");
  var cancel = form.querySelector("[data-reply-cancel]");
  var textarea = form.querySelector("textarea");
  var defaultTitle = title ? title.textContent : "";
  var replyingTo = null; // the Reply link whose comment the form is under

  function openReply(link) {
    var actions = link.closest(".comment__actions");
    actions.parentNode.insertBefore(form, actions.nextSibling);
    parentInput.value = link.dataset.parent;
    if (title) {
      title.textContent = "Reply to comment " + link.dataset.path;
    }
    cancel.hidden = false;
    form.classList.add("comment-form--inline");
    replyingTo = link;
    textarea.focus();
  }

  function closeReply() {
    home.parentNode.insertBefore(form, home.nextSibling);
    parentInput.value = "";
    if (title) {
      title.textContent = defaultTitle;
    }
    cancel.hidden = true;
    form.classList.remove("comment-form--inline");
    var link = replyingTo;
    replyingTo = null;
    if (link) {
      link.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.comment__reply, a[data-jump-to-form]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    if (link.matches("a.comment__reply")) {
      event.preventDefault();
      openReply(link);
    } else if (replyingTo) {
      event.preventDefault(); // the form is under a comment: go to it there
      textarea.focus();
    }
  });
  cancel.addEventListener("click", closeReply);
  form.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && replyingTo) {
      event.preventDefault();
      closeReply();
    }
  });
})();
