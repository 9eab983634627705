-- wrk script for the audit list: GET <path>?page=<random page among `pages`> as an
-- anonymous visitor. Arguments after `--`: pages
dofile("report.lua")

local pages = 1
local thread_number = 0

function setup(thread)
  thread_number = thread_number + 1
  thread:set("seed", thread_number)
end

function init(args)
  pages = tonumber(args[1])
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  return wrk.format("GET", wrk.path .. "?page=" .. math.random(1, pages))
end
