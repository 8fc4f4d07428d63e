// bankcrm: small behaviours without inline scripts (CSP forbids them).
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});
// Charts: <div class="chart" data-chart='{...echarts option...}'> rendered when ECharts is on the page.
function renderCharts(root) {
  if (!window.echarts) return;
  (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
    chart.setOption(JSON.parse(el.dataset.chart));
    el.dataset.rendered = "1";
  });
}
document.addEventListener("DOMContentLoaded", function () { renderCharts(); });
document.addEventListener("htmx:afterSwap", function (event) { renderCharts(event.target); });
window.addEventListener("resize", function () {
  if (!window.echarts) return;
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var chart = window.echarts.getInstanceByDom(el); if (chart) chart.resize();
  });
});
// A refused action (400 bad input, 403 not permitted, 409 not now) comes back as the card with
// its error message: let htmx swap it in instead of silently dropping it.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 400 || status === 403 || status === 409 || status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
