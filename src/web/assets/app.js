// Enhancements only: every page works without this file.
// 1. The calculator shows its result without a reload (the same GET the form makes, the result
//    region of the answer put in place; the region is aria-live, so it is announced).
// 2. USCC inputs are upper-cased and stripped of spaces as they are typed.
// 3. Ten minutes before the session ends, an alert says so, with the header's "stay signed in"
//    button beside it (WCAG 2.2.1).
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('form[data-live]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (event.submitter && event.submitter.name === 'add_row') return; // a new row needs the page
      event.preventDefault();
      var query = new URLSearchParams(new FormData(form)).toString();
      var url = form.getAttribute('action') + '?' + query;
      fetch(url, { credentials: 'same-origin' }).then(function (response) {
        return response.text();
      }).then(function (html) {
        var page = new DOMParser().parseFromString(html, 'text/html');
        var id = form.getAttribute('data-live');
        var fresh = page.getElementById(id);
        var fields = page.querySelector('form[data-live]');
        if (!fresh || !fields) { window.location.href = url; return; }
        form.replaceChildren.apply(form, Array.from(fields.childNodes).map(function (n) { return document.importNode(n, true); }));
        var summary = page.getElementById('error-summary');
        var oldSummary = document.getElementById('error-summary');
        if (oldSummary) oldSummary.remove();
        if (summary) form.parentNode.insertBefore(document.importNode(summary, true), form);
        document.getElementById(id).replaceChildren.apply(document.getElementById(id),
          Array.from(fresh.childNodes).map(function (n) { return document.importNode(n, true); }));
        history.replaceState(null, '', url);
      }).catch(function () { window.location.href = url; });
    });
  });
  var ends = document.querySelector('[data-ends]');
  var extend = document.querySelector('form.session-extend');
  var endsAt = ends ? Date.parse(ends.getAttribute('data-ends')) : NaN;
  if (!isNaN(endsAt) && extend) {
    var warnIn = endsAt - Date.now() - 10 * 60 * 1000;
    window.setTimeout(function () {
      var zh = document.documentElement.lang !== 'en';
      var alert = document.createElement('div');
      alert.className = 'banner';
      alert.setAttribute('role', 'alert');
      var text = document.createElement('p');
      text.textContent = zh ? '登录将在10分钟内到期，到期后未保存的内容会丢失。请先保存，或延长登录：'
                            : 'The session ends within 10 minutes; anything unsaved is then lost. Save first, or stay signed in:';
      alert.appendChild(text);
      alert.appendChild(extend.cloneNode(true));
      var main = document.getElementById('main');
      if (main) main.insertBefore(alert, main.firstChild);
    }, Math.max(0, warnIn));
  }
  document.querySelectorAll('input.uscc').forEach(function (input) {
    input.addEventListener('input', function () {
      var cleaned = input.value.replace(/\s+/g, '').toUpperCase();
      if (cleaned !== input.value) input.value = cleaned;
    });
  });
});
