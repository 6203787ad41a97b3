// Inline replies, as progressive enhancement. Without this script every "Reply" link opens
// the comment form on its own page; with it, the page's one comment form moves under the
// comment being answered, with its hidden `parent` field set. Submitting is a plain POST.
(function () {
  "use strict";

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

  function openReply(link) {
    var actions = link.closest(".comment__actions");
    actions.parentNode.insertBefore(form, actions.nextSibling);
    parentInput.value = link.dataset.parent;
    if (title) {
      title.textContent = "Reply to comment " + link.dataset.path;
    }
    cancel.hidden = false;
    form.classList.add("comment-form--inline");
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
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.comment__reply");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    openReply(link);
  });
  cancel.addEventListener("click", closeReply);
})();
