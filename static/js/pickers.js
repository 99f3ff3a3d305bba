// Type-ahead pickers (dms/widgets.py): a <select data-picker> becomes a box you type into. "remote" pickers
// ask their data-picker-url for up to twenty matches of what is typed; "local" ones search their own options;
// a "tags" text field offers its data-picker-options and keeps them as text joined by its delimiter.
(function () {
  "use strict";

  function withParams(url, params) {
    return url + (url.indexOf("?") === -1 ? "?" : "&") + new URLSearchParams(params).toString();
  }

  function fetchOptions(url, params) {
    return fetch(withParams(url, params), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { return data.results || []; });
  }

  function remoteSettings(el) {
    var url = el.dataset.pickerUrl;
    return {
      valueField: "value",
      labelField: "text",
      searchField: [],
      preload: "focus",
      loadThrottle: 250,
      // The server has already matched codes, Chinese and English names: show what it answers, in its order.
      score: function () { return function () { return 1; }; },
      shouldLoad: function () { return true; },
      load: function (query, callback) {
        var picker = this;
        fetchOptions(url, { q: query })
          .then(function (results) {
            if (query !== picker.inputValue()) {
              // The answer to something typed before: the answer to what is typed now follows. Once a choice
              // has emptied the box, the list stays closed.
              callback();
              if (picker.inputValue() === "") picker.close();
              return;
            }
            picker.clearOptions();
            callback(results.map(function (row) { return { value: String(row.id), text: row.text }; }));
          })
          .catch(function () { callback(); });
      },
    };
  }

  // Options the page could only render by their id (an id typed into the address): ask for their names.
  function nameChosen(el, picker) {
    var ids = Array.prototype.filter
      .call(el.options, function (option) { return option.value && option.value === option.text; })
      .map(function (option) { return option.value; });
    if (!ids.length) return;
    fetchOptions(el.dataset.pickerUrl, { ids: ids.join(",") }).then(function (results) {
      results.forEach(function (row) {
        picker.updateOption(String(row.id), { value: String(row.id), text: row.text });
      });
    });
  }

  function tagSettings(el) {
    return {
      options: JSON.parse(el.dataset.pickerOptions || "[]"),
      delimiter: el.dataset.pickerDelimiter,
      create: false,
      persist: false,
    };
  }

  function enhance(el) {
    if (el.tomselect || typeof TomSelect === "undefined") return;
    var kind = el.dataset.picker;
    var several = el.multiple || kind === "tags";
    var settings = kind === "remote" ? remoteSettings(el) : kind === "tags" ? tagSettings(el) : {};
    settings.maxOptions = kind === "remote" ? 20 : 50;
    settings.allowEmptyOption = !el.required && !several;
    settings.placeholder = el.dataset.pickerPlaceholder;
    settings.plugins = several ? ["remove_button"] : [];
    settings.render = {
      no_results: function () {
        var div = document.createElement("div");
        div.className = "no-results";
        div.textContent = el.dataset.pickerEmpty;
        return div;
      },
    };
    var picker = new TomSelect(el, settings);
    if (kind === "remote") nameChosen(el, picker);
  }

  function enhanceAll(root) {
    root.querySelectorAll("select[data-picker], input[data-picker]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.body.addEventListener("htmx:afterSwap", function (evt) { enhanceAll(evt.target); });
})();
