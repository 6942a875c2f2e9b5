-- The user types into the buffer just as Punie's write arrives: the edit was made for
-- the older text, so it is refused and the snippet's write_file raises.
local T = require('punie_test')
T.run(function()
  local buf, client = T.open_attached(vim.env.PUNIE_TEST_FILE)
  local replies = {}
  local plugin_handler = client.handlers['workspace/applyEdit']
  client.handlers = vim.tbl_extend('force', client.handlers, {
    ['workspace/applyEdit'] = function(...)
      vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'typed meanwhile' })
      local reply = plugin_handler(...)
      table.insert(replies, reply)
      return reply
    end,
  })
  local answer = T.ask(vim.env.PUNIE_TEST_QUESTION)
  return {
    answer = answer,
    replies = replies,
    lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
  }
end)
