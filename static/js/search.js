// The search box in the top bar. "/" focuses it (on a phone it first opens it from its icon); htmx fills the
// drop-down as the user types; the arrow keys move through the results, Enter opens the chosen one and Esc
// closes the drop-down. With no result chosen, Enter submits the form to the full results page.
(function () {
  "use strict";

  var root = document.querySelector("[data-search]");
  if (!root) return;
  var input = root.querySelector("input[name=q]");
  var menu = root.querySelector("[role=listbox]");
  var toggle = root.querySelector("[data-search-toggle]");

  function items() {
    return Array.prototype.slice.call(menu.querySelectorAll("[data-search-item]"));
  }

  function activeIndex() {
    return items().findIndex(function (item) { return item.classList.contains("active"); });
  }

  function select(index) {
    items().forEach(function (item, i) {
      var on = i === index;
      item.classList.toggle("active", on);
      item.setAttribute("aria-selected", on ? "true" : "false");
      if (on) {
        input.setAttribute("aria-activedescendant", item.id);
        item.scrollIntoView({ block: "nearest" });
      }
    });
    if (index < 0) input.removeAttribute("aria-activedescendant");
  }

  function showMenu(show) {
    var open = show && items().length + menu.querySelectorAll(".dropdown-item-text").length > 0;
    menu.classList.toggle("show", open);
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) select(-1);
  }

  function openBox() {
    root.classList.add("is-open");
    if (toggle) toggle.setAttribute("aria-expanded", "true");
    input.focus();
    input.select();
  }

  function closeBox() {
    showMenu(false);
    if (!root.classList.contains("is-open")) {
      if (document.activeElement === input) input.blur();
      return;
    }
    root.classList.remove("is-open");
    if (toggle) {
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    event.preventDefault();
    openBox();
  });

  input.addEventListener("keydown", function (event) {
    var list = items();
    var index = activeIndex();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!list.length) return;
      event.preventDefault();
      showMenu(true);
      if (event.key === "ArrowDown") select(index + 1 < list.length ? index + 1 : 0);
      else select(index > 0 ? index - 1 : list.length - 1);
    } else if (event.key === "Enter" && index >= 0 && menu.classList.contains("show")) {
      event.preventDefault();
      window.location.assign(list[index].href);
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (menu.classList.contains("show")) showMenu(false);
      else closeBox();
    }
  });

  input.addEventListener("focus", function () { if (input.value.trim()) showMenu(true); });
  menu.addEventListener("htmx:afterSwap", function () {
    showMenu(document.activeElement === input && input.value.trim() !== "");
  });
  menu.addEventListener("mousemove", function (event) {
    var item = event.target.closest("[data-search-item]");
    if (item) select(items().indexOf(item));
  });
  if (toggle) toggle.addEventListener("click", openBox);
  root.querySelectorAll("[data-search-close]").forEach(function (button) {
    button.addEventListener("click", closeBox);
  });
  document.addEventListener("click", function (event) {
    if (root.contains(event.target)) return;
    if (root.classList.contains("is-open") && !input.value.trim()) closeBox();
    else showMenu(false);
  });
})();
