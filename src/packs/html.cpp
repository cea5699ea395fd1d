#include "packs/html.hpp"

#include <cmath>

#include "report/table.hpp"

namespace mhbench::packs {

std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

namespace {

std::string group_thousands(const std::string& digits) {
    // digits: optional '-', integer digits, optional fraction.
    std::size_t start = digits.starts_with('-') ? 1 : 0;
    std::size_t point = digits.find('.');
    if (point == std::string::npos) point = digits.size();
    std::string out = digits.substr(0, start);
    const std::string integer = digits.substr(start, point - start);
    for (std::size_t i = 0; i < integer.size(); ++i) {
        if (i && (integer.size() - i) % 3 == 0) out += ',';
        out += integer[i];
    }
    return out + digits.substr(point);
}

}  // namespace

std::string format_number(std::optional<double> v, int decimals) {
    if (!v || std::isnan(*v)) return "*";
    return group_thousands(report::format_real(*v, decimals));
}

std::string format_count(std::optional<double> v) { return format_number(v, 0); }

std::string format_percent(std::optional<double> per_cent, int decimals) {
    if (!per_cent || std::isnan(*per_cent)) return "*";
    return format_number(per_cent, decimals) + "%";
}

namespace {

// NHS identity colours for text and rules; the charts use the Okabe-Ito colour-blind-safe set.
constexpr std::string_view kStyle = R"css(
:root { --nhs-blue: #005eb8; --nhs-dark-blue: #003087; --text: #212b32; --grey: #4c6272; --pale: #f0f4f5; --rule: #d8dde0; }
* { box-sizing: border-box; }
body { font-family: Arial, "Helvetica Neue", Helvetica, "Liberation Sans", sans-serif; color: var(--text); margin: 0; line-height: 1.45; background: #fff; }
header.masthead { background: var(--nhs-blue); color: #fff; padding: 1.2rem 2rem; }
header.masthead p { margin: 0.2rem 0; }
header.masthead a { color: #fff; }
main { padding: 0.5rem 2rem 2rem; max-width: 80rem; }
nav.contents { padding: 0.6rem 2rem; background: var(--pale); font-size: 0.9rem; }
nav.contents ol { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; }
.ci { display: block; font-size: 0.78rem; color: var(--grey); }
tbody th { background: none; font-weight: normal; }
tr.allrow th, tr.allrow td { font-weight: bold; border-bottom: 2px solid var(--rule); }
h1 { font-size: 1.9rem; margin: 0.3rem 0; }
h2 { font-size: 1.45rem; color: var(--nhs-dark-blue); border-bottom: 2px solid var(--rule); padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1.15rem; margin-bottom: 0.4rem; }
.kicker { text-transform: uppercase; letter-spacing: 0.04em; font-size: 0.85rem; }
.notice { border-left: 6px solid #ffb81c; background: #fff9e6; padding: 0.6rem 1rem; margin: 1rem 0; }
.headline { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
.headline div { border: 1px solid var(--rule); border-top: 5px solid var(--nhs-blue); padding: 0.7rem 1rem; min-width: 14rem; flex: 1; }
.headline .figure { font-size: 1.8rem; font-weight: bold; display: block; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.84rem; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.3rem 0.5rem; vertical-align: top; }
th { background: var(--pale); text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
thead th { vertical-align: bottom; }
.flag-above, .flag-below { font-weight: bold; }
.flag-above::before { content: "\25B2\00a0"; }
.flag-below::before { content: "\25BC\00a0"; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; border: 1px solid var(--rule); padding: 0.5rem; break-inside: avoid; page-break-inside: avoid; }
figure.wide { width: fit-content; margin-bottom: 1rem; }
figure.small { width: 24rem; }
figcaption { font-size: 0.82rem; color: var(--grey); max-width: 46rem; }
svg { display: block; max-width: 100%; height: auto; }
.legend { font-size: 0.85rem; margin: 0.5rem 0; }
.search { font-size: 1rem; padding: 0.4rem; width: 24rem; max-width: 100%; border: 2px solid var(--text); }
th button { font: inherit; font-weight: bold; background: none; border: 0; padding: 0; cursor: pointer; color: var(--nhs-dark-blue); text-align: left; }
th button::after { content: " \21C5"; color: var(--grey); }
dl.key dt { font-weight: bold; }
dl.key dd { margin: 0 0 0.4rem 1rem; font-size: 0.85rem; }
.muted { color: var(--grey); }
a { color: var(--nhs-blue); }
a:focus, button:focus, input:focus { outline: 3px solid #ffeb3b; }
@media print {
  header.masthead { background: none; color: #000; border-bottom: 3px solid #000; padding: 0 0 0.5rem; }
  header.masthead a { color: #000; }
  main { padding: 0; max-width: none; }
  nav.contents, .search, .noprint { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-inside: auto; }
  table { page-break-inside: auto; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  a { color: #000; text-decoration: none; }
}
)css";

}  // namespace

std::string page(const std::string& title, const std::string& body, const std::string& script) {
    std::string out = "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                      escape(title) + "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n" + body;
    if (!script.empty()) out += "<script>\n" + script + "\n</script>\n";
    return out + "</body>\n</html>\n";
}

}  // namespace mhbench::packs
