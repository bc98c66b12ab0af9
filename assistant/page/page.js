/* The chat page's script: [n] opens its source, example and suggested questions are asked,
   answers are copied in the browser, and every other button goes back to the server through
   the hidden "Page action" field. Nothing here builds HTML from text. */
(() => {
  const $ = (selector) => document.querySelector(selector);
  let lastAnswer = "";

  function liveRegion() {
    let region = document.getElementById("torino-live");
    if (!region) {
      region = document.createElement("div");
      region.id = "torino-live";
      region.className = "sr-only";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  function announce(text) {
    const region = liveRegion();
    region.textContent = "";
    if (text) setTimeout(() => { region.textContent = text; }, 60);
  }

  function setValue(field, value) {
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function count() {
    const box = $("#question textarea");
    const shown = $("#count");
    if (box && shown) shown.textContent = box.value.length.toLocaleString("en");
  }

  function askThis(text) {
    const box = $("#question textarea");
    if (!box) return;
    setValue(box, text);
    box.focus();
    count();
    setTimeout(() => $("#ask-button").click(), 40);
  }

  function act(value) {
    const field = $("#action textarea") || $("#action input");
    if (!field) return;
    window.torino.last = value;
    setValue(field, value);
    setTimeout(() => $("#action-go").click(), 40);
  }

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {
      const scratch = document.createElement("textarea");
      scratch.value = text;
      scratch.setAttribute("readonly", "");
      scratch.style.position = "fixed";
      scratch.style.opacity = "0";
      document.body.appendChild(scratch);
      scratch.select();
      document.execCommand("copy");
      scratch.remove();
    }
    const label = button.textContent;
    button.textContent = "Copied";
    announce("Copied to the clipboard.");
    setTimeout(() => { button.textContent = label; }, 1500);
  }

  document.addEventListener("click", (event) => {
    const el = event.target.closest && event.target.closest("a.cite-ref, [data-ask], [data-copy], [data-action]");
    if (!el) return;
    event.preventDefault();
    event.stopPropagation();
    if (el.matches("a.cite-ref")) {
      const source = document.getElementById(el.getAttribute("href").slice(1));
      if (source) {
        source.open = true;
        source.scrollIntoView({ block: "nearest" });
        source.querySelector("summary").focus({ preventScroll: true });
      }
    } else if (el.dataset.ask) {
      askThis(el.dataset.ask);
    } else if (el.dataset.copy !== undefined) {
      copy(el.dataset.copy, el);
    } else if (el.dataset.action) {
      act(el.dataset.action);
    }
  }, true);

  document.addEventListener("input", (event) => {
    if (event.target.closest && event.target.closest("#question")) count();
  });

  // A preview that would run off the right edge opens to the left; Escape hides it (WCAG 1.4.13).
  const showTip = (event) => {
    const cite = event.target.closest && event.target.closest(".cite");
    if (!cite) return;
    cite.classList.remove("tip-off");
    cite.classList.toggle("tip-left", cite.getBoundingClientRect().left > window.innerWidth / 2);
  };
  document.addEventListener("mouseover", showTip);
  document.addEventListener("focusin", showTip);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") document.querySelectorAll(".cite").forEach((c) => c.classList.add("tip-off"));
  });
  setInterval(count, 500);

  window.torino = {
    last: "",
    answered() {
      count();
      const answers = document.querySelectorAll("#log .answer");
      const newest = answers[answers.length - 1];
      if (newest && newest.id !== lastAnswer) {
        lastAnswer = newest.id;
        newest.scrollIntoView({ block: "start" });
      }
      const status = $("#status");
      announce(status ? status.textContent.trim() : "");
    },
    acted() {
      const value = window.torino.last || "";
      setTimeout(() => {
        if (value.startsWith("open") || value.startsWith("jump")) {
          const heading = $("#report-text h2");
          const mark = $("#report-text mark");
          if (heading) heading.focus({ preventScroll: true });
          if (mark) mark.scrollIntoView({ block: "center" });
          else if (heading) heading.scrollIntoView({ block: "start" });
        } else if (value.startsWith("down")) {
          const why = $("#why textarea");
          if (why) why.focus();
        }
        const status = $("#status");
        announce(status ? status.textContent.trim() : "");
      }, 300);
    },
  };
})();
