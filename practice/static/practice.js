// Copy buttons: <button data-copy-target="#id">. Kept in a file, as the CSP allows no inline script.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copyTarget);
  field.select();
  const done = function () { button.textContent = "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done);
  } else {
    document.execCommand("copy");
    done();
  }
});

// Note forms: show the DAP or the SOAP sections, whichever format is chosen.
(function () {
  const radios = document.querySelectorAll('input[name="format"]');
  const sections = document.querySelectorAll("[data-note-format]");
  if (!radios.length || !sections.length) return;
  function update() {
    const chosen = document.querySelector('input[name="format"]:checked');
    sections.forEach(function (section) {
      section.hidden = chosen && section.dataset.noteFormat !== chosen.value;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();

// Quick exit: leave at once for a neutral site, replacing this page in the history.
document.addEventListener("click", function (event) {
  const exit = event.target.closest("[data-quick-exit]");
  if (!exit) return;
  event.preventDefault();
  window.location.replace(exit.href);
});

// Escape pressed twice within a second also leaves by the quick exit, where there is one.
(function () {
  const exit = document.querySelector("[data-quick-exit]");
  if (!exit) return;
  let last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const now = Date.now();
    if (now - last < 1000) window.location.replace(exit.href);
    last = now;
  });
})();
