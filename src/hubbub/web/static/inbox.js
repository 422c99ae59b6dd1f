// hubbub inbox: canned replies, "Copy reply", check-all. Plain DOM, delegated events,
// so it keeps working after htmx swaps parts of the page. No inline scripts (CSP).
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { fallbackCopy(text); });
    }
    fallbackCopy(text);
    return Promise.resolve();
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-canned-for]")) {
      var box = document.getElementById(target.getAttribute("data-canned-for"));
      if (box && target.value) {
        box.value = target.value;
        box.dispatchEvent(new Event("input", { bubbles: true }));
        box.focus();
      }
    }
    if (target.id === "check-all") {
      document.querySelectorAll('#inbox-items input[name="ids"]').forEach(function (box) {
        box.checked = target.checked;
      });
    }
  });

  // copy first (a user gesture), then let the form submit as usual
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy-from]");
    if (!button) { return; }
    var box = document.getElementById(button.getAttribute("data-copy-from"));
    if (box && box.value.trim()) { copyText(box.value); }
  });
})();
