/* Live preview of an SMS template while editing: POSTs the content to /api/v1/sms/preview and shows the
 * rendered text with every substitution highlighted, its length, billed segments, errors and warnings.
 * Text is inserted with textContent only, so template content can never inject markup. */
(function () {
  "use strict";

  function debounce(fn, wait) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, wait);
    };
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function fillList(list, items) {
    list.replaceChildren();
    items.forEach(function (item) {
      const li = document.createElement("li");
      li.textContent = item.message;
      list.appendChild(li);
    });
  }

  function showText(box, text, substitutions) {
    box.replaceChildren();
    let position = 0;
    substitutions.forEach(function (s) {
      box.appendChild(document.createTextNode(text.slice(position, s.start)));
      const mark = document.createElement("mark");
      mark.title = s.code;
      mark.textContent = text.slice(s.start, s.end) || "\u2003";
      box.appendChild(mark);
      position = s.end;
    });
    box.appendChild(document.createTextNode(text.slice(position)));
  }

  function init() {
    const panel = document.getElementById("sms-preview");
    const content = document.getElementById("id_content");
    if (!panel || (!content && !panel.dataset.template)) {
      return;
    }
    const fullId = document.getElementById("id_allow_full_id_number");
    const maskNames = document.getElementById("id_mask_names");
    const role = function (name) {
      return panel.querySelector("[data-role=" + name + "]");
    };
    let sequence = 0;

    // The template's own length, the one limited to data-max-length; counted in code points, as the server does.
    function showSourceLength() {
      role("source-length").textContent = content
        ? Array.from(content.value).length
        : panel.dataset.contentLength || "-";
    }

    function refresh() {
      const mine = ++sequence;
      showSourceLength();
      fetch(panel.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        // Without an editable content field (a read-only viewer) the saved template is previewed.
        body: JSON.stringify(
          content
            ? {
                content: content.value,
                allow_full_id_number: fullId ? fullId.checked : false,
                mask_names: maskNames ? maskNames.checked : false,
              }
            : { template: panel.dataset.template }
        ),
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (result) {
          if (mine !== sequence) {
            return; // an older answer arriving late
          }
          const body = result.body;
          if (result.ok) {
            showText(role("text"), body.text, body.substitutions);
            role("length").textContent = body.length;
            role("segments").textContent = body.segments;
            fillList(role("errors"), []);
            fillList(role("warnings"), body.warnings);
          } else {
            role("text").replaceChildren();
            role("length").textContent = "-";
            role("segments").textContent = "-";
            fillList(role("errors"), body.errors && body.errors.length ? body.errors : [body]);
            fillList(role("warnings"), body.warnings || []);
          }
        })
        .catch(function () {
          fillList(role("errors"), [{ message: "预览服务暂时不可用。" }]);
        });
    }

    const later = debounce(refresh, 250);
    if (content) {
      content.addEventListener("input", later);
    }
    [fullId, maskNames].forEach(function (box) {
      if (box) {
        box.addEventListener("change", refresh);
      }
    });
    if (content && !content.value.trim()) {
      showSourceLength(); // a new template: no "内容不能为空" before the author has typed anything
    } else {
      refresh();
    }
  }

  document.addEventListener("DOMContentLoaded", init);
})();
