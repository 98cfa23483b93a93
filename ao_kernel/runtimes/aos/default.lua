-- .default: the `_default` handle. A message no handler broke on is kept in the
-- Inbox (through insertInbox, which enforces the cap) and announced as
-- "New Message From abc...xyz: Action = <Action>" (or "Data = <Data>"), coloured
-- gray, green sender, gray again before "Action ="/"Data =" (as the real module
-- prints it), blue value. The Action and the Data are cut to their first 20 bytes
-- (a multi-byte character on the cut stays broken: the output shows a replacement
-- character); a table Data (JSON-decoded) prints as JSON.
local json = require("json")

return function(insertInbox)
  return function(msg)
    insertInbox(msg)
    local from = msg.From and (msg.From:sub(1, 3) .. "..." .. msg.From:sub(-3)) or "unknown"
    local text = Colors.gray .. "New Message From " .. Colors.green .. from .. Colors.gray .. ": "
    if msg.Action then
      text = text .. Colors.gray .. "Action = " .. Colors.blue .. msg.Action:sub(1, 20) .. Colors.reset
    else
      local data = msg.Data
      if type(data) == "table" then data = json.encode(data) end
      text = text .. Colors.gray .. "Data = " .. Colors.blue .. (data and data:sub(1, 20) or "") .. Colors.reset
    end
    print(text)
  end
end
