--- A floating window showing one streamed answer (`:PunieAsk` with `ask_output = "float"`).
local render = require('punie.render')

local M = {}

--- Opens a float and returns a writer streaming into it; `q` closes it, `<C-c>` calls
--- `on_cancel`, and so does closing the float (nobody is reading the answer any more).
--- @param title string
--- @param on_cancel fun()
--- @return punie.Writer
function M.open(title, on_cancel)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].filetype = 'markdown'
  local width = math.max(20, math.min(100, vim.o.columns - 8))
  local height = math.max(5, math.min(25, vim.o.lines - 6))
  local win = vim.api.nvim_open_win(buf, true, {
    relative = 'editor',
    width = width,
    height = height,
    row = math.floor((vim.o.lines - height) / 2) - 1,
    col = math.floor((vim.o.columns - width) / 2),
    border = 'rounded',
    title = ' ' .. title .. ' ',
    style = 'minimal',
  })
  vim.wo[win].wrap = true
  vim.wo[win].linebreak = true
  vim.keymap.set('n', 'q', '<Cmd>close<CR>', { buffer = buf, desc = 'Close the Punie answer' })
  vim.keymap.set('n', '<C-c>', on_cancel, { buffer = buf, desc = 'Cancel the Punie turn' })
  vim.api.nvim_create_autocmd('BufWipeout', { buffer = buf, once = true, callback = on_cancel })
  return render.writer(buf, false)
end

return M
