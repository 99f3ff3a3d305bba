// Copy the front-end packages from node_modules into static/vendor, so Django serves them itself.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "static", "vendor");
const files = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"],
  ["bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons/font/fonts", "bootstrap-icons/fonts"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["echarts/dist/echarts.min.js", "echarts/echarts.min.js"],
  ["tom-select/dist/js/tom-select.popular.min.js", "tom-select/tom-select.popular.min.js"],
  ["tom-select/dist/js/tom-select.popular.min.js.map", "tom-select/tom-select.popular.min.js.map"],
  ["tom-select/dist/css/tom-select.bootstrap5.min.css", "tom-select/tom-select.bootstrap5.min.css"],
  ["tom-select/dist/css/tom-select.bootstrap5.min.css.map", "tom-select/tom-select.bootstrap5.min.css.map"],
];

rmSync(vendor, { recursive: true, force: true });
for (const [from, to] of files) {
  const target = join(vendor, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", from), target, { recursive: true });
}
console.log(`Copied ${files.length} front-end assets into static/vendor`);
