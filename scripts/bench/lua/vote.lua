-- wrk script for the vote scenarios: PUT /api/v1/ideas/<id>/vote/ with {"value": 1} and a
-- personal API token. Each request takes a random voter among the seeded ones, so no
-- per-voter limit or lock is met more than real voters would meet it.
-- Arguments after `--`: tokens_file first_idea ideas mode
--   tokens_file: one secret a line; line i + 1 is the token of voter i (scripts/bench/seed.py)
--   mode "spread": a random idea among `ideas`; "hot": always the first idea.
-- Idea k is by voter k mod (number of voters): that voter may not vote for it, so the next
-- voter votes instead.
dofile("report.lua")

local tokens, first_idea, ideas, hot = {}, 0, 1, false
local body = '{"value": 1}'
local thread_number = 0

function setup(thread)
  thread_number = thread_number + 1
  thread:set("seed", thread_number)
end

function init(args)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
  first_idea, ideas, hot = tonumber(args[2]), tonumber(args[3]), args[4] == "hot"
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  local offset = 0
  if not hot then
    offset = math.random(0, ideas - 1)
  end
  local voter = math.random(0, #tokens - 1)
  if voter == offset % #tokens then
    voter = (voter + 1) % #tokens
  end
  return wrk.format("PUT", "/api/v1/ideas/" .. (first_idea + offset) .. "/vote/", {
    ["Authorization"] = "Token " .. tokens[voter + 1],
    ["Content-Type"] = "application/json",
  }, body)
end
