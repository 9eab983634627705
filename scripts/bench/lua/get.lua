-- wrk script for the page scenarios: GET the URL given on the command line as an
-- anonymous visitor; print the bench's result line at the end. wrk runs with this
-- folder as its working directory (scripts/bench/wrk.py), so report.lua is found.
dofile("report.lua")
