// Copy buttons: <button data-copy="input-id"> copies that input's value and says so.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) return;
  var input = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(input.id.replace(/-token$/, "") + "-copied");
  input.select();
  var said = function (text) { if (status) status.textContent = text; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(input.value).then(
      function () { said("Copied to the clipboard."); },
      function () { said("Press Ctrl+C (⌘C on a Mac) to copy the selected token."); }
    );
  } else {
    said("Press Ctrl+C (⌘C on a Mac) to copy the selected token.");
  }
});
