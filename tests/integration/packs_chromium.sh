#!/usr/bin/env bash
# Headless Chromium opens the packs index and the pack of the largest provider, renders both to
# PNG and dumps the DOM after scripts ran: the pages log nothing to the console (no script error),
# the funnel SVGs are in the rendered DOM with their points, and the PNGs show the drawn charts
# (pixels in the limit colours and the highlighted organisation's blue). A page with a script
# error is shown to be caught. Exits 77 (skipped) when Chromium is not installed.
# Arguments: the mhbench binary and a scratch directory.
set -euo pipefail
bin=$1
work=$2
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "SKIP: chromium is not installed (scripts/setup.sh installs it)"; exit 77; }
py=/usr/bin/python3
"$py" -c 'import PIL' 2>/dev/null || { echo "SKIP: python3-pil is not installed"; exit 77; }
rm -rf "$work" && mkdir -p "$work"
run() { mpirun --oversubscribe --bind-to none -np "$@"; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fail() { echo "FAIL: $*"; exit 1; }

run 2 "$bin" synth --out "$work/data" --scale 0.02 --seed 3 >/dev/null
run 2 "$bin" ingest --in "$work/data" --store "$work/store.h5" >/dev/null
for job in tt-averages activity packs; do
  run 1 "$bin" run "$job" --store "$work/store.h5" --out "$work/results/$job" >/dev/null
done
packs=$work/results/packs/packs
# The provider with the most finished courses (column 8 of the All/All rows).
big=$("$py" - "$work/results/tt-averages/tt_provider.csv" <<'EOF'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["descriptor"] == "All" and r["severity"] == "All" and r["finished"]]
print(max(rows, key=lambda r: int(r["finished"]))["org_code"])
EOF
)
page=$packs/provider_$big.html
[ -f "$page" ] || fail "no pack for $big"

# One Chromium run per page and output; a private profile so runs do not share state.
render() {  # page, output stem, window height
  local profile=$work/profile_$2
  timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --enable-logging=stderr --v=0 --window-size=1280,"$3" --screenshot="$work/$2.png" "file://$1" 2>"$work/$2.screenshot.log" >/dev/null
  timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --user-data-dir="$profile" \
    --enable-logging=stderr --v=0 --dump-dom "file://$1" >"$work/$2.dom.html" 2>"$work/$2.dom.log"
  [ -s "$work/$2.png" ] || fail "$2: no screenshot"
  if grep -h ':CONSOLE' "$work/$2.screenshot.log" "$work/$2.dom.log"; then fail "$2: the page logged to the console"; fi
}

# Negative control: a script error must show up in the log the test reads.
printf '<!DOCTYPE html><html lang="en"><body><p>x</p><script>throw new Error("planted");</script></body></html>\n' >"$work/bad.html"
timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --user-data-dir="$work/profile_bad" --enable-logging=stderr --v=0 \
  --dump-dom "file://$work/bad.html" >/dev/null 2>"$work/bad.log"
grep -q 'CONSOLE.*planted' "$work/bad.log" || fail "a planted script error was not seen in Chromium's log"

render "$packs/index.html" index 2400
render "$page" provider 9000
# The reliable recovery funnel on a page of its own, so that colours can be counted in it alone.
"$py" - "$page" "$work/chart.html" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
svg = re.search(r'<svg[^>]*class="funnel".*?</svg>', text, re.S).group(0)
open(sys.argv[2], "w", encoding="utf-8").write('<!DOCTYPE html><html lang="en"><body style="margin:0">' + svg + "</body></html>")
EOF
render "$work/chart.html" chart 400

"$py" - "$work" <<'EOF'
import re, sys
from PIL import Image
work = sys.argv[1]
# Rendered DOM: every funnel SVG is there with its points and limit paths.
dom = open(f"{work}/provider.dom.html", encoding="utf-8").read()
svgs = re.findall(r'<svg[^>]*class="funnel"[^>]*data-dots="(\d+)"', dom)
assert len(svgs) >= 3, f"only {len(svgs)} funnel charts in the rendered provider pack"
assert all(int(n) >= 5 for n in svgs), svgs
assert dom.count('stroke="#d55e00"') >= len(svgs) and dom.count('stroke="#0072b2"') >= len(svgs), "limits missing"
assert 'fill="#005eb8"' in dom, "the provider's own point is not drawn on any chart"
index = open(f"{work}/index.dom.html", encoding="utf-8").read()
rows = index.count("<tr>")
assert rows > 50, f"index lists only {rows} rows"
assert 'id="search"' in index

def pixels(path, rgb, tol=40):
    im = Image.open(path).convert("RGB")
    return sum(1 for p in im.getdata() if all(abs(a - b) <= tol for a, b in zip(p, rgb)))

png = f"{work}/chart.png"
orange, blue = pixels(png, (0xD5, 0x5E, 0x00), 30), pixels(png, (0x00, 0x72, 0xB2), 8)
own, dots = pixels(png, (0x00, 0x5E, 0xB8), 8), pixels(png, (0x76, 0x86, 0x92), 30)
assert orange > 500, f"99.8% limit lines hardly drawn ({orange} pixels)"
assert blue > 300, f"95% limit lines hardly drawn ({blue} pixels)"
assert own > 40, f"the highlighted provider is hardly drawn ({own} pixels)"
assert dots > 300, f"the other providers are hardly drawn ({dots} pixels)"
full = Image.open(f"{work}/provider.png")
assert full.size == (1280, 9000), full.size
assert pixels(f"{work}/provider.png", (0xD5, 0x5E, 0x00), 30) > 5 * orange, "the pack's charts are not drawn"
grey = pixels(f"{work}/index.png", (0x21, 0x2B, 0x32), 30)
assert grey > 5000, f"the index shows little text ({grey} dark pixels)"
print(f"OK: Chromium rendered the index and the provider pack: {len(svgs)} funnels; the first has limit pixels "
      f"{orange}/{blue}, point pixels {dots}, own point {own}")
EOF
# Passed: drop the bulky generated extracts and store (kept when a check fails, for a look).
rm -rf "$work/data" "$work/store.h5" "$work"/store.h5.*
echo "OK: packs open in headless Chromium without errors and their charts are drawn"
