// Progressive enhancement for filter forms: leave empty fields out of the URL, so that a
// bookmarked or shared link holds only the filters in use. Without JS the form works the same,
// with longer URLs.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form.filters")) return;
  for (const field of form.elements) {
    if (field.name && !field.disabled && field.value === "" && field.type !== "checkbox") {
      field.disabled = true;
    }
  }
  // Re-enable after the browser has read the form, for when the user comes back (bfcache).
  setTimeout(() => {
    for (const field of form.elements) field.disabled = false;
  }, 0);
});

// Ticking a box or choosing an option applies the filter at once. The "Apply filters" buttons
// stay, for typed fields and for browsers without scripts.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (!field.matches("form.filters .facet input[type=checkbox], form.filters .facet input[type=radio]")) return;
  field.form.requestSubmit();
});
