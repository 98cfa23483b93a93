-- .default: the `_default` handle. A message no handler broke on is kept in the
-- Inbox (through insertInbox, which enforces the cap) and announced as
-- "New Message From abc...xyz: Action = <Action>" (or "Data = <Data>"), coloured
-- gray, green sender, gray again before "Action ="/"Data =" (as the real module
-- prints it), blue value.
return function(insertInbox)
  return function(msg)
    insertInbox(msg)
    local from = type(msg.From) == "string"
      and (msg.From:sub(1, 3) .. "..." .. msg.From:sub(-3)) or "unknown"
    local what
    if msg.Action ~= nil then
      what = "Action = " .. Colors.blue .. tostring(msg.Action)
    else
      what = "Data = " .. Colors.blue .. (type(msg.Data) == "string" and msg.Data or tostring(msg.Data))
    end
    print(Colors.gray .. "New Message From " .. Colors.green .. from .. Colors.gray .. ": "
      .. Colors.gray .. what .. Colors.reset)
  end
end
