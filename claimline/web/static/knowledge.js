// Public FAQ: instant search while typing and in-place "was this helpful?" votes.
// Without JavaScript the same forms work as ordinary GET/POST requests.
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function resultLink(item, best) {
    var link = el("a", best ? "result best" : "result");
    link.href = item.url;
    link.appendChild(el("span", "title", item.title));
    if (item.summary) link.appendChild(el("span", "summary", item.summary));
    link.appendChild(el("span", "topic", item.topic_name));
    return link;
  }

  function renderSearch(box, data, texts) {
    box.textContent = "";
    if (data.action === "empty") return;
    if (data.action === "clarify") {
      box.appendChild(el("p", "lead", data.message || texts.clarify));
    }
    if (data.action === "clarify" && data.choices.length >= 2) {
      var choices = el("div", "choices");
      data.choices.slice(0, 4).forEach(function (choice) {
        var link = el("a", "choice", choice.title);
        link.href = choice.url;
        link.appendChild(el("small", "", choice.topic_name));
        choices.appendChild(link);
      });
      box.appendChild(choices);
    } else if (data.action === "handoff") {
      var template = document.getElementById("handoff-template");
      var panel = el("div", "handoff");
      panel.setAttribute("role", "status");
      panel.appendChild(el("p", "lead", data.message));
      if (template) panel.appendChild(template.content.cloneNode(true));
      box.appendChild(panel);
    }
    if (data.results.length) {
      box.appendChild(el("p", "lead", data.action === "answer" ? texts.answer : texts.related));
      data.results.forEach(function (item, index) {
        box.appendChild(resultLink(item, data.action === "answer" && index === 0));
      });
    } else if (data.action !== "handoff") {
      box.appendChild(el("p", "muted", texts.none));
    }
  }

  function setupSearch() {
    var form = document.getElementById("faq-search");
    var input = document.getElementById("faq-q");
    var box = document.getElementById("search-results");
    if (!form || !input || !box) return;
    var texts = {
      answer: box.dataset.textAnswer, related: box.dataset.textRelated,
      clarify: box.dataset.textClarify, none: box.dataset.textNone
    };
    var timer = null;
    var controller = null;
    var last = input.value.trim();

    function run() {
      var q = input.value.trim();
      if (q === last) return;
      last = q;
      if (controller) controller.abort();
      if (!q) {
        box.textContent = "";
        return;
      }
      controller = "AbortController" in window ? new AbortController() : null;
      box.setAttribute("aria-busy", "true");
      fetch("/api/v1/knowledge/search?q=" + encodeURIComponent(q.slice(0, 2000)), {
        headers: { "Accept": "application/json" }, signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) throw new Error("search failed");
        return response.json();
      }).then(function (data) {
        if (input.value.trim() !== q) return;
        renderSearch(box, data, texts);
      }).catch(function () { /* keep what is shown; the form still works */ })
        .finally(function () { box.removeAttribute("aria-busy"); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    });
  }

  function setupFeedback() {
    var form = document.getElementById("feedback-form");
    if (!form || !window.fetch) return;
    var status = document.getElementById("feedback-status");
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !button.value) return;
      event.preventDefault();
      var comment = form.querySelector("textarea[name=comment]");
      var helpful = button.value === "yes";
      fetch(form.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ helpful: helpful, comment: comment && comment.value ? comment.value : null })
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (result.ok) {
          form.hidden = true;
          status.textContent = helpful ? form.dataset.thanks : form.dataset.sorry;
          status.className = "alert ok";
        } else {
          status.textContent = result.body && result.body.error ? result.body.error.message : form.dataset.failed;
          status.className = "alert error";
        }
        status.hidden = false;
      }).catch(function () {
        status.textContent = form.dataset.failed;
        status.className = "alert error";
        status.hidden = false;
      });
    });
  }

  setupSearch();
  setupFeedback();
})();
