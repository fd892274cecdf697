-- wrk script: POST /api/templates/preview for one saved template, the original design's shape.
-- The template id comes from the environment (bench/templates.sh sets it).
local id = os.getenv("BOTDESK_TEMPLATE_ID")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"template_id":"' .. id .. '","variables":{"customer_name":"Sam","order_id":"ORD-2","item_count":"2","total":"$9.90"}}'

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
