// Pickers (core/pickers.py): choosing a result fills the hidden input; typing again clears it,
// so a half-typed name is never submitted as a choice. Served from /static (script-src 'self').
document.addEventListener("click", (event) => {
  const item = event.target.closest("[data-pick-value]");
  if (!item) return;
  event.preventDefault();
  const box = item.closest("[data-picker]");
  box.querySelector("[data-picker-value]").value = item.dataset.pickValue;
  box.querySelector("[data-picker-search]").value = item.dataset.pickLabel;
  box.querySelector(".picker-results").replaceChildren();
});
document.addEventListener("input", (event) => {
  if (!event.target.matches("[data-picker-search]")) return;
  event.target.closest("[data-picker]").querySelector("[data-picker-value]").value = "";
});
