// New since your last visit (issue 19), with no reading log on the server: this browser
// keeps, per post, how many published comments it has seen and the newest comment's id
// (localStorage "forum:seen:<post id>" = {"count": n, "top": id}). Nothing is sent.
//
// On a post page (section#comments with data-post, data-comments, data-pks: the ids of
// its comments in page order, and data-top: the thread's newest published id) the
// comments added since are marked "new" and a line at the top says how many, with a
// link to the first (or to the whole thread, when they are on other pages of it). On lists of posts (elements with
// data-post and data-comments) a post opened before shows "N new". Without this script
// nothing is shown and nothing changes.
(function () {
  "use strict";

  var PREFIX = "forum:seen:";

  function read(post) {
    try {
      return JSON.parse(window.localStorage.getItem(PREFIX + post));
    } catch (error) {
      return null; // storage disabled or full: behave as a first visit
    }
  }

  function write(post, seen) {
    try {
      window.localStorage.setItem(PREFIX + post, JSON.stringify(seen));
    } catch (error) {
      // private mode or full storage: nothing is remembered, nothing breaks
    }
  }

  function badge(text, className) {
    var mark = document.createElement("strong");
    mark.className = className;
    mark.textContent = text;
    return mark;
  }

  var thread = document.getElementById("comments");
  document.querySelectorAll("[data-post][data-comments]").forEach(function (item) {
    if (item === thread) {
      return;
    }
    var seen = read(item.getAttribute("data-post"));
    var now = parseInt(item.getAttribute("data-comments"), 10);
    if (seen && now > seen.count) {
      var where = item.querySelector("[data-new-here]") || item;
      where.appendChild(document.createTextNode(" "));
      where.appendChild(badge(now - seen.count + " new", "new-badge"));
    }
  });

  if (!thread || !thread.hasAttribute("data-post")) {
    return;
  }
  var post = thread.getAttribute("data-post");
  var count = parseInt(thread.getAttribute("data-comments"), 10);
  var ids = (thread.getAttribute("data-pks") || "").split(",").map(Number);
  var articles = thread.querySelectorAll(".comment-list article.comment");
  var seen = read(post);
  var top = Math.max(seen ? seen.top : 0, parseInt(thread.getAttribute("data-top"), 10) || 0);
  if (seen) {
    var fresh = [];
    articles.forEach(function (article, i) {
      var shown = !article.classList.contains("comment--placeholder") &&
        !article.classList.contains("comment--pending");
      if (shown && ids[i] > seen.top) {
        fresh.push(article);
        article.classList.add("comment--new");
        var meta = article.querySelector(".comment__meta");
        if (meta) {
          meta.appendChild(badge("new", "comment__new"));
        }
      }
    });
    var added = Math.max(fresh.length, count - seen.count);
    if (added > 0) {
      var line = document.createElement("p");
      line.className = "comments__new";
      var link = document.createElement("a");
      link.href = fresh.length ? "#" + fresh[0].id : "?page=all";
      link.textContent = added + " new since your last visit";
      line.appendChild(link);
      var heading = document.getElementById("comments-heading");
      heading.parentNode.insertBefore(line, heading.nextSibling);
    }
  }
  write(post, {count: count, top: top});
})();
