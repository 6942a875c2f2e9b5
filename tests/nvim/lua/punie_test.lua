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

--- Sets the plugin up for text files, opens `path` and waits until Punie's client is
--- attached to it and initialized.
--- @param path string
--- @return integer bufnr, vim.lsp.Client client
function M.open_attached(path)
  local client = require('punie.client')
  require('punie').setup({ cmd = M.cmd, filetypes = { 'text' } })
  vim.cmd.edit(path)
  local buf = vim.api.nvim_get_current_buf()
  M.wait(60000, function()
    local attached = client.for_buffer(buf)
    return attached ~= nil and attached.initialized
  end, 'the punie client to attach')
  return buf, assert(client.for_buffer(buf))
end

--- Asks `text` with `require('punie').ask` and waits for the end of the turn. `hooks.on_text`
--- (optional) also gets each delta and the turn's handle.
--- @param text string
--- @param hooks? { on_text?: fun(delta: string, handle: punie.Turn) }
--- @return { events: string[], result: table?, err: table?, steps: table[], text: string }
function M.ask(text, hooks)
  hooks = hooks or {}
  local out = { events = {}, steps = {}, text = '' }
  local finished, handle = false, nil
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
      out.result, out.err, finished = result, err, true
    end,
  })
  M.wait(M.TURN_MS, function()
    return finished
  end, 'the answer to: ' .. text)
  return out
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
