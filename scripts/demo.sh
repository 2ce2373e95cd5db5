#!/usr/bin/env bash
# Install romcam into ./.venv and analyze the bundled sample video.
# Usage: ./scripts/demo.sh [VIDEO] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

# OpenCV's wheel (pulled by mediapipe) needs these two system libraries on slim systems.
missing=()
for pkg in libgl1 libglib2.0-0; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})) && command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

VENV="${ROMCAM_VENV:-.venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e .

VIDEO="${1:-sample_videos/sports2d_demo.mp4}"
OUT="${2:-out/demo}"
"$VENV/bin/romcam" analyze "$VIDEO" --out "$OUT"
echo
echo "Outputs are in $OUT. Start the dashboard with:  $VENV/bin/streamlit run app.py"
