-- workspace/applyEdit as Punie's client answers it, without a model: the buffer is
-- attached to a real `punie serve`, so its versions are the ones Neovim tells servers.
-- An edit pinned to an older version is refused; one pinned to the current version applies.
local T = require('punie_test')
T.run(function()
  local buf, client = T.open_attached(vim.env.PUNIE_TEST_FILE)
  local uri = vim.uri_from_bufnr(buf)

  --- The server's edit for `write_file`: the whole text replaced, pinned to `version`.
  local function replace_all(text, version)
    local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    return {
      edit = {
        documentChanges = {
          {
            textDocument = { uri = uri, version = version },
            edits = {
              {
                range = {
                  start = { line = 0, character = 0 },
                  ['end'] = { line = #lines, character = 0 },
                },
                newText = text,
              },
            },
          },
        },
      },
      label = 'Punie: write notes.txt',
    }
  end

  -- A version above 0: Neovim's own handler skips such a stale edit yet answers applied.
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'typed before' })
  local seen_by_server = vim.lsp.util.buf_versions[buf]
  local stale = replace_all('from punie\n', seen_by_server)
  -- The user types after the server computed its edit.
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'typed meanwhile' })
  local typed = vim.lsp.util.buf_versions[buf]
  -- `_server_request` is the path Neovim's RPC takes for a request from the server.
  local refused = client:_server_request('workspace/applyEdit', stale)
  local after_refused = vim.api.nvim_buf_get_lines(buf, 0, -1, false)

  local current = replace_all('from punie\n', vim.lsp.util.buf_versions[buf])
  local applied = client:_server_request('workspace/applyEdit', current)
  local after_applied = vim.api.nvim_buf_get_lines(buf, 0, -1, false)

  -- A buffer the client is not attached to has unsaved text the server never saw: an edit
  -- computed from the file (no version) would be wrong for it.
  vim.lsp.buf_detach_client(buf, client.id)
  local unseen = client:_server_request('workspace/applyEdit', replace_all('x\n', vim.NIL))
  return {
    versions = { seen_by_server = seen_by_server, typed = typed },
    refused = refused,
    after_refused = after_refused,
    applied = applied,
    after_applied = after_applied,
    modified = vim.bo[buf].modified,
    unseen = unseen,
    after_unseen = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
  }
end)
