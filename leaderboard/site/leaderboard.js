// Sort by clicking a header, filter with the text boxes; ?filter=...&sort=...&order=... in the
// URL do the same on load.
// Plain DOM, no libraries, no network: the page must work opened from disk.
"use strict";

function cellValue(row, index) {
  const cell = row.cells[index];
  const text = cell ? cell.textContent.trim() : "";
  const num = parseFloat(text);
  return cell && cell.classList.contains("num") && !isNaN(num) ? num : text.toLowerCase();
}

function sortTable(table, index, th, order) {
  const body = table.tBodies[0];
  const desc = order ? order === "desc" : !th.classList.contains("sorted-desc");
  table.querySelectorAll("th").forEach(h => h.classList.remove("sorted-asc", "sorted-desc"));
  th.classList.add(desc ? "sorted-desc" : "sorted-asc");
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = cellValue(a, index), y = cellValue(b, index);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return desc ? -c : c;
  });
  rows.forEach(r => body.appendChild(r));
}

function applyFilter(table, text) {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  // The dataset and protocol live in the section title, not in the rows: match them too.
  const title = document.getElementById(table.id + "-title");
  const context = title ? title.textContent.toLowerCase() + " " : "";
  let shown = 0;
  Array.from(table.tBodies[0].rows).forEach(row => {
    const hay = context + row.textContent.toLowerCase();
    const ok = words.every(w => hay.includes(w));
    row.hidden = !ok;
    if (ok) shown += 1;
  });
  const count = document.getElementById(table.id + "-count");
  if (count) count.textContent = shown + " of " + table.tBodies[0].rows.length + " rows";
  table.dataset.shown = String(shown);
  // A filter that empties a section hides the whole section, so the matches are easy to find.
  table.closest("section").hidden = words.length > 0 && shown === 0;
}

function init() {
  const tables = Array.from(document.querySelectorAll("table.lb"));
  tables.forEach(table => {
    table.querySelectorAll("th").forEach((th, i) => {
      th.addEventListener("click", () => sortTable(table, i, th));
    });
    const box = document.getElementById(table.id + "-filter");
    if (box) box.addEventListener("input", () => applyFilter(table, box.value));
    applyFilter(table, "");
  });
  const query = new URLSearchParams(window.location.search);
  // ?sort=<header text>&order=asc|desc sorts every table, so a link can share a view.
  const sortBy = query.get("sort");
  if (sortBy) {
    tables.forEach(table => {
      const ths = Array.from(table.querySelectorAll("th"));
      const i = ths.findIndex(th => th.textContent.trim() === sortBy);
      if (i >= 0) sortTable(table, i, ths[i], query.get("order") === "asc" ? "asc" : "desc");
    });
  }
  const global = document.getElementById("global-filter");
  const initial = query.get("filter") || "";
  const filterAll = text => tables.forEach(t => applyFilter(t, text));
  global.addEventListener("input", () => filterAll(global.value));
  if (initial) {
    global.value = initial;
    filterAll(initial);
  }
  document.body.dataset.ready = "1";
  document.body.dataset.filter = initial;
}

document.addEventListener("DOMContentLoaded", init);
