// The "Copy citation" buttons: copy the text of the element named by data-copy. The button stays
// hidden without JavaScript; where the Clipboard API is missing (plain HTTP), the text is
// selected and copied the old way, or left selected for Ctrl+C.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector(".copied");
    if (!source) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const text = source.textContent.trim();
      let done = false;
      try {
        await navigator.clipboard.writeText(text);
        done = true;
      } catch (_) {
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        done = document.execCommand("copy");
      }
      if (status) status.textContent = done ? "Copied." : "Selected: press Ctrl+C to copy.";
    });
  }
});
