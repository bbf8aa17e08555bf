-- wrk script: every page of every portfolio sort in turn (6 sorts x 40 pages), more pages than
-- the 64 kept per workspace, so most requests render their page. Used by bench/web_pages.py.
local sorts = {"", "launch", "contract", "waiting", "stage", "name"}
local n = 0
request = function()
  n = n + 1
  local path = "/?sort=" .. sorts[(n % #sorts) + 1] .. "&page=" .. (math.floor(n / #sorts) % 40 + 1)
  return wrk.format("GET", path)
end
