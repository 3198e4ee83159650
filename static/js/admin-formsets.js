// Rows that the admin adds to an inline formset are new to htmx: let it wire their
// "understood as" previews too.
document.addEventListener("formset:added", (event) => {
  if (window.htmx) window.htmx.process(event.target);
});
