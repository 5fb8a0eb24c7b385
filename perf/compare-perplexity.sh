#!/usr/bin/env bash
# Perplexity of the same text under Starling and llama.cpp's llama-perplexity, model by model.
#   LLAMA_CPP_BIN=/path/to/llama.cpp/build/bin perf/compare-perplexity.sh [-c CTX] TEXT MODEL.gguf...
# Prints one markdown row per model: Starling's PPL, llama.cpp's, and the relative difference.
# llama.cpp runs with flash attention off (LLAMA_ARG_FLASH_ATTN=off; builds from before its on/off/auto switch
# ignore the variable and had it off by default): Starling computes attention the way llama.cpp's non-flash path
# does, and builds since late 2025 turn flash attention on by default, which moves logprobs by ~1e-3.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ctx=128
if [ "${1:-}" = -c ]; then ctx=$2; shift 2; fi
text=$1; shift
: "${LLAMA_CPP_BIN:?set LLAMA_CPP_BIN to the directory holding llama-perplexity}"

final() { sed -n 's/.*Final estimate: PPL = \([0-9.]*\).*/\1/p' | tail -n 1; }

echo "| model | ctx | Starling PPL | llama.cpp PPL | difference |"
echo "|---|---|---|---|---|"
for model in "$@"; do
    ours=$("$root/starling" perplexity -m "$model" -f "$text" -c "$ctx" -t 2 2>/dev/null | final)
    theirs=$(LLAMA_ARG_FLASH_ATTN=off "$LLAMA_CPP_BIN/llama-perplexity" -m "$model" -f "$text" -c "$ctx" -b "$ctx" -t 2 2>&1 | final)
    diff=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%+.3f%%", (a - b) / b * 100 }')
    echo "| $(basename "$model") | $ctx | $ours | $theirs | $diff |"
done
