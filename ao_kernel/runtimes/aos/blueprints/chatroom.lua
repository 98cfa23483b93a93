-- Chatroom blueprint, written for ao-kernel from the behaviour the aos chatroom blueprint
-- shows: Register / Unregister / Broadcast (Broadcast-Notice to every member, then a
-- "Broadcasted." reply).
Members = Members or {}

Handlers.add('register', 'Register', function(msg)
  for _, member in ipairs(Members) do
    if member == msg.From then
      msg.reply({ Data = 'Already registered.' })
      return
    end
  end
  table.insert(Members, msg.From)
  msg.reply({ Data = 'Registered.' })
end)

Handlers.add('unregister', 'Unregister', function(msg)
  for i = #Members, 1, -1 do
    if Members[i] == msg.From then table.remove(Members, i) end
  end
  msg.reply({ Data = 'Unregistered' })
end)

Handlers.add('broadcast', 'Broadcast', function(msg)
  local seen = {}
  for _, member in ipairs(Members) do
    if not seen[member] then
      seen[member] = true
      ao.send({ Target = member, Action = 'Broadcast-Notice', Data = msg.Data })
    end
  end
  msg.reply({ Data = 'Broadcasted.' })
end)
