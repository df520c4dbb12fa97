// The zipper board editor (templates/_zipper_editor.html): drag and drop, and every change
// form sent as JSON to POST /boards/<slug>/changes; the server answers with the new version
// and the editor redrawn.  Without this script the same forms post and redirect.
(function () {
  "use strict";
  var dragged = null;
  var marked = null;

  function editor() { return document.getElementById("zb-editor"); }

  function say(text, failed) {
    var status = document.getElementById("zb-status");
    if (!status) return;
    status.textContent = text;
    status.className = "zb-status " + (failed ? "error" : "success");
  }

  function restoreFocus(id, created) {
    var target = (id && document.getElementById(id)) ||
      (created && document.getElementById("item-" + created));
    if (target) target.focus();
  }

  function send(change, focusId) {
    var root = editor();
    if (!root) return;
    var request = {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": root.getAttribute("data-csrf")
      },
      body: JSON.stringify({ version: Number(root.getAttribute("data-version")), change: change })
    };
    root.setAttribute("aria-busy", "true");
    fetch("/boards/" + encodeURIComponent(root.getAttribute("data-slug")) + "/changes", request)
      .then(function (response) {
        return response.json().then(function (answer) {
          root.removeAttribute("aria-busy");
          if (!response.ok) {
            var text = answer.detail || "The change was not saved.";
            if (response.status === 409) text += " Reload the page to see the newest version.";
            say(text, true);
            return;
          }
          var holder = document.createElement("div");
          holder.innerHTML = answer.html;
          var fresh = holder.querySelector("#zb-editor");
          root.parentNode.replaceChild(fresh, root);
          var version = document.getElementById("zb-version");
          if (version) version.textContent = String(answer.version);
          say(answer.summary + ": saved as version " + answer.version + ".", false);
          restoreFocus(focusId, answer.created);
        });
      })
      .catch(function () {
        root.removeAttribute("aria-busy");
        say("The server could not be reached; the change was not saved.", true);
      });
  }

  // Every change form in the editor goes as JSON.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var root = editor();
    if (!root || !root.contains(form) || !form.classList.contains("zb-form")) return;
    event.preventDefault();
    var change = {};
    new FormData(form).forEach(function (value, key) {
      if (key === "csrf_token" || key === "version") return;
      if (typeof value === "string" && value.trim() !== "") change[key] = value;
    });
    var submitter = event.submitter;
    var field = form.querySelector("input[type=text], select");
    send(change, (submitter && submitter.id) || (field && field.id));
  });

  function itemOf(element) {
    if (element.classList.contains("zb-worry")) {
      return { kind: "worry", worry: Number(element.getAttribute("data-worry")) };
    }
    return { kind: element.getAttribute("data-kind"), id: element.getAttribute("data-id") };
  }

  // The change a drop on `target` makes, and the element to mark, or null.
  function dropOn(target) {
    if (!dragged || !target || !target.closest) return null;
    if (dragged.kind === "worry") {
      var situation = target.closest(".zb-situation");
      if (situation) {
        return { mark: situation, change: { op: "place_worry", situation: situation.getAttribute("data-id"), worry: dragged.worry } };
      }
      var solution = target.closest(".zb-solution");
      if (solution) {
        return { mark: solution, change: { op: "answer_worry", solution: solution.getAttribute("data-id"), worry: dragged.worry } };
      }
      return null;
    }
    var step = target.closest(".zb-step");
    if (dragged.kind === "situation" || dragged.kind === "solution") {
      var card = target.closest(".zb-" + dragged.kind);
      if (card) {
        if (card.getAttribute("data-id") === dragged.id) return null;
        return { mark: card, change: { op: "move", item: dragged.id, index: Number(card.getAttribute("data-index")), to: card.getAttribute("data-step") } };
      }
      var wanted = dragged.kind === "situation" ? "customer_step" : "our_step";
      if (step && step.getAttribute("data-kind") === wanted) {
        return { mark: step, change: { op: "move", item: dragged.id, index: 999, to: step.getAttribute("data-id") } };
      }
      return null;
    }
    if (!step || step.getAttribute("data-id") === dragged.id) return null;
    if (step.getAttribute("data-kind") === dragged.kind) {
      return { mark: step, change: { op: "move", item: dragged.id, index: Number(step.getAttribute("data-index")) } };
    }
    if (dragged.kind === "customer_step") {
      return { mark: step, change: { op: "add_touchpoint", customer_step: dragged.id, our_step: step.getAttribute("data-id") } };
    }
    return { mark: step, change: { op: "add_touchpoint", customer_step: step.getAttribute("data-id"), our_step: dragged.id } };
  }

  function mark(element) {
    if (marked === element) return;
    if (marked) marked.classList.remove("zb-over");
    marked = element;
    if (marked) marked.classList.add("zb-over");
  }

  document.addEventListener("dragstart", function (event) {
    var root = editor();
    var element = event.target;
    if (!root || !root.getAttribute("data-editable") || !element.getAttribute ||
        element.getAttribute("draggable") !== "true" || !root.contains(element)) return;
    dragged = itemOf(element);
    event.dataTransfer.effectAllowed = "copyMove";
    event.dataTransfer.setData("text/plain", JSON.stringify(dragged));
    element.classList.add("zb-dragging");
  });

  document.addEventListener("dragover", function (event) {
    var found = dropOn(event.target);
    mark(found ? found.mark : null);
    if (found) event.preventDefault();
  });

  document.addEventListener("drop", function (event) {
    var found = dropOn(event.target);
    mark(null);
    if (!found) return;
    event.preventDefault();
    dragged = null;
    send(found.change, null);
  });

  document.addEventListener("dragend", function (event) {
    if (event.target.classList) event.target.classList.remove("zb-dragging");
    mark(null);
    dragged = null;
  });
})();
