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

// Quick exit: sign out in the background and leave at once for a neutral site, replacing
// this page in the history so that Back does not return to it.
function quickExit(exit) {
  const token = document.querySelector("meta[name=csrf-token]");
  if (token && navigator.sendBeacon) {
    const form = new FormData();
    form.append("csrf_token", token.content);
    navigator.sendBeacon(exit.dataset.signOut, form);
  }
  window.location.replace(exit.href);
}
document.addEventListener("click", function (event) {
  const exit = event.target.closest("[data-quick-exit]");
  if (!exit) return;
  event.preventDefault();
  quickExit(exit);
});

// Escape pressed twice within a second also leaves by the quick exit, where there is one.
(function () {
  const exit = document.querySelector("[data-quick-exit]");
  if (!exit) return;
  let last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const now = Date.now();
    if (now - last < 1000) quickExit(exit);
    last = now;
  });
})();

// Speaker turns: a countdown that needs no server. It keeps time by the clock, so it stays
// right when the phone puts the page in the background; only the end is announced.
document.querySelectorAll("[data-timer]").forEach(function (box) {
  const total = parseInt(box.dataset.timer, 10) * 1000;
  const display = box.querySelector(".timer-display");
  const announce = box.querySelector(".timer-announce");
  const toggle = box.querySelector("[data-timer-start]");
  const startLabel = toggle.textContent;
  let left = total;
  let endsAt = null;
  let ticking = null;
  function show() {
    const seconds = Math.ceil(left / 1000);
    display.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }
  function stop() { clearInterval(ticking); ticking = null; endsAt = null; }
  function tick() {
    left = Math.max(0, endsAt - Date.now());
    show();
    if (left === 0) {
      stop();
      left = total;
      toggle.textContent = startLabel;
      announce.textContent = "Time to swap roles.";
    }
  }
  toggle.addEventListener("click", function () {
    if (ticking) {
      stop();
      toggle.textContent = "Resume";
      return;
    }
    announce.textContent = "";
    endsAt = Date.now() + left;
    ticking = setInterval(tick, 250);
    toggle.textContent = "Pause";
  });
  box.querySelector("[data-timer-reset]").addEventListener("click", function () {
    stop(); left = total; show(); toggle.textContent = startLabel; announce.textContent = "";
  });
});

// "Insert" buttons append prepared text (such as the homework digest) to a text area.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-insert-into]");
  if (!button) return;
  const area = document.querySelector(button.dataset.insertInto);
  area.value = area.value ? area.value + "\n" + button.dataset.insertText : button.dataset.insertText;
  area.focus();
});

// Buttons with data-confirm ask first; submit buttons are disabled once a form is sent, so a
// double click cannot send it twice (disabled after the browser has read the form).
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
document.addEventListener("submit", function (event) {
  const buttons = event.target.querySelectorAll("button[type=submit]");
  setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
});

// While someone is typing in a long form, tell the server they are still here, so the idle
// sign-out does not take their text away.
(function () {
  const ping = document.querySelector("meta[name=keep-alive]");
  if (!ping) return;
  let typed = false;
  document.addEventListener("input", function () { typed = true; });
  setInterval(function () {
    if (!typed) return;
    typed = false;
    fetch(ping.content, { credentials: "same-origin", cache: "no-store" });
  }, 60000);
})();

// A print button (the CSP allows no inline script).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
