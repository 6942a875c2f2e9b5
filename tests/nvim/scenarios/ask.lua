-- require('punie').ask streams text before on_done; the result holds a read_file step.
local T = require('punie_test')
T.run(function()
  require('punie').setup({ cmd = T.cmd })
  return T.ask('Read README.md and tell me the project name')
end)
