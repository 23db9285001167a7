#!/usr/bin/env bash
# Screenshots of Neovim with the corroborate plugin on the seed corpus:
# Neovim runs in tmux, the pane is captured with its colours, turned into
# HTML (aha) and photographed by headless Chromium. Needs: tmux, aha,
# chromium (apt) and the Neovim of tests/editors/nvim.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
nvim=$root/target/editors/venv/bin/nvim
ws=$(mktemp -d)
cp seeds/*.txt "$ws/"
chmod u+w "$ws"/*.txt   # the seeds are read-only; a user's articles are not
cat > "$ws/init.lua" <<LUA
vim.opt.runtimepath:prepend('$root/editors/nvim')
vim.opt.termguicolors = true
vim.opt.wrap = false
vim.opt.swapfile = false
vim.opt.hlsearch = false
vim.o.winborder = 'rounded'
vim.diagnostic.config({ virtual_text = true })
require('corroborate').setup({ cmd = { '$root/target/release/corroborate', 'lsp' } })
LUA
line=$(grep -n 'more than 200 members' seeds/000_d708aa83a71d4e9b.txt | head -1 | cut -d: -f1)
tmux kill-session -t corroborate-shot 2>/dev/null || true
tmux new-session -d -s corroborate-shot -x 150 -y 42 "cd $ws && $nvim -u $ws/init.lua +$line 000_d708aa83a71d4e9b.txt"
sleep 6
# Put the cursor on the claim and show its diagnostic.
tmux send-keys -t corroborate-shot "/more than 200 members" Enter
sleep 1
tmux send-keys -t corroborate-shot ":lua vim.diagnostic.open_float()" Enter
sleep 2
shot() {
  tmux capture-pane -t corroborate-shot -p -e | aha --black --title corroborate > "$ws/$1.html"
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --hide-scrollbars --window-size=1195,650 \
    --screenshot="$root/docs/$1.png" "file://$ws/$1.html" >/dev/null 2>&1
}
shot nvim-diagnostic
tmux send-keys -t corroborate-shot Escape "h" "l"
sleep 1
tmux send-keys -t corroborate-shot ":echo" Enter
sleep 1
tmux send-keys -t corroborate-shot "K"
sleep 3
shot nvim-hover
tmux kill-session -t corroborate-shot
rm -rf "$ws"
echo "docs/nvim-diagnostic.png docs/nvim-hover.png"
