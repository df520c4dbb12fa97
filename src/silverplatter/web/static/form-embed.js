/* Silverplatter forms: renders <div data-silverplatter-form="slug"> on any site, no framework.
   Text from the form's definition is only ever set as text, never parsed as HTML. */
(function (w, d) {
  var BASE = "__SP_URL__/capture/forms/";
  var TYPES = { email: "email", tel: "tel", number: "number", date: "date" };
  var AUTO = {
    email: "email", first_name: "given-name", last_name: "family-name", title: "organization-title",
    company: "organization", phone: "tel", country: "country-name"
  };

  function el(tag, attrs, text) {
    var node = d.createElement(tag), key;
    for (key in attrs || {}) if (attrs[key] !== null && attrs[key] !== undefined) node.setAttribute(key, attrs[key]);
    if (text) node.textContent = text;
    return node;
  }
  function visitor() {
    var m = d.cookie.match(/(?:^|;\s*)sp_vid=([\w-]{8,64})/);
    return m ? m[1] : null;
  }
  function errorSlot(id) {
    var p = el("p", { "class": "sp-error", id: id + "-error", role: "alert" });
    p.hidden = true;
    return p;
  }
  function choices(prefix, name, items, multiple, required, legendText) {
    var set = el("fieldset", { "class": "sp-choices", id: prefix + "-" + name });
    set.appendChild(el("legend", null, legendText + (required ? " *" : "")));
    items.forEach(function (choice, i) {
      var id = prefix + "-" + name + "-" + i, label = el("label", { "for": id, "class": "sp-choice" });
      label.appendChild(el("input", { type: multiple ? "checkbox" : "radio", id: id, name: name, value: choice }));
      label.appendChild(d.createTextNode(" " + choice));
      set.appendChild(label);
    });
    set.appendChild(errorSlot(prefix + "-" + name));
    return set;
  }
  function field(prefix, f) {
    var id = prefix + "-" + f.name, row = el("div", { "class": "sp-field sp-field-" + f.name }), input;
    if (f.type === "choice") return choices(prefix, f.name, f.choices || [], f.multiple, f.required, f.label);
    if (f.type === "boolean") {
      input = el("input", { type: "checkbox", id: id, name: f.name, value: "yes" });
      var label = el("label", { "for": id });
      label.appendChild(input);
      label.appendChild(d.createTextNode(" " + f.label));
      row.appendChild(label);
    } else {
      row.appendChild(el("label", { "for": id }, f.label + (f.required ? " *" : "")));
      input = el("input", {
        type: TYPES[f.type] || "text", id: id, name: f.name, autocomplete: AUTO[f.name] || null,
        required: f.required ? "required" : null
      });
      row.appendChild(input);
    }
    row.appendChild(errorSlot(id));
    return row;
  }
  function values(form, def) {
    var body = {}, names = def.fields.map(function (f) { return f.name; }), several = {};
    def.fields.forEach(function (f) { several[f.name] = f.type === "choice" && !!f.multiple; });
    def.questions.forEach(function (q) { names.push(q.key); several[q.key] = !!q.multiple; });
    names.push("website");
    names.forEach(function (name) {
      var inputs = form.querySelectorAll('[name="' + name + '"]'), picked = [], i;
      for (i = 0; i < inputs.length; i++) {
        var input = inputs[i];
        if (input.type === "checkbox" || input.type === "radio") { if (input.checked) picked.push(input.value); }
        else if (input.value !== "") picked.push(input.value);
      }
      if (several[name]) body[name] = picked;
      else if (picked.length) body[name] = picked[0];
    });
    body.consent = form.querySelector('[name="consent"]').checked;
    var vid = visitor();
    if (vid) body.visitor_id = vid;
    return body;
  }
  function showErrors(form, prefix, errors) {
    var first = null;
    errors.forEach(function (error) {
      var slot = d.getElementById(prefix + "-" + error.field + "-error"), target = d.getElementById(prefix + "-" + error.field);
      if (!slot) slot = form.querySelector(".sp-form-error");
      slot.textContent = error.message;
      slot.hidden = false;
      if (target) {
        target.setAttribute("aria-invalid", "true");
        target.setAttribute("aria-describedby", slot.id);
        if (!first) first = target;
      }
    });
    if (first && first.focus) first.focus();
  }
  function clearErrors(form) {
    var slots = form.querySelectorAll(".sp-error"), marked = form.querySelectorAll("[aria-invalid]"), i;
    for (i = 0; i < slots.length; i++) { slots[i].hidden = true; slots[i].textContent = ""; }
    for (i = 0; i < marked.length; i++) marked[i].removeAttribute("aria-invalid");
  }
  function done(host, answer) {
    var box = el("div", { "class": "sp-success", role: "status" });
    box.appendChild(el("p", null, answer.message));
    if (answer.download_url) box.appendChild(el("a", { "class": "sp-download", href: answer.download_url }, "Download"));
    host.replaceChildren(box);
  }
  function render(host, slug, def, n) {
    var prefix = "sp-" + slug + "-" + n, form = el("form", { "class": "sp-form", novalidate: "novalidate" });
    form.appendChild(el("h3", { "class": "sp-title" }, def.name));
    def.fields.forEach(function (f) { form.appendChild(field(prefix, f)); });
    def.questions.forEach(function (q) {
      form.appendChild(choices(prefix, q.key, q.choices, q.multiple, q.required, q.label));
    });
    var trap = el("div", { "aria-hidden": "true", "class": "sp-hp" });
    trap.style.position = "absolute";
    trap.style.left = "-10000px";
    trap.appendChild(el("input", { type: "text", name: "website", tabindex: "-1", autocomplete: "off" }));
    form.appendChild(trap);
    var consent = el("div", { "class": "sp-field sp-consent" }), id = prefix + "-consent";
    var label = el("label", { "for": id });
    label.appendChild(el("input", { type: "checkbox", id: id, name: "consent", value: "yes" }));
    label.appendChild(d.createTextNode(" " + def.consent.wording));
    consent.appendChild(label);
    consent.appendChild(errorSlot(id));
    form.appendChild(consent);
    var general = el("p", { "class": "sp-error sp-form-error", id: prefix + "-form-error", role: "alert" });
    general.hidden = true;
    form.appendChild(general);
    var button = el("button", { type: "submit", "class": "sp-submit" }, def.submit_label);
    form.appendChild(button);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      button.disabled = true;
      fetch(BASE + encodeURIComponent(slug), {
        method: "POST", mode: "cors", credentials: "omit",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(values(form, def))
      }).then(function (response) {
        return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
      }).then(function (reply) {
        button.disabled = false;
        if (reply.status === 200) return done(host, reply.answer);
        var errors = reply.answer.errors || [{ field: "form", message: reply.answer.detail || "The form could not be sent." }];
        showErrors(form, prefix, errors);
      }).catch(function () {
        button.disabled = false;
        showErrors(form, prefix, [{ field: "form", message: "The form could not be sent; please try again." }]);
      });
    });
    host.replaceChildren(form);
  }
  function start() {
    var hosts = d.querySelectorAll("[data-silverplatter-form]");
    Array.prototype.forEach.call(hosts, function (host, n) {
      if (host.getAttribute("data-sp-ready")) return;
      host.setAttribute("data-sp-ready", "1");
      var slug = host.getAttribute("data-silverplatter-form");
      fetch(BASE + encodeURIComponent(slug), { mode: "cors", credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
        .then(function (def) { render(host, slug, def, n); })
        .catch(function () { host.replaceChildren(el("p", { "class": "sp-error" }, "This form is not available right now.")); });
    });
  }
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start);
  else start();
})(window, document);
