--- Helpers for the scenario scripts that pytest runs in headless Neovim: each scenario
--- returns a table, which is written as JSON to $PUNIE_TEST_OUT before Neovim quits.
local M = {}

--- The server command the scenario must use (JSON list in $PUNIE_TEST_CMD).
M.cmd = vim.json.decode(vim.env.PUNIE_TEST_CMD or 'null')

--- How long one model turn may take on a slow, shared CPU.
M.TURN_MS = tonumber(vim.env.PUNIE_TEST_TURN_MS or '') or 120000

--- Waits until `cond()` holds, or fails the scenario naming `what`.
--- @param ms integer
--- @param cond fun(): boolean
--- @param what string
function M.wait(ms, cond, what)
  if not vim.wait(ms, cond, 20) then
    error('timed out waiting for ' .. what, 2)
  end
end

--- Sets the plugin up (with `opts` over the test's server command), opens `path` and
--- waits until Punie's client is attached to it and initialized.
--- @param path string
--- @param opts? punie.Options
--- @return integer bufnr, vim.lsp.Client client
function M.open_attached(path, opts)
  local client = require('punie.client')
  require('punie').setup(vim.tbl_extend('force', { cmd = M.cmd }, opts or {}))
  vim.cmd.edit(path)
  local buf = vim.api.nvim_get_current_buf()
  M.wait(60000, function()
    local attached = client.for_buffer(buf)
    return attached ~= nil and attached.initialized
  end, 'the punie client to attach')
  return buf, assert(client.for_buffer(buf))
end

--- Asks `text` with `require('punie').ask` and returns at once; the returned table fills
--- in as the turn runs (`finished` once it ended). `hooks.on_text` (optional) also gets
--- each delta and the turn's handle.
--- @param text string
--- @param hooks? { on_text?: fun(delta: string, handle: punie.Turn) }
--- @return { events: string[], result: table?, err: table?, steps: table[], text: string,
---   finished: boolean }
function M.start_ask(text, hooks)
  hooks = hooks or {}
  local out = { events = {}, steps = {}, text = '', finished = false }
  local handle = nil
  handle = require('punie').ask(text, {
    on_text = function(delta)
      table.insert(out.events, 'text')
      out.text = out.text .. delta
      if hooks.on_text then
        hooks.on_text(delta, handle)
      end
    end,
    on_code = function()
      table.insert(out.events, 'code')
    end,
    on_step = function(step)
      table.insert(out.events, 'step')
      table.insert(out.steps, step)
    end,
    on_done = function(result, err)
      table.insert(out.events, 'done')
      out.result, out.err, out.finished = result, err, true
    end,
  })
  return out
end

--- Waits for the end of a turn started with `start_ask`; returns it.
--- @param turn table
--- @param text string
function M.wait_turn(turn, text)
  M.wait(M.TURN_MS, function()
    return turn.finished
  end, 'the answer to: ' .. text)
  return turn
end

--- Asks `text` (see `start_ask`) and waits for the end of the turn.
function M.ask(text, hooks)
  return M.wait_turn(M.start_ask(text, hooks), text)
end

--- Waits for Punie's review of an edit to open; returns its buffer (focused).
--- @return integer
function M.wait_review()
  local review = require('punie.review')
  M.wait(M.TURN_MS, function()
    return #review.pending() > 0
  end, 'the review of an edit')
  return review.pending()[1]
end

--- Presses `keys` in Normal mode, as a user would (mappings apply).
--- @param keys string
function M.press(keys)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'mx', false)
end

--- The text of a buffer as Neovim sends it to a language server (and would write it
--- without 'fixeol'): its lines joined by its 'fileformat''s line end, plus a final
--- line end when 'eol' is set.
--- @param buf integer
--- @return string
function M.text(buf)
  local ending = ({ unix = '\n', dos = '\r\n', mac = '\r' })[vim.bo[buf].fileformat]
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, true), ending)
  return vim.bo[buf].eol and text .. ending or text
end

--- The messages `vim.notify` shows from now on.
--- @return string[]
function M.capture_notifications()
  local seen = {}
  local notify = vim.notify
  vim.notify = function(message, ...)
    table.insert(seen, message)
    return notify(message, ...)
  end
  return seen
end

--- Runs a scenario, writes its result (or its error) to $PUNIE_TEST_OUT and quits.
--- @param scenario fun(): table
function M.run(scenario)
  local ok, value = xpcall(scenario, debug.traceback)
  local report = ok and { ok = true, value = value } or { ok = false, error = tostring(value) }
  local file = assert(io.open(vim.env.PUNIE_TEST_OUT, 'w'))
  file:write(vim.json.encode(report))
  file:close()
  vim.cmd('qall!')
end

return M
