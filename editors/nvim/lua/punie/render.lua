--- Writes a streamed chat turn into a buffer as Markdown: reply text as it arrives, each
--- Code Mode step as a fenced Python block followed by its output.
local M = {}

--- @param text string
--- @return string[]
local function split_lines(text)
  return vim.split((text:gsub('\n$', '')), '\n', { plain = true })
end

--- The fenced block of a snippet.
--- @param code string
--- @return string[]
function M.code_lines(code)
  local lines = { '', '```python' }
  vim.list_extend(lines, split_lines(code))
  table.insert(lines, '```')
  return lines
end

--- The fenced block of what a step produced: stdout, result, error, kill reason.
--- @param step table a `Step`
--- @return string[]
function M.output_lines(step)
  local body = {}
  if step.stdout and step.stdout ~= '' then
    vim.list_extend(body, split_lines(step.stdout))
  end
  if step.result ~= nil and step.result ~= vim.NIL then
    table.insert(body, '=> ' .. tostring(step.result))
  end
  if type(step.error) == 'table' then
    table.insert(body, ('%s: %s'):format(step.error.type, step.error.message))
  end
  if step.killed ~= nil and step.killed ~= vim.NIL then
    table.insert(body, 'killed: ' .. step.killed)
  end
  if #body == 0 then
    body = { '(no output)' }
  end
  local lines = { '```output' }
  vim.list_extend(lines, body)
  vim.list_extend(lines, { '```', '' })
  return lines
end

--- A one-line summary of a `Usage`.
--- @param usage table?
--- @return string
function M.usage_line(usage)
  if not usage then
    return ''
  end
  return ('_%d turn(s) · %d ms · %.0f tok/s_'):format(
    usage.turns or 0,
    usage.totalMs or 0,
    usage.tokensPerSecond or 0
  )
end

--- @class punie.Writer
--- @field buf integer
--- @field above_last boolean output goes above the last line (a prompt buffer's prompt)
--- @field open_line boolean the last output line is still receiving streamed text
--- @field fresh boolean the buffer holds only its initial empty line
--- @field text_seen boolean some reply text was streamed
--- @field code_shown boolean the current snippet's code block is already written
local Writer = {}
Writer.__index = Writer

--- A writer appending to `buf`.
--- @param buf integer
--- @param above_last boolean
--- @return punie.Writer
function M.writer(buf, above_last)
  return setmetatable({
    buf = buf,
    above_last = above_last,
    open_line = false,
    fresh = not above_last,
    text_seen = false,
    code_shown = false,
  }, Writer)
end

--- @return integer 0-based index where the next line goes
function Writer:_end()
  local count = vim.api.nvim_buf_line_count(self.buf)
  return self.above_last and count - 1 or count
end

--- @param lines string[]
function Writer:_insert(lines)
  if not vim.api.nvim_buf_is_valid(self.buf) then
    return
  end
  if self.fresh then
    self.fresh = false
    vim.api.nvim_buf_set_lines(self.buf, 0, -1, false, lines)
  else
    local at = self:_end()
    vim.api.nvim_buf_set_lines(self.buf, at, at, false, lines)
  end
  vim.bo[self.buf].modified = false
  self:_follow()
end

-- Keeps windows showing the buffer scrolled to the newest output.
function Writer:_follow()
  local last = self:_end()
  for _, win in ipairs(vim.fn.win_findbuf(self.buf)) do
    if vim.api.nvim_get_current_win() ~= win or vim.fn.mode() ~= 'i' then
      vim.api.nvim_win_set_cursor(win, { math.max(last, 1), 0 })
    end
  end
end

--- Appends streamed reply text.
--- @param delta string
function Writer:text(delta)
  if delta == '' then
    return
  end
  self.text_seen = true
  if not vim.api.nvim_buf_is_valid(self.buf) then
    return
  end
  local parts = vim.split(delta, '\n', { plain = true })
  if self.open_line and not self.fresh then
    local at = self:_end()
    local last = vim.api.nvim_buf_get_lines(self.buf, at - 1, at, false)[1]
    vim.api.nvim_buf_set_lines(self.buf, at - 1, at, false, { last .. parts[1] })
    table.remove(parts, 1)
  end
  if #parts > 0 then
    self:_insert(parts)
  end
  vim.bo[self.buf].modified = false
  self.open_line = true
end

--- Appends whole lines (a block), closing any open text line. A leading empty line is
--- dropped when the output already ends with one.
--- @param lines string[]
function Writer:lines(lines)
  self.open_line = false
  if lines[1] == '' and not self.fresh and vim.api.nvim_buf_is_valid(self.buf) then
    local at = self:_end()
    if at > 0 and vim.api.nvim_buf_get_lines(self.buf, at - 1, at, false)[1] == '' then
      lines = vim.list_slice(lines, 2)
    end
  end
  self:_insert(lines)
end

--- Shows a snippet about to run.
--- @param code string
function Writer:code(code)
  self:lines(M.code_lines(code))
  self.code_shown = true
end

--- Shows a finished step (its code too, unless already shown).
--- @param step table
function Writer:step(step)
  if not self.code_shown then
    self:lines(M.code_lines(step.code))
  end
  self.code_shown = false
  self:lines(M.output_lines(step))
end

--- Shows how the turn ended: the reply if none was streamed, an error, or the usage line.
--- @param result table?
--- @param err table?
function Writer:done(result, err)
  if err then
    local cancelled = err.code == require('punie.turn').REQUEST_CANCELLED
    self:lines({ '', cancelled and '_(cancelled)_' or ('**Error:** ' .. tostring(err.message)), '' })
    return
  end
  if result and not self.text_seen and result.reply and result.reply ~= '' then
    self:lines(split_lines(result.reply))
  end
  self:lines({ '', M.usage_line(result and result.usage), '' })
end

--- The callbacks of `require('punie').ask` that stream a turn into this writer; `on_done`
--- also calls `after(result, err)` when given.
--- @param after? fun(result: table?, err: table?)
--- @return punie.Callbacks
function Writer:callbacks(after)
  return {
    on_text = function(delta)
      self:text(delta)
    end,
    on_code = function(code)
      self:code(code)
    end,
    on_step = function(step)
      self:step(step)
    end,
    on_done = function(result, err)
      self:done(result, err)
      if after then
        after(result, err)
      end
    end,
  }
end

return M
